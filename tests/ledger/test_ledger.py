"""``Ledger``: the spool in front of a store, replay, erasure and retention.

The "store down" cases use a real SQLite store whose directory cannot be created
until the test removes the file in its way.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from consentkit.ledger import Ledger, LedgerError, MemoryStore
from consentkit.ledger.codec import to_json
from consentkit.ledger.spool import Spool
from consentkit.ledger.sqlite import SqliteStore

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)


def _blocked_store(tmp_path: Path) -> tuple[SqliteStore, Path]:
    blocker = tmp_path / "db"
    blocker.write_text("in the way")
    return SqliteStore(blocker / "ledger.db"), blocker


async def _eventually(check: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.05)


def _ledger(store: Any, tmp_path: Path, **options: Any) -> Ledger:
    options.setdefault("timeout", 0.5)
    options.setdefault("retry_interval", 0.05)
    options.setdefault("clock", lambda: NOW)
    return Ledger(store, tmp_path / "spool", **options)


@pytest.mark.parametrize("days", [0, 365, 729, -1, True])
def test_retention_under_24_months_is_refused(tmp_path: Path, days: Any) -> None:
    with pytest.raises(LedgerError, match="730|whole number"):
        Ledger(MemoryStore(), tmp_path, retention_days=days)


def test_short_retention_needs_to_be_asked_for(tmp_path: Path) -> None:
    assert Ledger(MemoryStore(), tmp_path, retention_days=30, allow_short_retention=True).retention_days == 30
    assert Ledger(MemoryStore(), tmp_path, retention_days=3650).retention_days == 3650


async def test_a_store_down_at_start_spools_then_replays_once(tmp_path: Path, new_record: Any) -> None:
    store, blocker = _blocked_store(tmp_path)
    ledger = _ledger(store, tmp_path)
    await ledger.start()
    assert not ledger.healthy
    records = [new_record(f"v{i % 3}", NOW + timedelta(seconds=i)) for i in range(20)]
    started = time.perf_counter()
    await asyncio.gather(*(ledger.append(r) for r in records))
    assert time.perf_counter() - started < 2, "an append must not wait for a store known to be down"
    assert ledger.spool.pending()
    with pytest.raises(LedgerError):
        await ledger.for_visitor("v0")
    blocker.unlink()  # the store comes back
    await _eventually(lambda: _spool_empty_and_healthy(ledger))
    stored = [r async for r in ledger.iter_records()]
    assert sorted(r.receipt_id for r in stored) == sorted(r.receipt_id for r in records)
    assert await ledger.for_visitor("v1") == [r for r in records if r.visitor_id == "v1"]
    await ledger.stop()


async def _spool_empty_and_healthy(ledger: Ledger) -> bool:
    return ledger.healthy and not await asyncio.to_thread(ledger.spool.pending)


async def test_replay_skips_what_the_store_already_has(tmp_path: Path, new_record: Any) -> None:
    store = MemoryStore()
    record = new_record("v")
    await store.append(record)
    spool = Spool(tmp_path / "spool")
    spool.write([{"op": "append", "record": to_json(record)}, {"op": "append", "record": to_json(new_record("v"))}])
    spool.seal()
    ledger = _ledger(store, tmp_path)
    await ledger.start()
    await _eventually(lambda: _spool_empty_and_healthy(ledger))
    assert len(store.records) == 2
    await ledger.stop()


async def test_an_erasure_waits_behind_spooled_records(tmp_path: Path, new_record: Any) -> None:
    store, blocker = _blocked_store(tmp_path)
    ledger = _ledger(store, tmp_path)
    await ledger.start()
    before = [new_record("v", NOW + timedelta(seconds=i)) for i in range(3)]
    for record in before:
        await ledger.append(record)
    proof = new_record("v", NOW, kind="proof", choices={"advertising": False})
    assert await ledger.erase_visitor("v", [proof]) == 0  # deferred
    after = new_record("v", NOW + timedelta(minutes=5))
    await ledger.append(after)
    await ledger.append(new_record("w"))
    blocker.unlink()
    await _eventually(lambda: _spool_empty_and_healthy(ledger))
    assert [r.receipt_id for r in await ledger.for_visitor("v")] == [proof.receipt_id, after.receipt_id]
    assert len(await ledger.for_visitor("w")) == 1
    await ledger.stop()


async def test_erasure_goes_straight_to_a_healthy_store(tmp_path: Path, new_record: Any) -> None:
    ledger = _ledger(MemoryStore(), tmp_path)
    await ledger.start()
    await ledger.append(new_record("v"))
    await ledger.append(new_record("v"))
    assert await ledger.erase_visitor("v", []) == 2
    assert await ledger.for_visitor("v") == []
    await ledger.stop()


async def test_reads_include_records_still_waiting_in_the_spool(tmp_path: Path, new_record: Any) -> None:
    store = MemoryStore()
    stored, waiting = new_record("v", NOW), new_record("v", NOW + timedelta(seconds=1))
    await store.append(stored)
    busy = Spool(tmp_path / "spool")  # another process is still writing this file: no replay yet
    busy.write([{"op": "append", "record": to_json(waiting)}])
    ledger = _ledger(store, tmp_path)
    await ledger.start()
    await asyncio.sleep(0.2)
    assert busy.pending()
    assert await ledger.for_visitor("v") == [stored, waiting]
    busy.seal()
    await _eventually(lambda: _spool_empty_and_healthy(ledger))
    assert len(store.records) == 2
    await ledger.stop()


async def test_old_records_are_purged_at_start(tmp_path: Path, new_record: Any) -> None:
    store = MemoryStore()
    old = new_record("old", NOW - timedelta(days=731))
    kept = new_record("kept", NOW - timedelta(days=729))
    await store.append_many([old, kept])
    ledger = _ledger(store, tmp_path)
    await ledger.start()

    async def purged() -> bool:
        return old.receipt_id not in store.records

    await _eventually(purged)
    assert kept.receipt_id in store.records
    await ledger.stop()


async def test_a_cancelled_caller_does_not_cancel_the_write(tmp_path: Path, new_record: Any) -> None:
    store = SqliteStore(tmp_path / "ledger.db")
    ledger = _ledger(store, tmp_path)
    await ledger.start()
    record = new_record("v")
    task = asyncio.create_task(ledger.append(record))
    await asyncio.sleep(0)
    task.cancel()
    await ledger.stop()
    await store.open()
    assert await store.for_visitor("v") == [record]
    await store.close()


async def test_records_survive_a_restart_while_the_store_is_down(tmp_path: Path, new_record: Any) -> None:
    store, blocker = _blocked_store(tmp_path)
    first = _ledger(store, tmp_path)
    await first.start()
    record = new_record("v")
    await first.append(record)
    await first.stop()
    blocker.unlink()
    second = _ledger(SqliteStore(blocker / "ledger.db"), tmp_path)
    await second.start()
    await _eventually(lambda: _spool_empty_and_healthy(second))
    assert await second.for_visitor("v") == [record]
    await second.stop()


class _FlakyStore(MemoryStore):
    """A store (as a user might write one) whose appends fail with a bug-like error."""

    def __init__(self) -> None:
        super().__init__()
        self.broken = True

    async def append_many(self, records: Any) -> None:
        if self.broken:
            raise RuntimeError("a bug in a custom store")
        await super().append_many(records)


async def test_any_store_failure_spools_the_record(tmp_path: Path, new_record: Any) -> None:
    store = _FlakyStore()
    ledger = _ledger(store, tmp_path)
    await ledger.start()
    record = new_record("v")
    await ledger.append(record)  # does not raise: the spool has it
    assert ledger.spool.pending() and not store.records
    store.broken = False
    await _eventually(lambda: _spool_empty_and_healthy(ledger))
    assert list(store.records) == [record.receipt_id]
    await ledger.stop()
