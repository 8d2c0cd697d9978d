"""The ledger's figures, against the real stores, each printed beside its target.

Appends (16 concurrent writers, each awaiting its own durable append):
  - appends per second, SQLite (>= 10,000/s) and PostgreSQL (>= 10,000/s), with the
    rollups kept as records arrive, and without them in the same run (the baseline
    their cost is measured against: CPU per appended record, client and server);
  - the scheduled alternative: re-counting a day of rollups from its records, in
    CPU per record, beside the inline cost.
At scale (PostgreSQL: ``--pg-schema``, a ledger built by ``ledger_scale.py``, meant
for 100 million records; SQLite: ``--sqlite-records``):
  - the median receipts lookup (<= 1 ms);
  - the console's queries from the rollups (<= 50 ms each), beside the same answer
    counted from the records (the baseline);
  - a day's export and a visitor's, streamed in constant memory (peak RSS of a child
    process; a week's export beside a day's: the ratio stays ~1), and the whole
    export of the SQLite ledger (< 100 MB);
  - retention: dropping the oldest month's partition (PostgreSQL).

    python benchmarks/ledger.py [--appends 20000] [--sqlite-records 1000000]
        [--pg-schema ck_bench_100m | --pg-records 1000000] [--no-postgres]

PostgreSQL comes from CONSENTKIT_TEST_POSTGRES_URL (default: the local ``test``
database); the benchmark works in schemas of its own and drops them afterwards,
except the ``--pg-schema`` it was given (``--drop-purged`` lets it drop that
ledger's oldest month, to time retention).
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
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import ledger_scale

from consentkit.ledger.base import Record, Store
from consentkit.ledger.sqlite import SqliteStore

POSTGRES_URL = ledger_scale.POSTGRES_URL
WRITERS = 16
RECORDS_PER_VISITOR = ledger_scale.RECORDS_PER_VISITOR
CHOICES = ({"necessary": True, "analytics": True, "advertising": False},
           {"necessary": True, "analytics": False, "advertising": False},
           {"necessary": True, "analytics": True, "advertising": True})
# The console's charts (issue 18), as rollup queries ending on the ledger's last day:
# (title, days or months, dimensions, per).
STATS_BY = ("mode", "source", "gpc", "age_band", "choices")
CONSOLE: tuple[tuple[str, int, tuple[str, ...], str], ...] = (
    ("decisions per day, 30 days", 30, (), "day"),
    ("by source per day, 90 days", 90, ("source",), "day"),
    ("per category and region/mode/GPC per day, 90 days", 90, ("region", "mode", "gpc", "choices"), "day"),
    ("opt-outs and outcomes per day, 30 days", 30, STATS_BY, "day"),
    ("age bands and parental status per day, 90 days", 90, ("age_band", "parental_consent", "source"), "day"),
    ("opt-outs and outcomes per month, 12 months", 12, STATS_BY, "month"),
    ("by policy version and source per month, 12 months", 12, ("policy_version", "source", "choices"), "month"),
)


def record(n: int, visitors: int, at: datetime | None = None) -> Record:
    return Record(
        receipt_id=uuid.UUID(int=random.getrandbits(128)).hex, visitor_id=f"visitor-{n % visitors:08d}",
        at=at or datetime.now(UTC), policy_version="2026-11-01", mode="opt_out",
        choices=CHOICES[n % 3], source=("banner", "preferences", "gpc", "link")[n % 4], gpc=n % 4 == 2,
        age_band=("unknown", "16_plus", "13_15", "under_13")[n % 7 % 4], region=("EU", "US-CA", "UK")[n % 5 % 3],
        browser="Firefox", browser_major="128", os="Linux", device="desktop",
    )


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


# -- CPU of the PostgreSQL backends ---------------------------------------------


def _backend_pids(app: str) -> list[int]:
    import psycopg

    with psycopg.connect(POSTGRES_URL) as conn:
        return [pid for (pid,) in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (app,))]


def _cpu_seconds(pids: Sequence[int]) -> float:
    """utime + stime of these processes (the server is on this machine)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


# -- appends --------------------------------------------------------------------


