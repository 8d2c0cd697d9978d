"""The SQLite store: durability under SIGKILL, schema management, a free event loop."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import consentkit
from consentkit.ledger import LedgerError
from consentkit.ledger.schema import SCHEMA_VERSION
from consentkit.ledger.sqlite import SqliteStore

pytestmark = pytest.mark.anyio

_WRITER = """
import asyncio, sys
from datetime import datetime, UTC
from consentkit.ledger.base import Record
from consentkit.ledger.sqlite import SqliteStore

async def main():
    store = SqliteStore(sys.argv[1])
    await store.open()
    async def writer(w):
        i = 0
        while True:
            rid = f"w{w}-{i}"
            await store.append(Record(rid, f"v{w}", datetime.now(UTC), "v1", "opt_out",
                                      {"necessary": True, "advertising": False}, "banner"))
            print(rid, flush=True)  # acknowledged: COMMIT has returned
            i += 1
    await asyncio.gather(*(writer(w) for w in range(8)))

asyncio.run(main())
"""


def _package_root() -> str:
    return str(Path(consentkit.__file__).resolve().parent.parent)


def test_sigkill_mid_stream_loses_no_acknowledged_record(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    env = {**os.environ, "PYTHONPATH": _package_root()}
    child = subprocess.Popen([sys.executable, "-c", _WRITER, str(db)], stdout=subprocess.PIPE, env=env, text=True)
    assert child.stdout is not None
    acknowledged: list[str] = []
    deadline = time.monotonic() + 60
    while len(acknowledged) < 3000 and time.monotonic() < deadline:
        line = child.stdout.readline()
        if not line:
            break
        acknowledged.append(line.strip())
    os.kill(child.pid, signal.SIGKILL)
    acknowledged.extend(line.strip() for line in child.stdout if line.strip())  # printed before it died
    child.wait()
    assert child.returncode == -signal.SIGKILL
    assert len(acknowledged) >= 3000, "the writer did not get going"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0] for row in conn.execute("SELECT receipt_id FROM consentkit_records")}
    missing = set(acknowledged) - stored
    assert not missing, f"{len(missing)} acknowledged records lost, e.g. {sorted(missing)[:3]}"


async def test_schema_is_created_once_in_wal_mode(tmp_path: Path, new_record: Any) -> None:
    db = tmp_path / "sub" / "ledger.db"
    for _ in range(2):  # a second open finds the schema and migrates nothing
        store = SqliteStore(db)
        await store.open()
        await store.append(new_record(receipt_id="same"))
        await store.close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT version FROM consentkit_schema_version").fetchall() == [(v,) for v in range(1, SCHEMA_VERSION + 1)]
        indexes = {row[1] for row in conn.execute("PRAGMA index_list(consentkit_records)")}
        assert "consentkit_records_visitor" in indexes
        assert conn.execute("SELECT COUNT(*) FROM consentkit_records").fetchone()[0] == 1
        plan = " ".join(str(r) for r in conn.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM consentkit_records WHERE visitor_id = ? ORDER BY at", ("v",)))
        assert "consentkit_records_visitor" in plan


async def test_a_schema_from_a_newer_consentkit_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE consentkit_schema_version (version INTEGER NOT NULL PRIMARY KEY)")
        conn.execute("INSERT INTO consentkit_schema_version VALUES (?)", (SCHEMA_VERSION + 1,))
    with pytest.raises(LedgerError, match="upgrade consentkit"):
        await SqliteStore(db).open()


async def test_an_unopenable_path_is_a_ledger_error(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    with pytest.raises(LedgerError, match="cannot open"):
        await SqliteStore(tmp_path / "a-file" / "ledger.db").open()


async def test_using_a_closed_store_is_a_ledger_error(tmp_path: Path, new_record: Any) -> None:
    store = SqliteStore(tmp_path / "ledger.db")
    with pytest.raises(LedgerError, match="not open"):
        await store.append(new_record())
    with pytest.raises(LedgerError, match="not open"):
        await store.for_visitor("v")


async def test_no_sql_runs_on_the_event_loop_thread(
    tmp_path: Path, new_record: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every statement is traced with the thread that ran it; the loop's thread must
    # never be one of them (a timing check would be flaky on a busy machine).
    threads: list[int] = []
    connect = SqliteStore._connect

    def traced(self: SqliteStore) -> sqlite3.Connection:
        conn = connect(self)
        conn.set_trace_callback(lambda _sql: threads.append(threading.get_ident()))
        return conn

    monkeypatch.setattr(SqliteStore, "_connect", traced)
    store = SqliteStore(tmp_path / "ledger.db")
    await store.open()
    for round_ in range(5):
        await asyncio.gather(*(store.append(new_record(f"v{i}")) for i in range(200)))
        assert len(await store.for_visitor(f"v{round_}")) == round_ + 1
    assert len([r async for r in store.iter_records()]) == 1000
    await store.erase_visitor("v1", [])
    await store.purge(new_record().at)
    await store.close()
    assert len(threads) > 20
    assert threading.get_ident() not in threads
