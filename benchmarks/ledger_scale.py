"""Build a PostgreSQL ledger of N records (default 100 million) with
``generate_series``, a month partition at a time, for ``benchmarks/ledger.py``'s
measurements at scale. The build runs in the server: each month is filled as a plain
table, indexed, then attached, and the rollups are counted from the records at the
end (the scheduled mode's materialisation, timed). Its backend is reniced so that the
build yields the CPU to everyone else on the machine.

    nice -n 10 python benchmarks/ledger_scale.py --schema ck_bench_100m [--records 100000000]
    python benchmarks/ledger_scale.py --schema ck_bench_100m --drop

Resumable: months already attached are skipped. The records follow one fixed recipe
(``visitor_id(k)`` names visitor k; each has ``RECORDS_PER_VISITOR`` records spread
over the two years), so the benchmark can look up visitors it knows exist.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from consentkit.ledger.codec import COLUMN_LIST
from consentkit.ledger.partitions import months_between, next_month, partition_name

POSTGRES_URL = os.environ.get("CONSENTKIT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
RECORDS_PER_VISITOR = 5
# Two years of records, ending where the current month begins.
END = datetime(2026, 12, 1, tzinfo=UTC)
START = datetime(2024, 12, 1, tzinfo=UTC)
SPAN_US = int((END - START).total_seconds()) * 1_000_000


def visitor_id(k: int) -> str:
    return hashlib.md5(str(k).encode()).hexdigest()[:22]


def step_us(total: int) -> int:
    return SPAN_US // total


# One row per n; h and g are two independent pseudo-random non-negative ints.
_CHOICES = {
    "all": '{"advertising":true,"analytics":true,"functional":true,"necessary":true}',
    "none": '{"advertising":false,"analytics":false,"functional":false,"necessary":true}',
    "a": '{"advertising":false,"analytics":true,"functional":true,"necessary":true}',
    "b": '{"advertising":false,"analytics":true,"functional":false,"necessary":true}',
    "c": '{"advertising":false,"analytics":false,"functional":true,"necessary":true}',
    "d": '{"advertising":true,"analytics":true,"functional":false,"necessary":true}',
}
ROW_SQL = f"""
SELECT substr(md5('r' || n), 1, 24),
       substr(md5((n % %(visitors)s)::text), 1, 22),
       %(start)s::timestamptz + make_interval(secs => (n * %(step)s) / 1000000.0),
       CASE WHEN n < %(total)s / 2 THEN '2025-01-01' WHEN n < %(total)s * 4 / 5 THEN '2025-09-01'
            ELSE '2026-06-01' END,
       CASE WHEN region IN ('EU', 'UK', 'BR') THEN 'opt_in' ELSE 'opt_out' END,
       CASE WHEN g % 100 < 45 THEN '{_CHOICES["all"]}' WHEN g % 100 < 75 THEN '{_CHOICES["none"]}'
            WHEN g % 100 < 85 THEN '{_CHOICES["a"]}' WHEN g % 100 < 91 THEN '{_CHOICES["b"]}'
            WHEN g % 100 < 96 THEN '{_CHOICES["c"]}' ELSE '{_CHOICES["d"]}' END,
       source,
       source = 'gpc' OR h % 13 = 0,
       age_band,
       CASE WHEN age_band = 'under_13' THEN (ARRAY['granted', 'pending', 'denied'])[1 + (g / 100) % 3] END,
       (ARRAY['Chrome', 'Safari', 'Firefox', 'Edge'])[1 + (g / 1000) % 4], '131',
       (ARRAY['Windows', 'iOS', 'Android', 'macOS'])[1 + (g / 4000) % 4],
       (ARRAY['desktop', 'mobile', 'tablet'])[1 + (g / 16000) % 3],
       NULL, 'decision', '{{}}', region
FROM generate_series(%(lo)s::bigint, %(hi)s::bigint - 1) AS n
CROSS JOIN LATERAL (SELECT hashint8(n)::bigint & 2147483647 AS h, hashint8(-n - 1)::bigint & 2147483647 AS g) AS r
CROSS JOIN LATERAL (SELECT
    (ARRAY['EU', 'EU', 'EU', 'UK', 'US-CA', 'US-CA', 'US-CO', 'US-VA', 'BR', 'US-TX'])[1 + (h / 100) % 10] AS region,
    CASE WHEN h % 100 < 70 THEN 'banner' WHEN h % 100 < 85 THEN 'preferences' WHEN h % 100 < 90 THEN 'gpc'
         WHEN h % 100 < 95 THEN 'link' WHEN h % 100 < 98 THEN 'api' ELSE 'parent' END AS source,
    CASE WHEN (h / 1000) % 100 < 85 THEN 'unknown' WHEN (h / 1000) % 100 < 95 THEN '16_plus'
         WHEN (h / 1000) % 100 < 98 THEN '13_15' ELSE 'under_13' END AS age_band) AS d
