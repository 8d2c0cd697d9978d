"""Fixtures for the ledger tests: a ``store`` over every backend, and PostgreSQL.

PostgreSQL comes from ``CONSENTKIT_TEST_POSTGRES_URL`` (default: the local ``test``
database). Each test gets its own schema, dropped afterwards. Without a server the
PostgreSQL cases skip, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from consentkit.ledger import MemoryStore, Record, Store

POSTGRES_URL = os.environ.get("CONSENTKIT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _postgres_reachable() -> str | None:
    """None if the server answers, else why not."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"no PostgreSQL at {POSTGRES_URL}: {exc}"
    return None


@pytest.fixture(scope="session")
def postgres_url() -> str:
    problem = _postgres_reachable()
    if problem is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{problem} (CI=true: the PostgreSQL tests must run)")
        pytest.skip(problem)
    return POSTGRES_URL


@pytest.fixture
def pg_schema(postgres_url: str) -> Iterator[str]:
    """A fresh schema name for one test, dropped with everything in it afterwards."""
    import psycopg

    name = f"ck_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    yield name
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """An open store of each backend, empty."""
    backend: Store
    if request.param == "memory":
        backend = MemoryStore()
    elif request.param == "sqlite":
        from consentkit.ledger.sqlite import SqliteStore

        backend = SqliteStore(tmp_path / "ledger.db")
    else:
        from consentkit.ledger.postgres import PostgresStore

        url = request.getfixturevalue("postgres_url")
        backend = PostgresStore(url, schema=request.getfixturevalue("pg_schema"))
    await backend.open()
    try:
        yield backend
    finally:
        await backend.close()


def make_record(
    visitor_id: str = "visitor-1",
    at: datetime | None = None,
    *,
    receipt_id: str | None = None,
    **changes: Any,
) -> Record:
    """A plausible decision record; ``changes`` override any field."""
    fields: dict[str, Any] = {
        "receipt_id": receipt_id or uuid.uuid4().hex,
        "visitor_id": visitor_id,
        "at": at or datetime(2026, 11, 27, 13, 0, tzinfo=UTC),
        "policy_version": "2026-11-01",
        "mode": "opt_out",
        "choices": {"necessary": True, "analytics": True, "advertising": False},
        "source": "banner",
        "gpc": False,
        "age_band": "16_plus",
        "browser": "Firefox",
        "browser_major": "128",
        "os": "Linux",
        "device": "desktop",
    }
    fields.update(changes)
    return Record(**fields)


@pytest.fixture
def new_record() -> Any:
    """``make_record``, for tests to build records with."""
    return make_record