async def appends_per_second(store: Store, total: int, backends: str | None = None) -> tuple[float, float, float]:
    """Appends per second; this process's CPU per append and the server's (us).
    ``backends``: the application_name whose backends' CPU counts as the server's."""
    await store.open()
    records = [record(n, total) for n in range(total)]
    await store.append_many(records[:WRITERS])  # warm up connections and caches

    async def writer(mine: Sequence[Record]) -> None:
        for rec in mine:
            await store.append(rec)

    pids = _backend_pids(backends) if backends else []
    server = _cpu_seconds(pids)
    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(writer(records[WRITERS + w::WRITERS]) for w in range(WRITERS)))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    if backends:
        fold = getattr(store, "fold", None)
        if fold is not None:
            await fold()  # what the background task still had to fold belongs to these appends
        pids = _backend_pids(backends)
    server = _cpu_seconds(pids) - server if backends else 0.0
    await store.close()
    n = total - WRITERS
    return n / elapsed, cpu / n * 1e6, server / n * 1e6


async def sqlite_appends(scratch: Path, total: int, runs: int) -> None:
    for sync in ("FULL", "NORMAL"):
        for rollups in (True, False):
            rates, cpus = [], []
            for run in range(runs):
                path = scratch / f"{sync}-{rollups}-{run}.db"
                store = SqliteStore(path, synchronous=sync)  # type: ignore[arg-type]
                await store.open()
                await store.close()
                if not rollups:  # the baseline: the same store without its rollup triggers
                    with sqlite3.connect(path) as conn:
                        conn.execute("DROP TRIGGER consentkit_daily_add")
                rate, cpu, _ = await appends_per_second(SqliteStore(path, synchronous=sync), total)  # type: ignore[arg-type]
                rates.append(rate)
                cpus.append(cpu)
            rate, cpu = statistics.median(rates), statistics.median(cpus)
            label = "with rollups   " if rollups else "without rollups"
            print(f"SQLite      appends/s, 16 writers, synchronous={sync:6} {label}: {rate:>7,.0f}   "
                  f"target >= 10,000  ratio {rate / 10_000:.2f}  {verdict(rate >= 10_000 or not rollups)}   "
                  f"(CPU {cpu:.0f} us/append; {load()})")
            if rollups:
                with_cpu = cpu
        print(f"SQLite      rollups' cost per appended record (triggers), synchronous={sync}: "
              f"{with_cpu - cpu:+.1f} us CPU ({with_cpu / cpu:.2f}x the append without them)")


async def postgres_appends(total: int, runs: int) -> None:
    from consentkit.ledger.postgres import PostgresStore

    results: dict[str, tuple[float, float, float]] = {}
    for mode in ("inline", "scheduled"):
        figures = []
        for run in range(runs):
            schema = f"ck_bench_{os.getpid()}_{mode}_{run}"
            app = f"ck_bench_{os.getpid()}_{mode}"
            try:
                figures.append(await appends_per_second(
                    PostgresStore(f"{POSTGRES_URL}?application_name={app}", schema=schema, rollups=mode), total,
                    backends=app))
            finally:
                drop_schema(schema)
        rate, client, server = (statistics.median(f[i] for f in figures) for i in range(3))
        results[mode] = (rate, client, server)
        label = "rollups inline   " if mode == "inline" else "rollups scheduled"
        print(f"PostgreSQL  appends/s, 16 writers, {label}: {rate:>7,.0f}   target >= 10,000  "
              f"ratio {rate / 10_000:.2f}  {verdict(rate >= 10_000)}   "
              f"(CPU client {client:.0f} + server {server:.0f} us/append; {load()})")
    (rate_i, client_i, server_i), (rate_s, client_s, server_s) = results["inline"], results["scheduled"]
    print(f"PostgreSQL  rollups' cost per appended record, inline (stage + fold): "
          f"{client_i + server_i - client_s - server_s:+.1f} us CPU; throughput {rate_i / rate_s:.2f}x without")
    await scheduled_cost(total)


