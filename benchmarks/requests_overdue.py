"""Issue 17's target: with 10,000 open privacy requests (and as many closed), the
overdue list in under 50 ms, on SQLite and on PostgreSQL.

Measured through the store's own query (``RequestStore.find``, what ``kit.requests.list``,
the CLI and the console call): the overdue requests (all of them, about a fifth of the
open ones), the first page of the open list (100, overdue first), and the whole open
list (10,000). Each figure is the median of several runs, printed beside the target,
with the time of one request read by its id in the same run as the baseline.

    python benchmarks/requests_overdue.py [--open 10000] [--runs 15] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from consentkit.requests import PrivacyRequest, RequestStore, Step
from consentkit.requests.codec import to_row
from consentkit.requests.model import REQUEST_TYPES, new_request_id

POSTGRES_URL = os.environ.get("CONSENTKIT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
TARGET_MS = 50.0
TODAY = date(2026, 12, 2)


def requests(open_count: int) -> list[PrivacyRequest]:
    """``open_count`` open requests (a fifth overdue) and as many closed ones."""
    rng = random.Random(17)
    made = []
    for i in range(2 * open_count):
        received = datetime(2026, 6, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(260_000))
        due = TODAY + timedelta(days=rng.randrange(-9, 36))
        status = ("received", "in_progress")[i % 2] if i < open_count else ("fulfilled", "denied")[i % 2]
        made.append(PrivacyRequest(
            id=new_request_id(), type=REQUEST_TYPES[i % len(REQUEST_TYPES)], requester="consumer",
            status=status, received_at=received, acknowledge_by=due - timedelta(days=30), respond_by=due,
            subject=f"s{rng.randrange(open_count)}", contact=f"p{i}@example.com" if i < open_count else None,
            details={"name": "A Person"}, steps=(Step("received", received), Step("acknowledged", received)),
        ))
    return made


async def fill_sqlite(path: Path, made: list[PrivacyRequest]) -> RequestStore:
    from consentkit.requests.sqlite import _INSERT, SqliteRequestStore

    store = SqliteRequestStore(path)
    await store.open()
    rows = [to_row(r, 1) for r in made]

    def insert(conn: Any) -> None:
        conn.execute("BEGIN")
        conn.executemany(_INSERT, rows)
        conn.execute("COMMIT")
        conn.execute("ANALYZE")

    await store._run(insert)
    return store


async def fill_postgres(url: str, schema: str, made: list[PrivacyRequest]) -> RequestStore:
    from consentkit.requests.postgres import _INSERT, PostgresRequestStore

    store = PostgresRequestStore(url, schema=schema)
    await store.open()
    rows = [to_row(r, 1) for r in made]
    statement = store._sql(_INSERT)

    async def insert(conn: Any) -> None:
        async with conn.cursor() as cur:
            await cur.executemany(statement, rows)
        await conn.execute(store._sql("ANALYZE {table}"))

    store.timeout = 120.0
    await store._run(insert)
    store.timeout = 5.0
    return store


async def median_ms(work: Callable[[], Awaitable[Any]], runs: int) -> tuple[float, Any]:
    result = await work()  # warm the caches and the prepared statement
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = await work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


async def measure(name: str, store: RequestStore, made: list[PrivacyRequest], runs: int) -> bool:
    one = made[len(made) // 3].id
    base, _ = await median_ms(lambda: store.get(one), runs)
    overdue, found = await median_ms(lambda: store.find(due_before=TODAY, limit=10_000), runs)
    page, first = await median_ms(lambda: store.find(limit=100), runs)
    whole, every = await median_ms(lambda: store.find(limit=10_000), runs)
    expected = sum(1 for r in made if r.open and r.due < TODAY)
    assert len(found) == expected and all(s.overdue(TODAY) for s in found), "the overdue list is wrong"
    assert first[0].overdue(TODAY) and len(every) == min(10_000, sum(1 for r in made if r.open))
    print(f"{name}: {sum(1 for r in made if r.open):,} open, {len(made):,} in all; one request by id "
          f"{base:.2f} ms (baseline)")
    ok = True
    for label, figure, count in (("overdue list", overdue, len(found)), ("open list, first page", page, len(first)),
                                 ("open list, whole", whole, len(every))):
        ok &= figure < TARGET_MS
        print(f"  {label:<22} {count:>6,} rows  {figure:7.2f} ms   target < {TARGET_MS:.0f} ms  "
              f"({figure / TARGET_MS:.2f} of the target, {figure / base:.0f}x the baseline)  "
              f"{'ok' if figure < TARGET_MS else 'OVER'}")
    return ok


async def run(args: argparse.Namespace) -> int:
    made = requests(args.open)
    ok = True
    with tempfile.TemporaryDirectory() as directory:
        store = await fill_sqlite(Path(directory) / "consent.db", made)
        try:
            ok &= await measure("SQLite", store, made, args.runs)
        finally:
            await store.close()
    if args.postgres != "off":
        schema = f"ck_bench_requests_{uuid.uuid4().hex[:8]}"
        try:
            store = await fill_postgres(args.postgres, schema, made)
        except Exception as exc:  # noqa: BLE001 - no server: say so and measure SQLite alone
            print(f"PostgreSQL: skipped ({type(exc).__name__}: {exc})")
            return 0 if ok else 1
        try:
            ok &= await measure("PostgreSQL", store, made, args.runs)
        finally:
            async def drop(conn: Any) -> None:
                await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')

            await store._run(drop)
            await store.close()
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--open", type=int, default=10_000, help="open requests (as many closed ones are added)")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--postgres", default=POSTGRES_URL, help="server URL, or 'off'")
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
