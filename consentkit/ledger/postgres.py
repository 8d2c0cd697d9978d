"""The ledger store for several app instances: PostgreSQL through psycopg 3 (async)
and psycopg_pool, installed with ``pip install 'consentkit[postgres]'``.

Appends are group-committed like on SQLite: callers queue their rows, a few writer
tasks each take everything waiting and insert it with one statement (``INSERT ...
SELECT FROM unnest(<one array per column>)``: one round trip, one transaction), and
a caller's append returns only after it committed. The SQL keeps to what
PostgreSQL-compatible distributed engines (CockroachDB, YugabyteDB) also run: plain
tables and indexes, TEXT rather than JSONB (the ledger never queries inside
choices), ``ON CONFLICT DO NOTHING`` for idempotency, multi-array ``unnest``, no
advisory locks (concurrent migrations retry instead), no triggers, no sequences.
The export's server-side cursor (``DECLARE``) is the one feature some of them
restrict; it is what keeps an export of millions of rows in constant memory.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from .base import LedgerError, Record, Store
from .codec import COLUMN_LIST, COLUMNS, Row, from_row, to_row, utc
from .schema import SCHEMA_VERSION, migration, newer_schema_message

if TYPE_CHECKING:
    from psycopg import AsyncConnection
    from psycopg.sql import Composed
    from psycopg_pool import AsyncConnectionPool

T = TypeVar("T")

# Rows in one INSERT; larger batches (a spool replay) take several, in one transaction.
_ROWS_PER_STATEMENT = 5000
_ARRAY_TYPES = {"at": "timestamptz", "gpc": "boolean"}
_SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def _psycopg() -> Any:
    try:
        import psycopg
        import psycopg_pool  # noqa: F401
    except ImportError:
        raise LedgerError(
            "the PostgreSQL ledger needs psycopg 3 and psycopg_pool: pip install 'consentkit[postgres]'"
        ) from None
    return psycopg


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)


@dataclass(slots=True)
class _Pending:
    rows: list[Row]
    future: asyncio.Future[None]


class PostgresStore(Store):
    """A ledger in PostgreSQL (``postgresql://user@host/db``).

    ``schema``: put the tables in this schema (created if missing) instead of the
    connection's default; each test run uses its own. ``writers``: how many
    transactions may commit at once. ``timeout``: seconds to wait for a connection
    or a statement before the store counts as down.
    """

    def __init__(
        self,
        url: str,
        *,
        schema: str | None = None,
        min_size: int = 1,
        max_size: int = 8,
        writers: int = 2,
        max_batch: int = 1000,
        timeout: float = 5.0,
    ) -> None:
        self._psycopg = _psycopg()
        if schema is not None and not _SCHEMA_NAME.match(schema):
            raise LedgerError(f"schema name {schema!r} is not valid: use letters, digits and '_'")
        self.url = url
        self.schema = schema
        self.min_size, self.max_size = min_size, max(max_size, writers + 1)
        self.writers, self.max_batch, self.timeout = writers, max_batch, timeout
        self._pool: AsyncConnectionPool[Any] | None = None
        self._queue: asyncio.Queue[_Pending | None] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        sql = self._psycopg.sql
        records = sql.Identifier(schema, "consentkit_records") if schema else sql.Identifier("consentkit_records")
        version = (
            sql.Identifier(schema, "consentkit_schema_version") if schema else sql.Identifier("consentkit_schema_version")
        )
        self._names = {"records": records, "version": version}
        # A batch is one short statement with one array per column: one round trip
        # and one transaction on an autocommit connection, and its text never
        # changes, so psycopg caches and prepares it (a multi-row VALUES list of
        # hundreds of parameters would be parsed again on every batch).
        arrays = ", ".join(f"%b::{_ARRAY_TYPES.get(c, 'text')}[]" for c in COLUMNS)  # binary: no quoting
        self._insert = self._sql(
            f"INSERT INTO {{records}} ({COLUMN_LIST}) SELECT * FROM unnest({arrays})"
            " ON CONFLICT (receipt_id) DO NOTHING"
        )
        self._select = f"SELECT {COLUMN_LIST} FROM {{records}}"

    def __repr__(self) -> str:
        return f"PostgresStore({redact(self.url)!r}, schema={self.schema!r})"

    def _sql(self, text: str) -> Composed:
        return self._psycopg.sql.SQL(text).format(**self._names)  # type: ignore[no-any-return]

    @staticmethod
    def _columns(rows: Sequence[Row]) -> list[list[Any]]:
        """The rows turned into one array per column, for ``unnest``."""
        return [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in COLUMNS]

    # -- lifecycle -------------------------------------------------------------

    async def open(self) -> None:
        if self._pool is not None:
            return
        from psycopg_pool import AsyncConnectionPool

        pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
            self.url, min_size=self.min_size, max_size=self.max_size, open=False, timeout=self.timeout,
            # Keepalives notice a silently dead server; the pool then replaces the connection.
            # autocommit: a read is one round trip, a batch insert one statement;
            # anything needing more than one statement opens a transaction itself.
            kwargs={"autocommit": True, "connect_timeout": max(1, int(self.timeout)), "keepalives": 1,
                    "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3},
            name="consentkit-ledger",
        )
        try:
            await pool.open(wait=True, timeout=self.timeout)
            async with pool.connection() as conn:
                await self._migrate(conn)
        except BaseException as exc:
            # Also when cancelled (a caller's timeout): a pool left open would keep
            # reconnecting in the background forever.
            await pool.close()
            if isinstance(exc, LedgerError) or not isinstance(exc, Exception):
                raise
            raise LedgerError(f"cannot open the ledger at {redact(self.url)}: {exc}") from exc
        self._pool = pool
        self._queue = asyncio.Queue()
        self._tasks = [asyncio.create_task(self._write_loop(), name=f"consentkit-pg-writer-{i}") for i in range(self.writers)]

    async def _migrate(self, conn: AsyncConnection[Any]) -> None:
        errors = self._psycopg.errors
        for attempt in range(5):
            try:
                async with conn.transaction():
                    if self.schema:
                        await conn.execute(self._psycopg.sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                            self._psycopg.sql.Identifier(self.schema)))
                    await conn.execute(self._sql(
                        "CREATE TABLE IF NOT EXISTS {version} (version INTEGER NOT NULL PRIMARY KEY)"))
                    cur = await conn.execute(self._sql("SELECT MAX(version) FROM {version}"))
                    row = await cur.fetchone()
                    current = (row[0] if row else 0) or 0
                    if current > SCHEMA_VERSION:
                        raise LedgerError(newer_schema_message(current))
                    for version in range(current + 1, SCHEMA_VERSION + 1):
                        for statement in migration(version, "postgres"):
                            await conn.execute(self._sql(statement))
                        await conn.execute(self._sql("INSERT INTO {version} (version) VALUES (%s)"), (version,))
                return
            except (errors.UniqueViolation, errors.DuplicateTable, errors.DuplicateObject,
                    errors.DuplicateSchema, errors.SerializationFailure):
                # Another instance is migrating at the same moment (there is no portable
                # lock for this): let it finish, then look at the version again.
                await asyncio.sleep(0.2 * (attempt + 1))
        raise LedgerError("could not migrate the ledger schema: other instances kept migrating it at the same time")

    async def close(self) -> None:
        pool, tasks = self._pool, self._tasks
        self._pool, self._tasks = None, []
        for _ in tasks:
            self._queue.put_nowait(None)  # each writer finishes what is queued, then stops
        await asyncio.gather(*tasks, return_exceptions=True)
        if pool is not None:
            await pool.close()

    # -- group commit ----------------------------------------------------------

    async def _write_loop(self) -> None:
        while True:
            first = await self._queue.get()
            if first is None:
                return
            batch, size, stopping = [first], len(first.rows), False
            while size < self.max_batch and not self._queue.empty():
                item = self._queue.get_nowait()
                if item is None:
                    stopping = True
                    break
                batch.append(item)
                size += len(item.rows)
            await self._commit(batch)
            if stopping:
                return

    async def _commit(self, batch: list[_Pending]) -> None:
        errors = self._psycopg.errors
        rows = [row for item in batch for row in item.rows]
        error: BaseException | None = None
        for attempt in range(3):
            try:
                await self._run(lambda conn: self._insert_rows(conn, rows))
                error = None
                break
            except LedgerError as exc:
                error = exc
                cause = exc.__cause__
                if isinstance(cause, errors.SerializationFailure):
                    continue  # distributed engines ask the client to retry
                if isinstance(cause, self._psycopg.DataError | self._psycopg.IntegrityError) and len(batch) > 1:
                    for item in batch:  # one bad record must not fail its neighbours
                        await self._commit([item])
                    return
                break
        for item in batch:
            _settle(item.future, error)
        if error is not None:
            # The server is unreachable: whatever else waits would fail the same way
            # after its own timeout, so answer it now.
            while not self._queue.empty():
                waiting = self._queue.get_nowait()
                if waiting is None:
                    self._queue.put_nowait(None)
                    break
                _settle(waiting.future, error)

    async def _insert_rows(self, conn: AsyncConnection[Any], rows: list[Row]) -> None:
        chunks = [rows[i:i + _ROWS_PER_STATEMENT] for i in range(0, len(rows), _ROWS_PER_STATEMENT)]
        if len(chunks) == 1:
            await conn.execute(self._insert, self._columns(rows))
            return
        async with conn.transaction():
            for chunk in chunks:
                await conn.execute(self._insert, self._columns(chunk))

    async def _run(self, work: Callable[[AsyncConnection[Any]], Awaitable[T]], *, retry: bool = False) -> T:
        """Run ``work`` on a pooled connection within the timeout; LedgerError if it fails."""
        if self._pool is None:
            raise LedgerError(f"{self!r} is not open: call open() first")
        psycopg = self._psycopg
        for attempt in range(2 if retry else 1):
            try:
                async with asyncio.timeout(self.timeout), self._pool.connection() as conn:
                    return await work(conn)
            except psycopg.OperationalError as exc:
                # A connection the pool kept across an outage fails once (a pool
                # timeout is one too); a read may retry.
                if attempt == 0 and retry:
                    continue
                raise LedgerError(f"the ledger at {redact(self.url)} failed: {exc}") from exc
            except (psycopg.Error, TimeoutError) as exc:
                raise LedgerError(f"the ledger at {redact(self.url)} failed: {exc or 'timed out'}") from exc
        raise AssertionError("unreachable")

    # -- the Store interface ---------------------------------------------------

    async def append_many(self, records: Sequence[Record]) -> None:
        if not records:
            return
        if self._pool is None:
            raise LedgerError(f"{self!r} is not open: call open() first")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Pending([to_row(r, utc(r.at)) for r in records], future))
        await future

    async def for_visitor(self, visitor_id: str) -> list[Record]:
        query = self._sql(f"{self._select} WHERE visitor_id = %s ORDER BY at, receipt_id")

        async def work(conn: AsyncConnection[Any]) -> list[Record]:
            cur = await conn.execute(query, (visitor_id,))
            return [from_row(row) for row in await cur.fetchall()]

        return await self._run(work, retry=True)

    async def erase_visitor(self, visitor_id: str, proof: Sequence[Record]) -> int:
        delete = self._sql("DELETE FROM {records} WHERE visitor_id = %s")
        rows = [to_row(r, utc(r.at)) for r in proof]

        async def work(conn: AsyncConnection[Any]) -> int:
            async with conn.transaction(), conn.cursor() as cur:
                await cur.execute(delete, (visitor_id,))
                deleted = cur.rowcount
                for i in range(0, len(rows), _ROWS_PER_STATEMENT):
                    await cur.execute(self._insert, self._columns(rows[i:i + _ROWS_PER_STATEMENT]))
                return deleted

        return await self._run(work)

    async def purge(self, before: datetime) -> int:
        delete = self._sql("DELETE FROM {records} WHERE at < %s")

        async def work(conn: AsyncConnection[Any]) -> int:
            cur = await conn.execute(delete, (utc(before),))
            return cur.rowcount

        return await self._run(work)

    async def count(self, since: datetime | None = None) -> int | None:
        query = self._sql("SELECT COUNT(*) FROM {records}" + (" WHERE at >= %s" if since else ""))

        async def work(conn: AsyncConnection[Any]) -> int:
            cur = await conn.execute(query, (utc(since),) if since else ())
            row = await cur.fetchone()
            return int(row[0]) if row else 0

        return await self._run(work, retry=True)

    async def iter_records(self, since: datetime | None = None) -> AsyncIterator[Record]:
        if self._pool is None:
            raise LedgerError(f"{self!r} is not open: call open() first")
        where = " WHERE at >= %s" if since else ""
        query = self._sql(f"{self._select}{where} ORDER BY at, receipt_id")
        try:
            # A server-side cursor: rows come in pages of itersize, in constant memory.
            async with (
                self._pool.connection() as conn,
                conn.transaction(),
                conn.cursor(name="consentkit_export") as cur,
            ):
                cur.itersize = 2000
                await cur.execute(query, (utc(since),) if since else ())
                async for row in cur:
                    yield from_row(row)
        except self._psycopg.Error as exc:
            raise LedgerError(f"reading the ledger at {redact(self.url)} failed: {exc}") from exc


def _settle(future: asyncio.Future[None], error: BaseException | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)

