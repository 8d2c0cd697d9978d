"""Issue 18's target: the admin console's dashboard page for a ledger of 10 million
records, on PostgreSQL and on SQLite, in under 300 ms of server time; and the
rollups' cost per appended record (what keeping the dashboard fast costs the hot path).

The ledgers are made in the database by ``generate_series`` (PostgreSQL, the recipe of
``ledger_scale.py``, its rollups counted from the records) and a recursive CTE (SQLite,
``ledger.seed_sqlite``, its rollups folded by the store itself). The console is the
real one (``ConsentKit(..., admin=Admin(users=...))``, a built-in account signed in
with its password) behind ``ConsentMiddleware``, called in-process: the server time
is measured by a wrapper around the ASGI app, from the call to the last byte of the
body sent, so no client or network time is counted. Each view is timed cold (first
page after the store opened) and warm (median and p95 of ``--runs``); the machine's
load is printed with every figure (the machine may be shared).

    nice python benchmarks/console.py [--records 10000000] [--pg-schema ck_bench_console_10m]
        [--sqlite-db PATH] [--keep] [--runs 20] [--appends 5000] [--no-postgres] [--no-sqlite]

``--pg-schema`` and ``--sqlite-db`` name ledgers to build if absent and keep (resumable);
without them a ledger is built in a scratch schema/file and dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import httpx
import ledger
import ledger_scale
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from consentkit import Admin, Category, ConsentKit, ConsentMiddleware, Policy, Service
from consentkit.admin import create_user

TARGET_MS = 300.0
PASSWORD = "benchmark password 0123"
SECRET = "console-benchmark-secret-0123456789abcdef"
# The ledgers end the day before ledger_scale.END; the dashboard is asked for the
# default span of each view ending there (what a site owner sees on opening it).
LAST = ledger_scale.END.date() - timedelta(days=1)
UNTIL = LAST + timedelta(days=1)
VIEWS: tuple[tuple[str, dict[str, str]], ...] = (
    ("per day, last 30 days (the default page)", {"per": "day", "until": UNTIL.isoformat()}),
    ("per week, last 12 weeks", {"per": "week", "until": UNTIL.isoformat()}),
    ("per month, last 12 months", {"per": "month", "until": UNTIL.isoformat()}),
    ("per day, a whole year (365 charts' days)", {"per": "day", "since": (UNTIL - timedelta(days=365)).isoformat(),
                                                  "until": UNTIL.isoformat()}),
    ("per week, the whole two years", {"per": "week", "since": ledger_scale.START.date().isoformat(),
                                       "until": UNTIL.isoformat()}),
)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.1f}/{five:.1f}/{fifteen:.1f} on {os.cpu_count()} CPUs"


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def policy() -> Policy:
    """The categories of the generated records (necessary, functional, analytics, advertising)."""
    return Policy(
        version="2026-06-01", mode="opt_out",
        controller={"name": "Benchmark Co", "contact": "privacy@example.com"},
        categories=[
            Category("necessary", required=True),
            Category("functional", services=[Service("widgets", vendor="Widgets", hosts=["cdn.example-widgets.test"])]),
            Category("analytics", services=[Service("web-analytics", vendor="Google",
                                                    hosts=["www.googletagmanager.com"])]),
            Category("advertising", sale_or_sharing=True,
                     services=[Service("ads", vendor="Example Ads", hosts=["ads.example-ads.test"])]),
        ],
    )


class ServerTimer:
    """An ASGI wrapper: the seconds from each call to its response body's last byte."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.last = 0.0
        self.cpu = 0.0  # this process's CPU over the same span (all threads: SQLite's reads count)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, cpu = time.perf_counter(), time.process_time()
        finished: list[float] = []

        async def timed_send(message: Any) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                finished.append(time.perf_counter())

        await self.app(scope, receive, timed_send)
        self.last = (finished[-1] if finished else time.perf_counter()) - started
        self.cpu = time.process_time() - cpu


async def _site(request: Any) -> PlainTextResponse:
    return PlainTextResponse("site")


