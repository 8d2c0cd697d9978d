"""Fixtures for the privacy requests: a request store over every backend, and a
kit (on the movable clock) whose code messages the tests read from the outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from consentkit import ConsentKit
from consentkit.requests import MemoryRequestStore, RequestStore


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def request_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[RequestStore]:
    """An open, empty request store of each backend."""
    backend: RequestStore
    if request.param == "memory":
        backend = MemoryRequestStore()
    elif request.param == "sqlite":
        from consentkit.requests.sqlite import SqliteRequestStore

        backend = SqliteRequestStore(tmp_path / "consent.db")
    else:
        from consentkit.requests.postgres import PostgresRequestStore

        backend = PostgresRequestStore(request.getfixturevalue("postgres_url"),
                                       schema=request.getfixturevalue("pg_schema"))
    await backend.open()
    try:
        yield backend
    finally:
        await backend.close()


@pytest.fixture
async def kit(make_kit: Callable[..., ConsentKit]) -> AsyncIterator[ConsentKit]:
    made = make_kit()
    await made.startup()
    try:
        yield made
    finally:
        await made.shutdown()