async def scheduled_cost(total: int) -> None:
    """Re-counting one day of rollups from its records: CPU per record."""
    from consentkit.ledger.postgres import PostgresStore

    schema = f"ck_bench_{os.getpid()}_refresh"
    app = f"ck_bench_{os.getpid()}_refresh"
    store = PostgresStore(f"{POSTGRES_URL}?application_name={app}", schema=schema, rollups="scheduled")
    try:
        await store.open()
        day = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        batch = [record(n, total, day + timedelta(seconds=n * 86399 / total)) for n in range(total)]
        for i in range(0, total, 5000):
            await store.append_many(batch[i:i + 5000])
        pids = _backend_pids(app)
        server, started = _cpu_seconds(pids), time.perf_counter()
        counted = await store.refresh_rollups(day.date(), day.date() + timedelta(days=1))
        elapsed, server = time.perf_counter() - started, _cpu_seconds(_backend_pids(app)) - server
        assert counted == total, (counted, total)
        print(f"PostgreSQL  scheduled rollups: a day of {total:,} records re-counted in {elapsed * 1000:.0f} ms, "
              f"server CPU {server / total * 1e6:.1f} us/record ({load()})")
        await store.close()
    finally:
        drop_schema(schema)


# -- at scale -------------------------------------------------------------------


async def timed(work: Callable[[], Awaitable[Any]], runs: int) -> tuple[float, Any]:
    """The median wall time of ``runs`` calls (ms), after one warm-up, and the last result."""
    result = await work()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = await work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, result


async def lookups(store: Store, name: Callable[[int], str], visitors: int, label: str, count: int = 2000) -> None:
    for k in range(50):  # warm up
        await store.for_visitor(name(k))
    times = []
    rng = random.Random(1)
    for _ in range(count):
        visitor = name(rng.randrange(visitors))
        started = time.perf_counter()
        found = await store.for_visitor(visitor)
        times.append(time.perf_counter() - started)
        assert len(found) == RECORDS_PER_VISITOR, (visitor, len(found))
    times.sort()
    median, p95 = statistics.median(times) * 1000, times[int(len(times) * 0.95)] * 1000
    print(f"{label} median receipts lookup (uniformly random visitors): {median:.3f} ms (p95 {p95:.3f})   "
          f"target <= 1 ms  ratio {median:.2f}  {verdict(median <= 1)}   ({load()})")


async def console_queries(store: Store, last: date, label: str, baseline: Callable[[date, date], Awaitable[Any]]
                          ) -> None:
    from consentkit.ledger.stats import from_store

    for title, span, by, per in CONSOLE:
        until = last + timedelta(days=1)
        since = last - timedelta(days=span - 1)
        if per == "month":
            until = (last.replace(day=1) + timedelta(days=32)).replace(day=1)
            since = last.replace(day=1)
            for _ in range(span - 1):
                since = (since - timedelta(days=1)).replace(day=1)
        ms, rows = await timed(lambda since=since, until=until, by=by, per=per: store.daily_counts(
            since, until, by=by, per=per), 5)
        print(f"{label} rollups: {title:52} {ms:7.1f} ms ({len(rows):,} rows)   target <= 50 ms  "
              f"ratio {ms / 50:.2f}  {verdict(ms <= 50)}")
    for days in (30, 365):
        ms, _ = await timed(lambda days=days: from_store(store, since=datetime.combine(
            last - timedelta(days=days - 1), datetime.min.time(), UTC)), 3)
        print(f"{label} consentkit stats (a row a day) over {days} days, from the rollups: {ms:.1f} ms "
              f"(no target: a CLI table, not a chart)")
    since = last - timedelta(days=6)
    ms_raw, _ = await timed(lambda: baseline(since, last + timedelta(days=1)), 1)
    ms, _ = await timed(lambda: store.daily_counts(since, last + timedelta(days=1), by=("source",)), 5)
    print(f"{label} baseline: by source over 7 days counted from the records: {ms_raw:,.0f} ms; from the rollups "
          f"{ms:.1f} ms (ratio {ms / ms_raw:.4f})   ({load()})")


_STREAM = """
import asyncio, sys
from datetime import datetime
from consentkit.ledger import open_store
async def main():
    store = open_store(sys.argv[1])
    await store.open()
    n = 0
    if sys.argv[2] == "visitor":
        n = len(await store.for_visitor(sys.argv[3]))
    else:
        async for _ in store.iter_records(datetime.fromisoformat(sys.argv[2]), datetime.fromisoformat(sys.argv[3])):
            n += 1
    await store.close()
    print(n)
asyncio.run(main())
"""


