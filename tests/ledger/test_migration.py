"""A ledger made by the previous release (schema version 1: one plain table) is
migrated on open, on PostgreSQL and on SQLite, keeping every record.

The version 1 schema is written out here as that release created it, rather than
taken from ``schema.py``, so that an edit there cannot quietly change what "a
ledger of version 1" means to this test.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from consentkit.ledger import Record, Store
from consentkit.ledger.codec import format_time, to_row
from consentkit.ledger.schema import SCHEMA_VERSION

pytestmark = pytest.mark.anyio

V1_COLUMNS = (
    "receipt_id, visitor_id, at, policy_version, mode, choices, source, gpc, age_band, parental_consent, browser,"
    " browser_major, os, device, verification, kind, extra"
)
V1_SCHEMA = (
    "CREATE TABLE consentkit_schema_version (version INTEGER NOT NULL PRIMARY KEY)",
    (
        "CREATE TABLE consentkit_records ("
        " receipt_id TEXT NOT NULL PRIMARY KEY, visitor_id TEXT NOT NULL, at {time} NOT NULL,"
        " policy_version TEXT NOT NULL, mode TEXT NOT NULL, choices TEXT NOT NULL, source TEXT NOT NULL,"
        " gpc BOOLEAN NOT NULL, age_band TEXT NOT NULL, parental_consent TEXT, browser TEXT NOT NULL,"
        " browser_major TEXT NOT NULL, os TEXT NOT NULL, device TEXT NOT NULL, verification TEXT,"
        " kind TEXT NOT NULL, extra TEXT NOT NULL)"
    ),
    "CREATE INDEX consentkit_records_visitor ON consentkit_records (visitor_id, at, receipt_id)",
    "CREATE INDEX consentkit_records_at ON consentkit_records (at, receipt_id)",
    "INSERT INTO consentkit_schema_version (version) VALUES (1)",
)
T0 = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)


def old_records(new_record: Any) -> list[Record]:
    """Records of the previous release (no region) over five months, and a proof."""
    rng = random.Random(11)
    records = [
        new_record(f"v{i % 23}", T0 - timedelta(days=rng.randrange(150), seconds=rng.randrange(86400)),
                   source=rng.choice(["banner", "gpc", "link"]), gpc=rng.random() < 0.3,
                   choices=rng.choice([{"necessary": True, "ads": True}, {"necessary": True, "ads": False}]))
        for i in range(400)
    ]
    return [*records, new_record("v-gone", T0 - timedelta(days=3), kind="proof", choices={"ads": False})]


def v1_row(record: Record, at: Any) -> tuple[Any, ...]:
    return to_row(record, at)[:17]  # the columns of version 1


async def check_migrated(store: Store, records: list[Record]) -> None:
    streamed = [r async for r in store.iter_records()]
    assert sorted(r.receipt_id for r in streamed) == sorted(r.receipt_id for r in records)
    assert {r.receipt_id: r for r in streamed} == {r.receipt_id: r for r in records}
    assert await store.for_visitor("v7") == sorted((r for r in records if r.visitor_id == "v7"),
                                                   key=lambda r: (r.at, r.receipt_id))
    # The rollups were counted from the records the old ledger held.
    since, until = date(2026, 1, 1), date(2027, 1, 1)
    expected = Counter((r.at.date(), r.source) for r in records if r.kind == "decision")
    got = {(c.day, c.values[0]): c.decisions for c in await store.daily_counts(since, until, by=("source",))}
    assert got == dict(expected)
    # And appends of the new release go on beside them.
    await store.append(records[0])  # a replay of an old record changes nothing
    assert await store.count() == len(records)


@pytest.mark.postgres
async def test_a_postgres_ledger_of_version_1_is_partitioned_keeping_every_record(
    postgres_url: str, pg_schema: str, new_record: Any
) -> None:
    import psycopg

    from consentkit.ledger.postgres import PostgresStore

    records = old_records(new_record)
    with psycopg.connect(postgres_url) as conn:
        conn.execute(f'CREATE SCHEMA "{pg_schema}"')
        conn.execute(f'SET search_path TO "{pg_schema}"')
        for statement in V1_SCHEMA:
            conn.execute(statement.replace("{time}", "TIMESTAMPTZ"))  # type: ignore[arg-type]
        with conn.cursor() as cur, cur.copy(f"COPY consentkit_records ({V1_COLUMNS}) FROM STDIN") as copy:
            for record in records:
                copy.write_row(v1_row(record, record.at))
    # Three instances start at once: one migrates, the others wait for it and retry.
    stores = [PostgresStore(postgres_url, schema=pg_schema) for _ in range(3)]
    await asyncio.gather(*(s.open() for s in stores))
    try:
        await check_migrated(stores[0], records)
    finally:
        await asyncio.gather(*(s.close() for s in stores))
    with psycopg.connect(postgres_url) as conn:
        versions = conn.execute(f'SELECT version FROM "{pg_schema}".consentkit_schema_version ORDER BY 1').fetchall()
        assert versions == [(v,) for v in range(1, SCHEMA_VERSION + 1)]
        kind = conn.execute("SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                            " WHERE n.nspname = %s AND c.relname = 'consentkit_records'", (pg_schema,)).fetchone()
        assert kind == ("p",)  # partitioned
        tables = {name for (name,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s",
                                                    (pg_schema,))}
        months = {r.at.strftime("consentkit_records_p%Y_%m") for r in records}
        assert months <= tables and "consentkit_records_v1" not in tables


async def test_a_sqlite_ledger_of_version_1_gains_rollups_keeping_every_record(
    tmp_path: Path, new_record: Any
) -> None:
    from consentkit.ledger.sqlite import SqliteStore

    records = old_records(new_record)
    db = tmp_path / "v1.db"
    with sqlite3.connect(db) as conn:
        for statement in V1_SCHEMA:
            conn.execute(statement.replace("{time}", "TEXT"))
        conn.executemany(f"INSERT INTO consentkit_records ({V1_COLUMNS}) VALUES ({', '.join('?' * 17)})",
                         [v1_row(r, format_time(r.at)) for r in records])
    store = SqliteStore(db)
    await store.open()
    try:
        await check_migrated(store, records)
    finally:
        await store.close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT version FROM consentkit_schema_version ORDER BY 1").fetchall() == [
            (v,) for v in range(1, SCHEMA_VERSION + 1)]
