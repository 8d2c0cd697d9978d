"""The ledger store for several app instances: PostgreSQL through psycopg 3 (async)
and psycopg_pool, installed with ``pip install 'consentkit[postgres]'``.

Appends are group-committed like on SQLite: callers queue their rows, a few writer
tasks each take everything waiting and insert it with one statement (``INSERT ...
SELECT FROM unnest(<one array per column>)``: one round trip, one transaction), and
a caller's append returns only after it committed. The same statement stages the
new records' decisions for the daily rollups (a data-modifying CTE: what the insert
RETURNs goes into an unindexed table), and a background task folds the staged
rows into the rollups every second; a query reads both, so it is exact at once.
Records are partitioned by month (``partitions.py``).

The hot path (appends, receipts lookups, erasure) keeps to what the distributed
PostgreSQL-compatible engines run: every statement on the records table carries the
visitor id, the distribution column on Citus (``HOT_PATH`` lists them and a test
parses each); TEXT rather than JSONB (the ledger never queries inside choices),
``ON CONFLICT DO NOTHING`` for idempotency, multi-array ``unnest``, no advisory
locks (concurrent migrations retry instead), no triggers, no sequences. The
export's server-side cursor (``DECLARE``) is the one feature some of them restrict;
it is what keeps an export of millions of rows in constant memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from . import rollups
from .base import LedgerError, Record, Store
from .codec import COLUMN_LIST, COLUMNS, Row, from_row, to_row, utc
from .partitions import (
    AHEAD_MONTHS,
    FOLD,
    ROLLUP_RETURNING,
    Layout,
    month_of,
    next_month,
    rollup_upsert,
    stage,
)
from .schema import POSTGRES_RECORDS_KEY, SCHEMA_VERSION, migration, months_from_days, newer_schema_message

if TYPE_CHECKING:
    from psycopg import AsyncConnection
    from psycopg.sql import Composed
    from psycopg_pool import AsyncConnectionPool

T = TypeVar("T")
logger = logging.getLogger("consentkit.ledger")

# Rows in one INSERT; larger batches (a spool replay) take several, in one transaction.
_ROWS_PER_STATEMENT = 5000
_ARRAY_TYPES = {"at": "timestamptz", "gpc": "boolean"}
_SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
RollupMode = Literal["inline", "scheduled"]

# The statements of the hot path, by name; ``{records}``, ``{daily}`` and the
# ``unnest`` arrays are filled in per store. Every one that touches the records
# table keys it by the visitor id (the distribution column on Citus); the rollups
# table is a reference table there. tests/ledger/test_distributed_sql.py parses
# each with PostgreSQL's own parser and checks that, and that the store runs no
# other statement on these paths.
_ARRAYS = ", ".join(f"%b::{_ARRAY_TYPES.get(c, 'text')}[]" for c in COLUMNS)  # binary: no quoting
_INSERT = (
    f"INSERT INTO {{records}} ({COLUMN_LIST}) SELECT * FROM unnest({_ARRAYS})"
    f" ON CONFLICT ({POSTGRES_RECORDS_KEY}) DO NOTHING"
)
_SELECT = f"SELECT {COLUMN_LIST} FROM {{records}}"


def _delete_counted(where: str) -> str:
    return (
        f"WITH gone AS (DELETE FROM {{records}} WHERE {where} RETURNING {ROLLUP_RETURNING}),"
        f" counted AS ({stage('gone', negate=True)}) SELECT count(*) FROM gone"
    )


HOT_PATH: dict[str, str] = {
    "append": _INSERT,
    "append_counted": f"WITH new AS ({_INSERT} RETURNING {ROLLUP_RETURNING}) {stage('new')}",
    "receipts": f"{_SELECT} WHERE visitor_id = %s ORDER BY at, receipt_id",
    "erase": "DELETE FROM {records} WHERE visitor_id = %s",
    "erase_counted": _delete_counted("visitor_id = %s"),
}


def _psycopg() -> Any:
    try:
        import psycopg
        import psycopg_pool  # noqa: F401
    except ImportError:
        raise LedgerError(
            "the PostgreSQL ledger needs psycopg 3 and psycopg_pool: pip install 'consentkit[postgres]'"
        ) from None
    return psycopg


def connection_pool(url: str, *, min_size: int, max_size: int, timeout: float, name: str) -> AsyncConnectionPool[Any]:
    """A pool of autocommit connections to ``url``, not opened yet: what every
    PostgreSQL store of consentkit connects through (the ledger's, the requests')."""
    from psycopg_pool import AsyncConnectionPool

    return AsyncConnectionPool(
        url, min_size=min_size, max_size=max_size, open=False, timeout=timeout,
        # Keepalives notice a silently dead server; the pool then replaces the connection.
        # autocommit: a read is one round trip, a batch insert one statement;
        # anything needing more than one statement opens a transaction itself.
        kwargs={"autocommit": True, "connect_timeout": max(1, int(timeout)), "keepalives": 1,
                "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3},
        name=name,
    )


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
    or a statement before the store counts as down. ``rollups``: ``"inline"`` (the
    default) keeps the daily rollups with every append, erasure and purge;
    ``"scheduled"`` leaves appends plain and the rollups to ``refresh_rollups``, run
    on a schedule (see docs/ledger.md for when that is the better choice).
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
        rollups: RollupMode = "inline",
    ) -> None:
        self._psycopg = _psycopg()
        if schema is not None and not _SCHEMA_NAME.match(schema):
            raise LedgerError(f"schema name {schema!r} is not valid: use letters, digits and '_'")
        if rollups not in ("inline", "scheduled"):
            raise LedgerError(f"rollups={rollups!r} is not supported: use 'inline' or 'scheduled'")
        self.rollups: RollupMode = rollups
        self.url = url
        self.schema = schema
        self.min_size, self.max_size = min_size, max(max_size, writers + 1)
        self.writers, self.max_batch, self.timeout = writers, max_batch, timeout
        self._pool: AsyncConnectionPool[Any] | None = None
        self._queue: asyncio.Queue[_Pending | None] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        sql = self._psycopg.sql

        def name(table: str) -> Any:
            return sql.Identifier(schema, table) if schema else sql.Identifier(table)

        self._names = {"records": name("consentkit_records"), "version": name("consentkit_schema_version"),
                       "daily": name("consentkit_daily"), "recent": name("consentkit_daily_recent")}
        self._layout = Layout(self._psycopg, schema, self._names)
        self._months: set[date] = set()  # months known to have a partition
        # A batch is one short statement with one array per column: one round trip
        # and one transaction on an autocommit connection, and its text never
        # changes, so psycopg caches and prepares it (a multi-row VALUES list of
        # hundreds of parameters would be parsed again on every batch).
        self._insert = self._sql(_INSERT)
        self._append = self._sql(HOT_PATH["append_counted" if rollups == "inline" else "append"])
        self._folder: asyncio.Task[None] | None = None
        self._staged = False  # whether this instance staged decisions since its last fold

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
        pool = connection_pool(self.url, min_size=self.min_size, max_size=self.max_size, timeout=self.timeout,
                               name="consentkit-ledger")
        try:
            await pool.open(wait=True, timeout=self.timeout)
            async with pool.connection() as conn:
                await self._migrate(conn)
                self._months = await self._layout.existing(conn)
                await self._ensure_ahead(conn)
        except BaseException as exc:
            # Also when cancelled (a caller's timeout): a pool left open would keep
            # reconnecting in the background forever.
            await pool.close()
            if isinstance(exc, LedgerError) or not isinstance(exc, Exception):
                raise
            raise LedgerError(f"cannot open the ledger at {redact(self.url)}: {exc}") from exc
        self._pool = pool
        self._queue = asyncio.Queue()
        self._tasks = [asyncio.create_task(self._write_loop(), name=f"consentkit-pg-writer-{i}")
                       for i in range(self.writers)]
        if self.rollups == "inline":
            self._folder = asyncio.create_task(self._fold_loop(), name="consentkit-pg-rollups")

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
                        if version == 2:
                            await self._layout.migrate(conn)
                        else:
                            for statement in migration(version, "postgres"):
                                await conn.execute(self._sql(statement))
                        await conn.execute(self._sql("INSERT INTO {version} (version) VALUES (%s)"), (version,))
                return
            except (errors.UniqueViolation, errors.DuplicateTable, errors.DuplicateObject, errors.DuplicateColumn,
                    errors.DuplicateSchema, errors.SerializationFailure):
                # Another instance is migrating at the same moment (there is no portable
                # lock for this): let it finish, then look at the version again.
                await asyncio.sleep(0.2 * (attempt + 1))
        raise LedgerError("could not migrate the ledger schema: other instances kept migrating it at the same time")

    async def _ensure_ahead(self, conn: AsyncConnection[Any]) -> None:
        """Partitions for this month and the next ones exist before records need them."""
        this = month_of(datetime.now(UTC))
        ahead = [this]
        for _ in range(AHEAD_MONTHS):
            ahead.append(next_month(ahead[-1]))
        await self._layout.ensure(conn, ahead, self._months)

    async def close(self) -> None:
        if self._folder is not None:
            self._folder.cancel()
            await asyncio.gather(self._folder, return_exceptions=True)
            self._folder = None
        pool, tasks = self._pool, self._tasks
        for _ in tasks:
            self._queue.put_nowait(None)  # each writer finishes what is queued, then stops
        await asyncio.gather(*tasks, return_exceptions=True)
        if pool is not None and self.rollups == "inline":
            with contextlib.suppress(LedgerError):
                await self.fold()  # not needed for exact counts; it keeps the staging table short
        self._pool, self._tasks = None, []
        if pool is not None:
            await pool.close()

    # -- group commit ----------------------------------------------------------

    # -- rollups ---------------------------------------------------------------

    fold_every = 1.0  # seconds between folds of the staged decisions into the rollups

    async def _fold_loop(self) -> None:
        # Every second after this instance staged something; every minute regardless,
        # for what an instance that stopped without folding left behind.
        idle = 0.0
        while True:
            await asyncio.sleep(self.fold_every)
            idle += self.fold_every
            if not self._staged and idle < 60:
                continue
            self._staged, idle = False, 0.0
            try:
                await self.fold()
            except LedgerError as exc:
                self._staged = True
                logger.debug("folding the staged rollups failed (will retry): %s", exc)

    async def fold(self) -> None:
        """Move the staged decisions into the rollups (the background task does this
        every ``fold_every`` seconds)."""
        fold = self._sql(FOLD)

        async def work(conn: AsyncConnection[Any]) -> None:
            await conn.execute(fold)

        await self._run(work, timeout=max(self.timeout, 60.0))

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
        await self._partitions_for(conn, rows)
        self._staged = True
        insert = self._append
        chunks = [rows[i:i + _ROWS_PER_STATEMENT] for i in range(0, len(rows), _ROWS_PER_STATEMENT)]
        if len(chunks) == 1:
            await conn.execute(insert, self._columns(rows))
            return
        async with conn.transaction():
            for chunk in chunks:
                await conn.execute(insert, self._columns(chunk))

    async def _partitions_for(self, conn: AsyncConnection[Any], rows: Sequence[Row]) -> None:
        """Create the partitions a batch needs that do not exist yet (an old record
        from a spool replayed after a long outage; normally none)."""
        known = self._months
        months = {month for row in rows if (month := row[2].date().replace(day=1)) not in known}
        if months:
            await self._layout.ensure(conn, months, known)

    async def _run(
        self, work: Callable[[AsyncConnection[Any]], Awaitable[T]], *, retry: bool = False, timeout: float | None = None
    ) -> T:
        """Run ``work`` on a pooled connection within the timeout; LedgerError if it fails."""
        if self._pool is None:
            raise LedgerError(f"{self!r} is not open: call open() first")
        psycopg = self._psycopg
        for attempt in range(2 if retry else 1):
            try:
                async with asyncio.timeout(timeout or self.timeout), self._pool.connection() as conn:
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
        query = self._sql(HOT_PATH["receipts"])

        async def work(conn: AsyncConnection[Any]) -> list[Record]:
            cur = await conn.execute(query, (visitor_id,))
            return [from_row(row) for row in await cur.fetchall()]

        return await self._run(work, retry=True)

    async def erase_visitor(self, visitor_id: str, proof: Sequence[Record]) -> int:
        inline = self.rollups == "inline"
        delete = self._sql(HOT_PATH["erase_counted" if inline else "erase"])
        rows = [to_row(r, utc(r.at)) for r in proof]

        async def work(conn: AsyncConnection[Any]) -> int:
            await self._partitions_for(conn, rows)
            self._staged = True
            async with conn.transaction(), conn.cursor() as cur:
                await cur.execute(delete, (visitor_id,))
                found = await cur.fetchone() if inline else None
                deleted = int(found[0]) if found else cur.rowcount
                for i in range(0, len(rows), _ROWS_PER_STATEMENT):
                    # Proofs are not decisions: they never count in the rollups.
                    await cur.execute(self._insert, self._columns(rows[i:i + _ROWS_PER_STATEMENT]))
                return deleted

        return await self._run(work)

    async def purge(self, before: datetime) -> int:
        """Drop the partitions wholly before ``before``; delete the older rows of the
        month it falls in (that partition only); make the partitions ahead."""
        cutoff = utc(before)
        start = datetime.combine(month_of(cutoff), datetime.min.time(), UTC)
        counted = self.rollups == "inline"
        delete = self._sql(_delete_counted("at >= %s AND at < %s") if counted
                           else "DELETE FROM {records} WHERE at >= %s AND at < %s")

        async def work(conn: AsyncConnection[Any]) -> int:
            dropped = await self._layout.drop_before(conn, cutoff, self._months)
            self._staged = True
            deleted = 0
            if cutoff > start:
                cur = await conn.execute(delete, (start, cutoff))
                row = await cur.fetchone() if counted else None
                deleted = int(row[0]) if row else cur.rowcount
            await self._ensure_ahead(conn)
            return dropped + deleted

        return await self._run(work, timeout=max(self.timeout, 60.0))

    async def daily_counts(
        self, since: date, until: date, by: Sequence[str] = (), *, per: str = "day"
    ) -> list[rollups.DailyCount]:
        by = rollups.check(since, until, by, per)
        query = self._sql(rollups.query("{daily}", by, "%s", staged="{recent}", per=per))

        async def work(conn: AsyncConnection[Any]) -> list[rollups.DailyCount]:
            cur = await conn.execute(query, (since, until, since, until))
            return rollups.from_rows(await cur.fetchall(), by)

        return await self._run(work, retry=True)

    async def refresh_rollups(self, since: date, until: date) -> int:
        """Count the days in [``since``, ``until``) again from their records, a day
        per transaction: the scheduled mode's materialisation, and a repair (with
        inline rollups, run it while that day takes no appends); the decisions
        counted."""
        rollups.check_range(since, until)
        clear = self._sql("DELETE FROM {daily} WHERE grouping_id NOT LIKE '%%:month' AND day = %s")
        clear_staged = self._sql("DELETE FROM {recent} WHERE day = %s")
        fill = self._sql(
            f"WITH day AS (SELECT {ROLLUP_RETURNING} FROM {{records}} WHERE at >= %s AND at < %s) "
            + rollup_upsert("day", periods=("day",))
        )
        months = [self._sql(statement) for statement in months_from_days("postgres", "%s")]
        total = self._sql("SELECT coalesce(sum(decisions), 0) FROM {daily} WHERE day = %s AND grouping_id = 'decisions'")

        async def one_day(conn: AsyncConnection[Any], day: date) -> int:
            lo = datetime.combine(day, datetime.min.time(), UTC)
            async with conn.transaction():
                await conn.execute(clear, (day,))
                await conn.execute(clear_staged, (day,))
                await conn.execute(fill, (lo, lo + timedelta(days=1)))
                cur = await conn.execute(total, (day,))
                row = await cur.fetchone()
                return int(row[0]) if row else 0

        async def recount_months(conn: AsyncConnection[Any]) -> None:
            span = (month_of(since), next_month(month_of(until - timedelta(days=1))))
            async with conn.transaction():
                for statement in months:
                    await conn.execute(statement, span)

        counted, day = 0, since
        while day < until:
            counted += await self._run(functools.partial(one_day, day=day), timeout=max(self.timeout, 600.0))
            day += timedelta(days=1)
        await self._run(recount_months, timeout=max(self.timeout, 600.0))
        await self._run(lambda conn: conn.execute(self._sql("ANALYZE {daily}")), timeout=max(self.timeout, 600.0))
        return counted

    async def find_receipt(self, receipt_id: str, day: date | None = None) -> Record | None:
        # Not on the hot path: by receipt id is a scan, which ``day`` bounds to one
        # BRIN range (the console asks for it with a lookup).
        bounded = day is not None
        query = self._sql(f"{_SELECT} WHERE receipt_id = %s" + (" AND at >= %s AND at < %s" if bounded else "")
                          + " LIMIT 1")
        params: tuple[Any, ...] = (receipt_id,)
        if day is not None:
            start = datetime.combine(day, datetime.min.time(), UTC)
            params += (start, start + timedelta(days=1))

        async def work(conn: AsyncConnection[Any]) -> Record | None:
            cur = await conn.execute(query, params)
            row = await cur.fetchone()
            return from_row(row) if row else None

        return await self._run(work, retry=True, timeout=max(self.timeout, 60.0))

    async def count(self, since: datetime | None = None) -> int | None:
        query = self._sql("SELECT COUNT(*) FROM {records}" + (" WHERE at >= %s" if since else ""))

        async def work(conn: AsyncConnection[Any]) -> int:
            cur = await conn.execute(query, (utc(since),) if since else ())
            row = await cur.fetchone()
            return int(row[0]) if row else 0

        return await self._run(work, retry=True)

    async def iter_records(self, since: datetime | None = None, until: datetime | None = None) -> AsyncIterator[Record]:
        # A day at a time, each through a server-side cursor: rows come in pages of
        # itersize, in constant memory on both sides (the BRIN index finds the day,
        # the server sorts one day's rows, not the table's).
        if self._pool is None:
            raise LedgerError(f"{self!r} is not open: call open() first")
        query = self._sql(f"{_SELECT} WHERE at >= %s AND at < %s ORDER BY at, receipt_id")
        months = sorted(self._months)
        if not months:
            return
        lo = datetime.combine(months[0], datetime.min.time(), UTC)
        lo = max(lo, utc(since)) if since is not None else lo
        end = datetime.combine(next_month(months[-1]), datetime.min.time(), UTC)
        end = min(end, utc(until)) if until is not None else end
        while lo < end:
            hi = min(datetime.combine(lo.date() + timedelta(days=1), datetime.min.time(), UTC), end)
            try:
                async with (
                    self._pool.connection() as conn,
                    conn.transaction(),
                    conn.cursor(name="consentkit_export") as cur,
                ):
                    cur.itersize = 2000
                    await cur.execute(query, (lo, hi))
                    async for row in cur:
                        yield from_row(row)
            except self._psycopg.Error as exc:
                raise LedgerError(f"reading the ledger at {redact(self.url)} failed: {exc}") from exc
            lo = hi


def _settle(future: asyncio.Future[None], error: BaseException | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)