# A child's ru_maxrss also counts what it shared with its parent before exec, so a
# small launcher starts it: the figure is then the child's own, plus at most the
# launcher's few megabytes, not this benchmark's.
_LAUNCHER = ("import os, subprocess, sys\nchild = subprocess.Popen(sys.argv[1:])\n"
             "_, status, usage = os.wait4(child.pid, 0)\nprint(os.waitstatus_to_exitcode(status), usage.ru_maxrss)")


def stream_rss(url: str, *args: str) -> tuple[int, float, float]:
    """Records streamed by a child process, its peak RSS (MB) and seconds."""
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-S", "-c", _LAUNCHER, sys.executable, "-c", _STREAM, url, *args],
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out[-2] == "0", f"the stream failed with status {out[-2]}"
    return int(out[0]), int(out[-1]) / 1024, time.perf_counter() - started


def exports(url: str, last: date, visitor: str, label: str) -> None:
    day = datetime.combine(last, datetime.min.time(), UTC)
    n1, rss1, s1 = stream_rss(url, day.isoformat(), (day + timedelta(days=1)).isoformat())
    n7, rss7, s7 = stream_rss(url, (day - timedelta(days=6)).isoformat(), (day + timedelta(days=1)).isoformat())
    nv, rssv, sv = stream_rss(url, "visitor", visitor)
    print(f"{label} export of a day: {n1:,} records, peak RSS {rss1:.1f} MB in {s1:.1f} s; of a week: {n7:,} records, "
          f"{rss7:.1f} MB in {s7:.1f} s   target constant memory  ratio {rss7 / rss1:.2f}  "
          f"{verdict(rss7 <= rss1 * 1.1)}")
    print(f"{label} export of a visitor: {nv} records, peak RSS {rssv:.1f} MB in {sv:.1f} s")


def export_peak_rss_mb(url: str) -> tuple[float, float, int]:
    """Run ``consentkit export`` of everything as a child: its peak RSS (MB), seconds, lines."""
    launcher = _LAUNCHER
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "export.jsonl"
        started = time.perf_counter()
        report = subprocess.run(
            [sys.executable, "-S", "-c", launcher,
             sys.executable, "-m", "consentkit.cli", "export", "--db", url, "--output", str(out)],
            env={**os.environ, "PYTHONPATH": str(ROOT)}, stderr=subprocess.DEVNULL, stdout=subprocess.PIPE,
            text=True, check=True,
        )
        elapsed = time.perf_counter() - started
        code, max_rss_kib = map(int, report.stdout.split())
        assert code == 0, f"export failed with status {code}"
        with open(out, "rb") as fh:
            lines = sum(1 for _ in fh)
    return max_rss_kib / 1024, elapsed, lines


def sqlite_visitor(k: int) -> str:
    return f"v{k:021d}"


def seed_sqlite(path: Path, total: int) -> float:
    """``total`` records over the two years before ``ledger_scale.END``, made in SQLite
    by a recursive CTE in a ledger the store created: the visitor index and the
    staging trigger are dropped for the load and made again after it, and the
    decisions are staged by one GROUP BY for the store's own fold to count."""
    started = time.perf_counter()
    visitors = total // RECORDS_PER_VISITOR
    step = ledger_scale.SPAN_US / 1e6 / total
    with sqlite3.connect(path, isolation_level=None) as conn:
        conn.execute("PRAGMA cache_size=-524288")
        conn.execute("PRAGMA synchronous=OFF")
        saved = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                             " OR name = 'consentkit_records_visitor'").fetchall()
        for name, sql in saved:
            conn.execute(f"DROP {sql.split()[1]} {name}")
        conn.execute("BEGIN")
        conn.execute(f"""
            INSERT INTO consentkit_records
            WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < {total - 1})
            SELECT printf('r%023d', n), printf('v%021d', n % {visitors}),
                   strftime('%Y-%m-%dT%H:%M:%f', '{ledger_scale.START:%Y-%m-%d}', '+' || (n * {step}) || ' seconds')
                       || '000Z',
                   CASE WHEN n < {total} / 2 THEN '2025-01-01' ELSE '2026-06-01' END,
                   CASE WHEN n % 10 < 4 THEN 'opt_in' ELSE 'opt_out' END,
                   CASE abs(random()) % 4 WHEN 0 THEN '{{"advertising":true,"analytics":true,"necessary":true}}'
                        WHEN 1 THEN '{{"advertising":false,"analytics":true,"necessary":true}}'
                        ELSE '{{"advertising":false,"analytics":false,"necessary":true}}' END,
                   CASE abs(random()) % 20 WHEN 0 THEN 'gpc' WHEN 1 THEN 'link' WHEN 2 THEN 'preferences'
                        ELSE 'banner' END,
                   abs(random()) % 13 = 0,
                   CASE abs(random()) % 20 WHEN 0 THEN 'under_13' WHEN 1 THEN '13_15' WHEN 2 THEN '16_plus'
                        ELSE 'unknown' END,
                   NULL, 'Chrome', '131', 'Windows', 'desktop', NULL, 'decision', '{{}}',
                   CASE n % 10 WHEN 0 THEN 'EU' WHEN 1 THEN 'EU' WHEN 2 THEN 'UK' WHEN 3 THEN 'BR'
                        WHEN 4 THEN 'US-CA' WHEN 5 THEN 'US-CA' ELSE 'US-CO' END
            FROM s""")
        conn.execute("INSERT INTO consentkit_daily_recent SELECT substr(at, 1, 10), policy_version, mode,"
                     " coalesce(region, ''), source, gpc, age_band, coalesce(parental_consent, ''), choices, count(*)"
                     " FROM consentkit_records GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9")
        conn.execute("COMMIT")
        for _, sql in saved:
            conn.execute(sql)
        conn.execute("ANALYZE")
    return time.perf_counter() - started


