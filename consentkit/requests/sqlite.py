"""Requests in SQLite: the ledger's file (``sqlite:///consent.db``), a table of its own.

Requests are few and written one at a time, so one connection in WAL mode,
used from a worker thread under a lock, is enough; the ledger's group-committing
writer keeps its own connection to the same file (WAL lets both in, the busy
timeout orders their commits).
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from ..ledger.base import LedgerError
from ..ledger.codec import format_time
from .codec import COLUMNS, SUMMARY_COLUMNS, from_doc, summary, to_row
from .model import KNOW_TYPES, Conflict, PrivacyRequest, RequestError, RequestSummary
from .store import COUNTED, RequestStore, statuses

T = TypeVar("T")

SCHEMA = (
    ("CREATE TABLE IF NOT EXISTS consentkit_requests (id TEXT PRIMARY KEY, type TEXT NOT NULL,"
    " requester TEXT NOT NULL, status TEXT NOT NULL, received_at TEXT NOT NULL, acknowledge_by TEXT NOT NULL,"
    " due TEXT NOT NULL, extended INTEGER NOT NULL, subject TEXT NOT NULL, is_open INTEGER NOT NULL,"
    " version INTEGER NOT NULL, doc TEXT NOT NULL)"),
    # The open requests by deadline: a partial index (closed ones never slow the list) that
    # covers the list's columns, so a list never reads the rows (each carries its document).
    ("CREATE INDEX IF NOT EXISTS consentkit_requests_open_list ON consentkit_requests"
     " (due, received_at, id, type, requester, status, acknowledge_by, extended, is_open) WHERE is_open = 1"),
    "CREATE INDEX IF NOT EXISTS consentkit_requests_due ON consentkit_requests (status, due)",
    "CREATE INDEX IF NOT EXISTS consentkit_requests_subject ON consentkit_requests (subject, received_at)",
    "CREATE INDEX IF NOT EXISTS consentkit_requests_received ON consentkit_requests (received_at)",
)
_INSERT = f"INSERT INTO consentkit_requests ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)})"
_UPDATE = (
    "UPDATE consentkit_requests SET " + ", ".join(f"{c} = ?" for c in COLUMNS[1:]) + " WHERE id = ? AND version = ?"
)


class SqliteRequestStore(RequestStore):
    def __init__(self, path: str | Path, *, busy_timeout: float = 10.0) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SqliteRequestStore({str(self.path)!r})"

    async def open(self) -> None:
        if self._conn is None:
            self._conn = await asyncio.to_thread(self._connect)

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            for statement in SCHEMA:
                conn.execute(statement)
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot open the requests table in {self.path}: {exc}") from exc
        return conn

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await asyncio.to_thread(conn.close)

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        await self.open()

        def locked() -> T:
            conn = self._conn
            if conn is None:
                raise LedgerError("the requests store is closed")
            with self._lock:
                try:
                    return work(conn)
                except sqlite3.IntegrityError:
                    raise
                except sqlite3.Error as exc:
                    raise LedgerError(f"the requests store failed: {exc}") from exc

        return await asyncio.to_thread(locked)

    async def add(self, request: PrivacyRequest) -> PrivacyRequest:
        try:
            await self._run(lambda conn: conn.execute(_INSERT, to_row(request, 1)))
        except sqlite3.IntegrityError:
            raise RequestError("a request with this id exists", 409) from None
        return request.evolve(version=1)

    async def get(self, request_id: str) -> PrivacyRequest | None:
        row = await self._run(lambda conn: conn.execute(
            "SELECT doc, version FROM consentkit_requests WHERE id = ?", (request_id,)).fetchone())
        return from_doc(row[0], row[1]) if row else None

    async def replace(self, request: PrivacyRequest) -> PrivacyRequest:
        row = to_row(request, request.version + 1)
        changed = await self._run(lambda conn: conn.execute(_UPDATE, (*row[1:], request.id, request.version)).rowcount)
        if changed != 1:
            raise Conflict()
        return request.evolve(version=request.version + 1)

    async def find(self, *, status: str | Iterable[str] | None = "open", type: str | None = None,
                   due_before: date | None = None, limit: int = 100, offset: int = 0) -> list[RequestSummary]:
        where: list[str] = []
        args: list[Any] = []
        if status == "open":
            where.append("is_open = 1")
        else:
            wanted = statuses(status)
            if wanted is not None:
                where.append(f"status IN ({', '.join('?' for _ in wanted)})")
                args.extend(wanted)
        if type is not None:
            where.append("type = ?")
            args.append(type)
        if due_before is not None:
            where.append("due < ?")
            args.append(due_before.isoformat())
        sql = (f"SELECT {SUMMARY_COLUMNS} FROM consentkit_requests"
               f"{' WHERE ' + ' AND '.join(where) if where else ''} ORDER BY due, received_at, id LIMIT ? OFFSET ?")
        rows = await self._run(lambda conn: conn.execute(sql, (*args, limit, offset)).fetchall())
        return [summary(tuple(r)) for r in rows]

    async def count_known(self, subject: str, since: datetime) -> int:
        kinds, counted = sorted(KNOW_TYPES), COUNTED
        sql = ("SELECT count(*) FROM consentkit_requests WHERE subject = ? AND received_at >= ?"
               f" AND type IN ({', '.join('?' for _ in kinds)}) AND status IN ({', '.join('?' for _ in counted)})")
        row = await self._run(lambda conn: conn.execute(sql, (subject, format_time(since), *kinds, *counted))
                              .fetchone())
        return int(row[0])

    async def count_from(self, subject: str, since: datetime) -> int:
        row = await self._run(lambda conn: conn.execute(
            "SELECT count(*) FROM consentkit_requests WHERE subject = ? AND received_at >= ?",
            (subject, format_time(since))).fetchone())
        return int(row[0])

    async def received_between(self, since: datetime, until: datetime) -> list[PrivacyRequest]:
        rows = await self._run(lambda conn: conn.execute(
            "SELECT doc, version FROM consentkit_requests WHERE received_at >= ? AND received_at < ?"
            " ORDER BY received_at", (format_time(since), format_time(until))).fetchall())
        return [from_doc(doc, version) for doc, version in rows]


__all__ = ["SqliteRequestStore"]