async def measure(store_url: str, label: str, users: Path, runs: int) -> list[tuple[str, float]]:
    """Sign in to the console over the ledger at ``store_url`` and time each view."""
    # Kept ten years: the default retention (730 days) would purge the oldest days of the
    # generated two years as the calendar moves on, and the ledger would shrink below its size.
    kit = ConsentKit(policy(), secret_keys=[SECRET], store=store_url, admin=Admin(users=users), retention_days=3650)
    app = Starlette(routes=[Route("/", _site)], middleware=[Middleware(ConsentMiddleware, kit=kit)])
    timer = ServerTimer(app)
    results = []
    await kit.startup()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=timer), base_url="http://testserver") as http:
            page = await http.get("/consentkit/admin/login")
            token = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
            signed_in = await http.post("/consentkit/admin/login",
                                        data={"csrf": token, "name": "owner", "password": PASSWORD, "code": ""})
            assert signed_in.status_code == 303, signed_in.text[:300]
            for title, query in VIEWS:
                first = await http.get("/consentkit/admin/", params=query)
                assert first.status_code == 200, first.text[:300]
                cold = timer.last * 1000
                times, cpus = [], []
                for _ in range(runs):
                    answer = await http.get("/consentkit/admin/", params=query)
                    assert answer.status_code == 200
                    times.append(timer.last * 1000)
                    cpus.append(timer.cpu * 1000)
                times.sort()
                median, p95 = statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]
                found = re.search(r"data-total>([^<]*)<", answer.text)
                total = found.group(1) if found else "?"
                print(f"{label} dashboard {title:42} server time median {median:6.1f} ms (p95 {p95:.1f}, cold "
                      f"{cold:.1f}; app CPU {statistics.median(cpus):.0f} ms)   target < {TARGET_MS:.0f} ms  ratio {median / TARGET_MS:.2f}  "
                      f"{ledger.verdict(median < TARGET_MS)}   ({len(answer.content):,} B, decisions {total}; "
                      f"{load()})", flush=True)
                results.append((title, median))
    finally:
        await kit.shutdown()
    return results


async def total_decisions(store_url: str) -> int:
    """The decisions the rollups count over the whole ledger (what the dashboard reads)."""
    from consentkit.ledger import open_store

    store = open_store(store_url)
    await store.open()
    try:
        rows = await store.daily_counts(ledger_scale.START.date(), UNTIL, by=(), per="day")
        return sum(r.decisions for r in rows)
    finally:
        await store.close()


async def postgres(args: argparse.Namespace, users: Path) -> None:
    schema = args.pg_schema or f"ck_bench_{os.getpid()}_console"
    try:
        have = ledger.schema_records(schema)
        if have is None or have < args.records:
            started = time.perf_counter()
            # Resumable: the months already complete are kept, the rollups counted again.
            await asyncio.to_thread(ledger_scale.build, schema, args.records, False)
            print(f"PostgreSQL  built {args.records:,} records with generate_series in "
                  f"{time.perf_counter() - started:.0f} s ({load()})", flush=True)
        url = f"{ledger_scale.POSTGRES_URL}?schema={schema}"
        counted = await total_decisions(url)
        print(f"PostgreSQL  ledger {schema}: the rollups count {counted:,} decisions", flush=True)
        await measure(url, f"PostgreSQL {counted / 1e6:5.1f}M records:", users, args.runs)
    finally:
        if args.pg_schema is None:
            ledger_scale.drop(schema)


async def sqlite(args: argparse.Namespace, users: Path, scratch: Path) -> None:
    from consentkit.ledger.sqlite import SqliteStore

    db = Path(args.sqlite_db) if args.sqlite_db else scratch / "console.db"
    url = f"sqlite:///{db.resolve()}"
    if not db.exists():
        await ledger._open_close(SqliteStore(db))
        seconds = ledger.seed_sqlite(db, args.records)
        store = SqliteStore(db)
        await store.open()
        started = time.perf_counter()
        await store.fold()
        await store.close()
        print(f"SQLite      seeded {args.records:,} records in {seconds:.0f} s, rollups folded in "
              f"{time.perf_counter() - started:.0f} s ({load()})", flush=True)
    counted = await total_decisions(url)
    print(f"SQLite      ledger {db.name}: {db.stat().st_size / 1e9:.1f} GB, the rollups count {counted:,} decisions",
          flush=True)
    await measure(url, f"SQLite     {counted / 1e6:5.1f}M records:", users, args.runs)


async def rollup_costs(args: argparse.Namespace, scratch: Path) -> None:
    """benchmarks/ledger.py's append figures, with and without the rollups."""
    if args.appends <= 0:
        return
    await ledger.sqlite_appends(scratch, args.appends, args.append_runs)
    if not args.no_postgres and ledger.postgres_available():
        await ledger.postgres_appends(args.appends, args.append_runs)


async def run(args: argparse.Namespace) -> None:
    print(f"console benchmark: {args.records:,} records, {args.runs} timed pages per view; uptime: {uptime()}",
          flush=True)
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        users = scratch / "admin-users.json"
        create_user(users, "owner", PASSWORD, role="viewer")
        steps: list[Callable[[], Awaitable[None]]] = []
        if not args.no_postgres and ledger.postgres_available():
            steps.append(lambda: postgres(args, users))
        else:
            print("PostgreSQL  skipped (no server, or --no-postgres)")
        if not args.no_sqlite:
            steps.append(lambda: sqlite(args, users, scratch))
        for step in steps:
            await step()
        await rollup_costs(args, scratch)
    print(f"done; uptime: {uptime()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=20, help="timed pages per view (after one cold page)")
    parser.add_argument("--pg-schema", help="a PostgreSQL schema to build if absent and keep")
    parser.add_argument("--sqlite-db", help="a SQLite file to build if absent and keep")
    parser.add_argument("--appends", type=int, default=5_000, help="appends per rollup-cost figure (0: skip)")
    parser.add_argument("--append-runs", type=int, default=3)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
