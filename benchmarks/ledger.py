"""The ledger's figures, against the real stores.

- appends per second with 16 concurrent writers, each awaiting its own durable
  append (group commit): SQLite (target >= 10,000/s) and PostgreSQL (>= 5,000/s);
- the median lookup of one visitor's receipts in a table of N records (default
  1,000,000; target <= 1 ms), on SQLite and on PostgreSQL;
- the peak RSS of ``consentkit export`` streaming those N records, run as a child
  process (ru_maxrss; target < 100 MB).

    python benchmarks/ledger.py [--records 1000000] [--appends 20000] [--no-postgres]

PostgreSQL comes from CONSENTKIT_TEST_POSTGRES_URL (default: the local ``test``
database); the benchmark works in a schema of its own and drops it afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from consentkit.ledger.base import Record, Store
from consentkit.ledger.codec import COLUMN_LIST, COLUMNS, format_time, to_row
from consentkit.ledger.sqlite import SqliteStore

POSTGRES_URL = os.environ.get("CONSENTKIT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
WRITERS = 16
RECORDS_PER_VISITOR = 5
START = datetime(2025, 1, 1, tzinfo=UTC)
CHOICES = ({"necessary": True, "analytics": True, "advertising": False},
           {"necessary": True, "analytics": False, "advertising": False},
           {"necessary": True, "analytics": True, "advertising": True})


def record(n: int, visitors: int) -> Record:
    return Record(
        receipt_id=uuid.UUID(int=random.getrandbits(128)).hex, visitor_id=f"visitor-{n % visitors:08d}",
        at=START + timedelta(seconds=n * 30), policy_version="2026-11-01", mode="opt_out",
        choices=CHOICES[n % 3], source=("banner", "preferences", "gpc", "link")[n % 4], gpc=n % 4 == 2,
        age_band="16_plus", browser="Firefox", browser_major="128", os="Linux", device="desktop",
    )


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


async def appends_per_second(store: Store, total: int) -> tuple[float, float]:
    """Appends per second, and this process's CPU time per append (microseconds)."""
    await store.open()
    records = [record(n, total) for n in range(total)]
    await store.append_many(records[:WRITERS])  # warm up connections and caches

    async def writer(mine: Sequence[Record]) -> None:
        for rec in mine:
            await store.append(rec)

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(writer(records[WRITERS + w::WRITERS]) for w in range(WRITERS)))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    await store.close()
    return (total - WRITERS) / elapsed, cpu / (total - WRITERS) * 1e6


async def median_lookup_ms(store: Store, visitors: int, lookups: int = 2000) -> float:
    await store.open()
    for n in range(50):  # warm up
        await store.for_visitor(f"visitor-{n:08d}")
    times = []
    for _ in range(lookups):
        visitor = f"visitor-{random.randrange(visitors):08d}"
        started = time.perf_counter()
        found = await store.for_visitor(visitor)
        times.append(time.perf_counter() - started)
        assert len(found) == RECORDS_PER_VISITOR, (visitor, len(found))
    await store.close()
    return statistics.median(times) * 1000


async def seed_sqlite(path: Path, total: int) -> float:
    """Fill the table fast: the store creates the schema, then one bulk transaction
    with a large page cache (the random receipt ids make the primary key the cost)."""
    started = time.perf_counter()
    store = SqliteStore(path)
    await store.open()
    await store.close()
    visitors = total // RECORDS_PER_VISITOR
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA cache_size=-262144")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN")
    rows = ((rec := record(n, visitors)) and to_row(rec, format_time(rec.at)) for n in range(total))
    conn.executemany(f"INSERT INTO consentkit_records ({COLUMN_LIST}) VALUES ({', '.join('?' * len(COLUMNS))})", rows)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    return time.perf_counter() - started


def seed_postgres(schema: str, total: int) -> float:
    import psycopg

    started = time.perf_counter()
    visitors = total // RECORDS_PER_VISITOR
    with psycopg.connect(POSTGRES_URL) as conn:
        with conn.cursor() as cur, cur.copy(f'COPY "{schema}".consentkit_records ({COLUMN_LIST}) FROM STDIN') as copy:
            for n in range(total):
                rec = record(n, visitors)
                copy.write_row(to_row(rec, rec.at))
        conn.execute(f'ANALYZE "{schema}".consentkit_records')
    return time.perf_counter() - started


