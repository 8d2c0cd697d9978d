"""The PostgreSQL store against the real server, and an outage cut by a real TCP
proxy between the store and the server."""

from __future__ import annotations

import asyncio
import builtins
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from consentkit.ledger import Ledger, LedgerError, open_store
from consentkit.ledger.postgres import PostgresStore, redact
from consentkit.ledger.schema import SCHEMA_VERSION
from tests.postgres import Proxy, through

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]

T0 = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)


async def test_outage_mid_stream_every_decision_lands_once(
    postgres_url: str, pg_schema: str, proxy: Proxy, tmp_path: Path, new_record: Any
) -> None:
    store = PostgresStore(through(postgres_url, proxy.port), schema=pg_schema, timeout=1.0)
    ledger = Ledger(store, tmp_path / "spool", timeout=0.5, retry_interval=0.1)
    await ledger.start()
    assert ledger.healthy
    records = [new_record(f"v{i % 40}", T0 + timedelta(milliseconds=i)) for i in range(600)]
    acknowledged: list[str] = []
    slowest = 0.0

    async def writer(mine: list[Any]) -> None:
        nonlocal slowest
        for record in mine:
            started = time.perf_counter()
            await ledger.append(record)
            slowest = max(slowest, time.perf_counter() - started)
            acknowledged.append(record.receipt_id)
            await asyncio.sleep(0.001)

    async def saboteur() -> None:
        while len(acknowledged) < 150:
            await asyncio.sleep(0.005)
        proxy.cut()
        while len(acknowledged) < 400:
            await asyncio.sleep(0.005)
        assert ledger.spool.pending(), "appends during the outage must go to the spool"
        proxy.restore()

    await asyncio.gather(saboteur(), *(writer(records[w::16]) for w in range(16)))
    assert slowest < 3.0, f"an append waited {slowest:.1f} s"
    deadline = time.monotonic() + 30
    while ledger.spool.pending() or not ledger.healthy:
        assert time.monotonic() < deadline, "the spool was not replayed"
        await asyncio.sleep(0.1)
    await ledger.stop()

    direct = PostgresStore(postgres_url, schema=pg_schema)
    await direct.open()
    stored = [r.receipt_id async for r in direct.iter_records()]
    await direct.close()
    assert len(stored) == len(records) == len(set(stored))
    assert set(stored) == {r.receipt_id for r in records}


async def test_a_server_down_at_open_is_a_ledger_error_without_the_password(proxy: Proxy, postgres_url: str) -> None:
    proxy.cut()
    url = through(postgres_url, proxy.port).replace("postgres@", "postgres:s3cret@", 1)
    with pytest.raises(LedgerError) as caught:
        await PostgresStore(url, timeout=0.5).open()
    assert "s3cret" not in str(caught.value)


async def test_an_open_cancelled_by_a_timeout_leaves_no_pool_behind(proxy: Proxy, postgres_url: str) -> None:
    proxy.cut()
    before = asyncio.all_tasks()
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.3):
            await PostgresStore(through(postgres_url, proxy.port), timeout=5.0).open()
    await asyncio.sleep(0.2)
    assert asyncio.all_tasks() - before == set(), "the pool's workers are still reconnecting"


async def test_schema_is_created_and_versioned(postgres_url: str, pg_schema: str, new_record: Any) -> None:
    import psycopg

    for _ in range(2):
        store = PostgresStore(postgres_url, schema=pg_schema)
        await store.open()
        await store.append(new_record(receipt_id="same"))
        await store.close()
    with psycopg.connect(postgres_url) as conn:
        versions = conn.execute(f'SELECT version FROM "{pg_schema}".consentkit_schema_version').fetchall()
        assert versions == [(v,) for v in range(1, SCHEMA_VERSION + 1)]
        indexes = {row[0] for row in conn.execute("SELECT indexname FROM pg_indexes WHERE schemaname = %s",
                                                  (pg_schema,))}
        assert {"consentkit_records_key", "consentkit_records_at_brin", "consentkit_daily_key"} <= indexes


async def test_concurrent_first_opens_migrate_once(postgres_url: str, pg_schema: str) -> None:
    stores = [PostgresStore(postgres_url, schema=pg_schema) for _ in range(4)]
    await asyncio.gather(*(s.open() for s in stores))
    await asyncio.gather(*(s.close() for s in stores))


def test_the_schema_comes_from_the_url(postgres_url: str) -> None:
    store = open_store(postgres_url + "?schema=tenant_a&application_name=ck")
    assert isinstance(store, PostgresStore)
    assert store.schema == "tenant_a" and "schema=" not in store.url and "application_name=ck" in store.url
    with pytest.raises(LedgerError, match="schema name"):
        PostgresStore(postgres_url, schema='x"; DROP TABLE y; --')


def test_without_psycopg_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_psycopg(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("psycopg"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_psycopg)
    with pytest.raises(LedgerError, match=r"consentkit\[postgres\]"):
        PostgresStore("postgresql://localhost/db")


def test_redact_hides_the_password() -> None:
    assert redact("postgresql://u:pw@h:5432/db") == "postgresql://u:***@h:5432/db"
    assert redact("postgresql://u@h/db") == "postgresql://u@h/db"