async def _open_close(store: Store) -> None:
    await store.open()
    await store.close()


async def sqlite_at_scale(scratch: Path, total: int) -> None:
    db = scratch / "scale.db"
    await _open_close(SqliteStore(db))  # the schema, made by the store
    seconds = seed_sqlite(db, total)
    store = SqliteStore(db)
    await store.open()
    started = time.perf_counter()
    await store.fold()
    print(f"SQLite      seeded {total:,} records (two years) in {seconds:.0f} s; their rollups folded in "
          f"{time.perf_counter() - started:.0f} s ({load()})")
    try:
        await lookups(store, sqlite_visitor, total // RECORDS_PER_VISITOR, f"SQLite      {total:>11,} records:")
        last = ledger_scale.END.date() - timedelta(days=1)

        async def raw(since: date, until: date) -> Any:
            def query(conn: sqlite3.Connection) -> Any:
                return conn.execute("SELECT substr(at, 1, 10), source, count(*) FROM consentkit_records"
                                    " WHERE at >= ? AND at < ? AND kind = 'decision' GROUP BY 1, 2",
                                    (since.isoformat(), until.isoformat())).fetchall()

            return await store._read(query)

        await console_queries(store, last, f"SQLite      {total:>11,} records:", raw)
    finally:
        await store.close()
    exports(f"sqlite:///{db}", ledger_scale.END.date() - timedelta(days=1), sqlite_visitor(7),
            f"SQLite      {total:>11,} records:")
    rss, seconds, lines = export_peak_rss_mb(f"sqlite:///{db}")
    assert lines == total, (lines, total)
    print(f"SQLite      consentkit export of all {lines:,} records: peak RSS {rss:.1f} MB in {seconds:.0f} s   "
          f"target < 100 MB  ratio {rss / 100:.2f}  {verdict(rss < 100)}")


async def postgres_at_scale(schema: str, total: int, drop_oldest: bool) -> None:
    from consentkit.ledger.postgres import PostgresStore

    store = PostgresStore(POSTGRES_URL, schema=schema, timeout=600)
    await store.open()
    label = f"PostgreSQL  {total:>11,} records:"
    try:
        await lookups(store, ledger_scale.visitor_id, total // RECORDS_PER_VISITOR, label + " as found,")
        megabytes = prewarm_keys(schema)
        await lookups(store, ledger_scale.visitor_id, total // RECORDS_PER_VISITOR,
                      f"{label} keys in the page cache ({megabytes:,} MB), rows not,")
        last = ledger_scale.END.date() - timedelta(days=1)

        async def raw(since: date, until: date) -> Any:
            async def work(conn: Any) -> Any:
                cur = await conn.execute(store._sql(
                    "SELECT (at AT TIME ZONE 'UTC')::date, source, count(*) FROM {records}"
                    " WHERE at >= %s AND at < %s AND kind = 'decision' GROUP BY 1, 2"),
                    (datetime.combine(since, datetime.min.time(), UTC), datetime.combine(until, datetime.min.time(), UTC)))
                return await cur.fetchall()

            return await store._run(work, timeout=600)

        await console_queries(store, last, label, raw)
        if drop_oldest:
            oldest = min(store._months)
            started = time.perf_counter()
            dropped = await store.purge(datetime.combine(
                date(oldest.year + (oldest.month == 12), oldest.month % 12 + 1, 1), datetime.min.time(), UTC))
            print(f"{label} retention: the oldest month ({dropped:,} records) dropped in "
                  f"{(time.perf_counter() - started) * 1000:.0f} ms (a DROP of its partition, no DELETE)")
    finally:
        await store.close()
    exports(f"{POSTGRES_URL}?schema={schema}", ledger_scale.END.date() - timedelta(days=1),
            ledger_scale.visitor_id(7), label)


def prewarm_keys(schema: str) -> int:
    """Read every partition's key index into the OS page cache (pg_prewarm), as a
    server sized for its ledger keeps them; the rows stay where they are. MB read."""
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE EXTENSION IF NOT EXISTS pg_prewarm SCHEMA "{schema}"')
        indexes = [name for (name,) in conn.execute(
            "SELECT i.indexrelid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND i.indisunique"
            " AND c.relname LIKE 'consentkit_records_p%%'", (schema,))]
        blocks = sum(conn.execute(f'SELECT "{schema}".pg_prewarm(%s::regclass, \'read\')', (name,)).fetchone()[0]
                     for name in indexes)
    return blocks * 8192 // 1_000_000


def drop_schema(schema: str) -> None:
    ledger_scale.drop(schema)


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001 - any failure means "skip PostgreSQL"
        return False


def schema_records(schema: str) -> int | None:
    import psycopg

    with psycopg.connect(POSTGRES_URL) as conn:
        found = conn.execute("SELECT to_regclass(%s)", (f'"{schema}".consentkit_records',)).fetchone()
        if not found or found[0] is None:
            return None
        row = conn.execute(f'SELECT sum(decisions) FROM "{schema}".consentkit_daily'
                           " WHERE grouping_id = 'minors'").fetchone()
        return int(row[0]) if row and row[0] is not None else 0


async def run(args: argparse.Namespace) -> None:
    random.seed(7)
    print(f"ledger benchmark: {WRITERS} concurrent writers, {args.appends:,} appends x {args.runs} runs (median); "
          f"{os.cpu_count()} CPUs, {load()} at start (figures scale down on a busy machine)")
    with tempfile.TemporaryDirectory() as scratch:
        if args.appends:
            await sqlite_appends(Path(scratch), args.appends, args.runs)
        if args.sqlite_records:
            await sqlite_at_scale(Path(scratch), args.sqlite_records)
    if args.no_postgres or not postgres_available():
        print("PostgreSQL  skipped (no server, or --no-postgres)")
        return
    if args.appends:
        await postgres_appends(args.appends, args.runs)
    if args.pg_schema is None and not args.pg_records:
        return
    schema, temporary = args.pg_schema, args.pg_schema is None
    if temporary:
        schema = f"ck_bench_{os.getpid()}_scale"
    try:
        total = schema_records(schema)
        if total is None:
            started = time.perf_counter()
            # (build() runs its own event loop: in a thread of its own, not inside this one)
            await asyncio.to_thread(ledger_scale.build, schema, args.pg_records, log=False)
            total = args.pg_records
            print(f"PostgreSQL  built {total:,} records with generate_series in {time.perf_counter() - started:.0f} s")
        await postgres_at_scale(schema, total, args.drop_oldest)
    finally:
        if temporary:
            drop_schema(schema)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--appends", type=int, default=20_000, help="appends timed per backend and mode (0: skip)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each append figure (the median is printed)")
    parser.add_argument("--sqlite-records", type=int, default=1_000_000, help="records in the SQLite ledger (0: skip)")
    parser.add_argument("--pg-schema", help="a ledger built by ledger_scale.py, kept (else one is built and dropped)")
    parser.add_argument("--pg-records", type=int, default=1_000_000,
                        help="records to build when no --pg-schema (0: no figures at scale)")
    parser.add_argument("--drop-oldest", action="store_true", help="time retention by dropping the oldest month")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
