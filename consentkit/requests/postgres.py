"""Requests in PostgreSQL: the ledger's database (and its ``schema``), a table of its
own, through the same kind of connection pool as the ledger (``connection_pool``).

Times and dates are kept as fixed-width text, as the other stores keep them, so
that every backend orders and compares them alike.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from ..ledger.base import LedgerError
from ..ledger.codec import format_time
from ..ledger.postgres import _psycopg, connection_pool, redact
from .codec import COLUMNS, SUMMARY_COLUMNS, from_doc, summary, to_row
from .model import KNOW_TYPES, Conflict, PrivacyRequest, RequestError, RequestSummary
from .store import COUNTED, RequestStore, statuses

if TYPE_CHECKING:
    from psycopg import AsyncConnection
    from psycopg_pool import AsyncConnectionPool

T = TypeVar("T")

_SCHEMA = (
    ("CREATE TABLE IF NOT EXISTS {table} (id TEXT PRIMARY KEY, type TEXT NOT NULL, requester TEXT NOT NULL,"
    " status TEXT NOT NULL, received_at TEXT NOT NULL, acknowledge_by TEXT NOT NULL, due TEXT NOT NULL,"
    " extended BOOLEAN NOT NULL, subject TEXT NOT NULL, is_open BOOLEAN NOT NULL, version INTEGER NOT NULL,"
    " doc TEXT NOT NULL)"),
    # Covering the list's columns: an index-only scan never reads the rows (each carries its document).
    ("CREATE INDEX IF NOT EXISTS {open_list_index} ON {table} (due, received_at, id)"
    " INCLUDE (type, requester, status, acknowledge_by, extended) WHERE is_open"),
    "CREATE INDEX IF NOT EXISTS {due_index} ON {table} (status, due)",
    "CREATE INDEX IF NOT EXISTS {subject_index} ON {table} (subject, received_at)",
    "CREATE INDEX IF NOT EXISTS {received_index} ON {table} (received_at)",
)
_INSERT = f"INSERT INTO {{table}} ({', '.join(COLUMNS)}) VALUES ({', '.join('%s' for _ in COLUMNS)})"
_UPDATE = "UPDATE {table} SET " + ", ".join(f"{c} = %s" for c in COLUMNS[1:]) + " WHERE id = %s AND version = %s"


class PostgresRequestStore(RequestStore):
    def __init__(self, url: str, *, schema: str | None = None, max_size: int = 4, timeout: float = 5.0) -> None:
        self._psycopg = _psycopg()
        self.url, self.schema, self.max_size, self.timeout = url, schema, max_size, timeout
        self._pool: AsyncConnectionPool[Any] | None = None
        self._lock = asyncio.Lock()
        sql = self._psycopg.sql
        self._names = {
            "table": sql.Identifier(schema, "consentkit_requests") if schema else sql.Identifier("consentkit_requests"),
            **{f"{n}_index": sql.Identifier(f"consentkit_requests_{n}") for n in ("open_list", "due", "subject",
                                                                                  "received")},
        }

    def __repr__(self) -> str:
        return f"PostgresRequestStore({redact(self.url)!r}, schema={self.schema!r})"

    def _sql(self, text: str) -> Any:
        return self._psycopg.sql.SQL(text).format(**self._names)

    async def open(self) -> None:
        async with self._lock:
            if self._pool is not None:
                return
            pool = connection_pool(self.url, min_size=1, max_size=self.max_size, timeout=self.timeout,
                                   name="consentkit-requests")
            try:
                await pool.open(wait=True, timeout=self.timeout)
                async with pool.connection() as conn, conn.transaction():
                    if self.schema:
                        await conn.execute(self._psycopg.sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                            self._psycopg.sql.Identifier(self.schema)))
                    for statement in _SCHEMA:
                        await conn.execute(self._sql(statement))
            except BaseException as exc:
                await pool.close()
                if not isinstance(exc, Exception):
                    raise
                raise LedgerError(f"cannot open the requests table at {redact(self.url)}: {exc}") from exc
            self._pool = pool

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    async def _run(self, work: Callable[[AsyncConnection[Any]], Awaitable[T]]) -> T:
        if self._pool is None:
            await self.open()
        assert self._pool is not None
        try:
            async with asyncio.timeout(self.timeout), self._pool.connection() as conn:
                return await work(conn)
        except self._psycopg.IntegrityError:
            raise
        except (self._psycopg.Error, TimeoutError) as exc:
            raise LedgerError(f"the requests store at {redact(self.url)} failed: {exc or 'timed out'}") from exc

    async def _fetch(self, query: str, args: Iterable[Any]) -> list[tuple[Any, ...]]:
        statement = self._sql(query)

        async def work(conn: AsyncConnection[Any]) -> list[tuple[Any, ...]]:
            cur = await conn.execute(statement, tuple(args))
            return list(await cur.fetchall())

        return await self._run(work)

    async def add(self, request: PrivacyRequest) -> PrivacyRequest:
        statement = self._sql(_INSERT)

        async def work(conn: AsyncConnection[Any]) -> None:
            await conn.execute(statement, to_row(request, 1))

        try:
            await self._run(work)
        except self._psycopg.IntegrityError:
            raise RequestError("a request with this id exists", 409) from None
        return request.evolve(version=1)

    async def get(self, request_id: str) -> PrivacyRequest | None:
        rows = await self._fetch("SELECT doc, version FROM {table} WHERE id = %s", (request_id,))
        return from_doc(rows[0][0], rows[0][1]) if rows else None

    async def replace(self, request: PrivacyRequest) -> PrivacyRequest:
        row = to_row(request, request.version + 1)
        statement = self._sql(_UPDATE)

        async def work(conn: AsyncConnection[Any]) -> int:
            cur = await conn.execute(statement, (*row[1:], request.id, request.version))
            return int(cur.rowcount)

        if await self._run(work) != 1:
            raise Conflict()
        return request.evolve(version=request.version + 1)

    async def find(self, *, status: str | Iterable[str] | None = "open", type: str | None = None,
                   due_before: date | None = None, limit: int = 100, offset: int = 0) -> list[RequestSummary]:
        where: list[str] = []
        args: list[Any] = []
        if status == "open":
            where.append("is_open")
        else:
            wanted = statuses(status)
            if wanted is not None:
                where.append("status = ANY(%s)")
                args.append(list(wanted))
        if type is not None:
            where.append("type = %s")
            args.append(type)
        if due_before is not None:
            where.append("due < %s")
            args.append(due_before.isoformat())
        query = (f"SELECT {SUMMARY_COLUMNS} FROM {{table}}{' WHERE ' + ' AND '.join(where) if where else ''}"
                 " ORDER BY due, received_at, id LIMIT %s OFFSET %s")
        return [summary(r) for r in await self._fetch(query, (*args, limit, offset))]

    async def count_known(self, subject: str, since: datetime) -> int:
        rows = await self._fetch(
            "SELECT count(*) FROM {table} WHERE subject = %s AND received_at >= %s AND type = ANY(%s)"
            " AND status = ANY(%s)", (subject, format_time(since), sorted(KNOW_TYPES), list(COUNTED)))
        return int(rows[0][0])

    async def count_from(self, subject: str, since: datetime) -> int:
        rows = await self._fetch("SELECT count(*) FROM {table} WHERE subject = %s AND received_at >= %s",
                                 (subject, format_time(since)))
        return int(rows[0][0])

    async def received_between(self, since: datetime, until: datetime) -> list[PrivacyRequest]:
        rows = await self._fetch("SELECT doc, version FROM {table} WHERE received_at >= %s AND received_at < %s"
                                 " ORDER BY received_at", (format_time(since), format_time(until)))
        return [from_doc(doc, version) for doc, version in rows]


__all__ = ["PostgresRequestStore"]
