"""Fixtures for the ledger tests: a ``store`` over every backend (PostgreSQL's
fixtures come from ``tests/postgres.py``), and records to put in it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from consentkit.ledger import MemoryStore, Record, Store


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


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
