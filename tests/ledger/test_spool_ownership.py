"""A spool belongs to one store (issue 13, M3): a kit of another store started in
the same directory never replays (and so never deletes) its records."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from consentkit import ConsentKit
from consentkit.ledger import Ledger, LedgerError, MemoryStore, default_spool_dir, store_identity
from consentkit.ledger.codec import to_json
from tests.kits import SECRET, make_policy

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)
DOWN = "postgresql://postgres@127.0.0.1:1/consent"  # nothing listens on port 1


def test_each_store_gets_its_own_default_spool() -> None:
    dirs = {default_spool_dir(url) for url in (DOWN, DOWN + "?schema=a", "postgresql://postgres@127.0.0.1:2/consent",
                                               "memory://", "memory://")}
    assert len(dirs) == 5
    assert default_spool_dir(DOWN) == default_spool_dir("postgres://postgres:secret@127.0.0.1:1/consent")
    assert all("secret" not in str(d) for d in dirs)
    assert "secret" not in store_identity("postgresql://u:secret@h/db")


async def test_a_memory_kit_never_replays_a_postgres_kits_spooled_records(tmp_path: Path, monkeypatch: Any,
                                                                         new_record: Any) -> None:
    monkeypatch.chdir(tmp_path)
    pg = ConsentKit(make_policy(), secret_keys=[SECRET], store=DOWN)
    pg.ledger.timeout = 0.2
    await pg.startup()
    try:
        record = new_record()
        await pg.ledger.append(record)  # the store is down: spooled
        assert pg.ledger.spool.pending()
    finally:
        await pg.shutdown()
    spooled = list((tmp_path / ".consentkit").rglob("*.jsonl"))
    assert len(spooled) == 1
    test_kit = ConsentKit(make_policy(), secret_keys=[SECRET], store="memory://")
    await test_kit.startup()
    try:
        await test_kit.ledger.replay()
        await asyncio.sleep(0.1)
        assert [r async for r in test_kit.ledger.store.iter_records()] == []
    finally:
        await test_kit.shutdown()
    assert list((tmp_path / ".consentkit").rglob("*.jsonl")) == spooled  # still there for its own store
    assert record.receipt_id in spooled[0].read_text()


async def test_a_spool_dir_shared_by_two_stores_is_refused_by_the_second(tmp_path: Path, new_record: Any) -> None:
    first = Ledger(MemoryStore(), tmp_path / "spool", owner="store-a")
    first.spool.write([{"op": "append", "record": to_json(new_record())}])
    first.spool.seal()
    second = Ledger(MemoryStore(), tmp_path / "spool", owner="store-b", timeout=0.2)
    await second.start()
    try:
        assert await second.replay() == 0
        assert second.store.records == {}  # type: ignore[attr-defined]
        with pytest.raises(LedgerError, match="belongs to another store"):
            second.spool.write([{"op": "append", "record": to_json(new_record())}])
    finally:
        await second.stop()
    assert len(first.spool.files()) == 1
    # Its own store takes them.
    again = Ledger(MemoryStore(), tmp_path / "spool", owner="store-a", timeout=0.2)
    await again.start()
    try:
        deadline = time.monotonic() + 5
        while again.spool.files():
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
        assert len(again.store.records) == 1  # type: ignore[attr-defined]
    finally:
        await again.stop()