"""


def _n_at(moment: datetime, total: int) -> int:
    """The first n whose record is at or after ``moment``."""
    offset = int((moment - START).total_seconds()) * 1_000_000
    return max(0, min(total, -(-offset // step_us(total))))


def build(schema: str, total: int, log: bool = True, rollups: bool = True) -> dict[str, float]:
    """Fill ``schema`` with ``total`` records (resumable); seconds per phase."""
    import psycopg
    from psycopg import sql

    from consentkit.ledger.postgres import PostgresStore

    async def create() -> None:
        store = PostgresStore(POSTGRES_URL, schema=schema)
        await store.open()
        await store.close()

    asyncio.run(create())
    times = {"fill": 0.0, "index": 0.0}
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]  # type: ignore[index]
        subprocess.run(["renice", "-n", "15", "-p", str(pid)], check=False, capture_output=True)
        conn.execute("SET work_mem = '256MB'")
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET synchronous_commit = off")
        records = sql.Identifier(schema, "consentkit_records")
        present = {row[0] for row in conn.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass",
            (f'"{schema}".consentkit_records',))}
        for month in months_between(START.date(), (END.date().replace(day=1) - (date(2000, 1, 2) - date(2000, 1, 1)))):
            name = partition_name(month)
            lo = _n_at(datetime.combine(month, datetime.min.time(), UTC), total)
            hi = _n_at(datetime.combine(next_month(month), datetime.min.time(), UTC), total)
            if name in present:
                # Attached by the store ahead of time (empty) or by an earlier run.
                count = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, name))).fetchone()
                if count and count[0] == hi - lo:
                    continue
                conn.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(schema, name)))
            part = sql.Identifier(schema, name)
            started = time.perf_counter()
            with conn.transaction():
                conn.execute(sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)").format(
                    part, records))
                insert = sql.SQL("INSERT INTO {} ({}) ").format(part, sql.SQL(COLUMN_LIST))
                conn.execute(insert + sql.SQL(ROW_SQL.replace(" % ", " %% ")), {
                    "visitors": total // RECORDS_PER_VISITOR, "start": START, "step": step_us(total),
                    "total": total, "lo": lo, "hi": hi})
            filled = time.perf_counter()
            lo_at = datetime.combine(month, datetime.min.time(), UTC)
            hi_at = datetime.combine(next_month(month), datetime.min.time(), UTC)
            with conn.transaction():
                # A key of the parent's shape: ATTACH adopts it instead of building another.
                conn.execute(sql.SQL("ALTER TABLE {} ADD PRIMARY KEY (visitor_id, at, receipt_id)").format(part))
                conn.execute(sql.SQL("CREATE INDEX ON {} USING brin (at)").format(part))
                # The bounds as a CHECK let ATTACH skip its scan of the rows.
                conn.execute(sql.SQL("ALTER TABLE {} ADD CONSTRAINT bounds CHECK (at >= {} AND at < {})").format(
                    part, sql.Literal(lo_at), sql.Literal(hi_at)))
                conn.execute(sql.SQL("ALTER TABLE {} ATTACH PARTITION {} FOR VALUES FROM ({}) TO ({})").format(
                    records, part, sql.Literal(lo_at), sql.Literal(hi_at)))
                conn.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT bounds").format(part))
            indexed = time.perf_counter()
            times["fill"] += filled - started
            times["index"] += indexed - filled
            if log:
                print(f"{name}: {hi - lo:,} records, fill {filled - started:.0f} s, index+attach "
                      f"{indexed - filled:.0f} s", flush=True)
        started = time.perf_counter()
        conn.execute(sql.SQL("ANALYZE {}").format(records))
        times["analyze"] = time.perf_counter() - started

    async def materialise() -> int:
        store = PostgresStore(POSTGRES_URL, schema=schema, timeout=3600)
        await store.open()
        try:
            return await store.refresh_rollups(START.date(), END.date())
        finally:
            await store.close()

    if not rollups:
        return times
    started = time.perf_counter()
    counted = asyncio.run(materialise())
    times["rollups"] = time.perf_counter() - started
    if log:
        print(f"rollups: {counted:,} decisions counted in {times['rollups']:.0f} s", flush=True)
    return times


def drop(schema: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schema", default="ck_bench_100m")
    parser.add_argument("--records", type=int, default=100_000_000)
    parser.add_argument("--drop", action="store_true", help="drop the schema and stop")
    parser.add_argument("--no-rollups", action="store_true", help="leave the rollups empty")
    args = parser.parse_args()
    if args.drop:
        drop(args.schema)
        return
    started = time.perf_counter()
    times = build(args.schema, args.records, rollups=not args.no_rollups)
    print(f"built {args.records:,} records in {time.perf_counter() - started:.0f} s: "
          + ", ".join(f"{k} {v:.0f} s" for k, v in times.items()), flush=True)


if __name__ == "__main__":
    main()