# A child's ru_maxrss also counts what it shared with its parent before exec, so a
# small launcher starts the export: the figure is then an upper bound that includes
# at most the launcher's own few megabytes, not this benchmark's.
_LAUNCHER = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:])
_, status, usage = os.wait4(child.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def export_peak_rss_mb(url: str) -> tuple[float, float, int]:
    """Run ``consentkit export`` as a child; its peak RSS (MB), seconds, and lines."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "export.jsonl"
        started = time.perf_counter()
        report = subprocess.run(
            [sys.executable, "-S", "-c", _LAUNCHER,
             sys.executable, "-m", "consentkit.cli", "export", "--db", url, "--output", str(out)],
            env={**os.environ, "PYTHONPATH": str(ROOT)}, stderr=subprocess.DEVNULL, stdout=subprocess.PIPE,
            text=True, check=True,
        )
        elapsed = time.perf_counter() - started
        code, max_rss_kib = map(int, report.stdout.split())
        assert code == 0, f"export failed with status {code}"
        with open(out, "rb") as fh:
            lines = sum(1 for _ in fh)
    return max_rss_kib / 1024, elapsed, lines  # ru_maxrss is in KiB on Linux


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001 - any failure means "skip PostgreSQL"
        return False


async def run(args: argparse.Namespace) -> None:
    random.seed(7)
    total = args.records
    print(f"ledger benchmark: {WRITERS} concurrent writers, {args.appends:,} appends; {total:,} records for lookups; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (figures scale down on a busy machine)")
    with tempfile.TemporaryDirectory() as scratch:
        for sync in ("FULL", "NORMAL"):
            rate, cpu = await appends_per_second(SqliteStore(Path(scratch) / f"{sync}.db", synchronous=sync),
                                                 args.appends)
            print(f"SQLite      appends/s (16 writers, synchronous={sync}): {rate:>7,.0f}   target >= 10,000  "
                  f"ratio {rate / 10_000:.2f}  {verdict(rate >= 10_000)}   (CPU {cpu:.0f} us/append)")

        db = Path(scratch) / "million.db"
        seconds = await seed_sqlite(db, total)
        print(f"SQLite      seeded {total:,} records in {seconds:.1f} s")
        median = await median_lookup_ms(SqliteStore(db), total // RECORDS_PER_VISITOR)
        print(f"SQLite      median receipts lookup: {median:.3f} ms   target <= 1 ms  "
              f"ratio {median:.2f}  {verdict(median <= 1)}")
        rss, seconds, lines = export_peak_rss_mb(f"sqlite:///{db}")
        assert lines == total, (lines, total)
        print(f"SQLite      consentkit export of {lines:,} records: peak RSS {rss:.1f} MB in {seconds:.1f} s   "
              f"target < 100 MB  ratio {rss / 100:.2f}  {verdict(rss < 100)}")

    if args.no_postgres or not postgres_available():
        print("PostgreSQL  skipped (no server, or --no-postgres)")
        return
    from consentkit.ledger.postgres import PostgresStore

    schema = f"ck_bench_{os.getpid()}"
    import psycopg

    try:
        rate, cpu = await appends_per_second(PostgresStore(POSTGRES_URL, schema=schema + "_a"), args.appends)
        print(f"PostgreSQL  appends/s (16 writers): {rate:>9,.0f}   target >= 5,000  "
              f"ratio {rate / 5_000:.2f}  {verdict(rate >= 5_000)}   (client CPU {cpu:.0f} us/append)")
        store = PostgresStore(POSTGRES_URL, schema=schema)
        await store.open()  # creates the schema and table
        await store.close()
        seconds = seed_postgres(schema, total)
        print(f"PostgreSQL  seeded {total:,} records with COPY in {seconds:.1f} s")
        median = await median_lookup_ms(PostgresStore(POSTGRES_URL, schema=schema), total // RECORDS_PER_VISITOR)
        print(f"PostgreSQL  median receipts lookup: {median:.3f} ms   target <= 1 ms  "
              f"ratio {median:.2f}  {verdict(median <= 1)}")
        rss, seconds, lines = export_peak_rss_mb(f"{POSTGRES_URL}?schema={schema}")
        assert lines == total, (lines, total)
        print(f"PostgreSQL  consentkit export of {lines:,} records: peak RSS {rss:.1f} MB in {seconds:.1f} s   "
              f"target < 100 MB  ratio {rss / 100:.2f}  {verdict(rss < 100)}")
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            for name in (schema, schema + "_a"):
                conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="records in the lookup/export table")
    parser.add_argument("--appends", type=int, default=20_000, help="appends timed per backend")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
