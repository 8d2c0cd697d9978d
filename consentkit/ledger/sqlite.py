"""The embedded ledger store: SQLite in WAL mode, one writer thread, group commit.

Appends from the event loop go on a queue; the writer thread takes everything
waiting, writes it in one transaction, and resolves each caller's future only after
COMMIT has returned. An acknowledged append is therefore in the WAL file and survives
the process being killed (and, with ``synchronous="FULL"``, a power cut). Many
appends share one commit, which is what makes thousands per second possible.
Reads run on their own connections in a small thread pool, so the event loop never
waits for the disk.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, TypeVar

from . import rollups
from .base import LedgerError, Record, Store
from .codec import COLUMN_LIST, COLUMNS, Row, format_time, from_row, to_row
from .partitions import next_month
from .schema import (
    DAILY_KEY,
    ROLLUP_DIMENSIONS,
    ROLLUP_GROUPINGS,
    migrate_sqlite,
    months_from_days,
    rollup_upsert,
)

T = TypeVar("T")
logger = logging.getLogger("consentkit.ledger")

_INSERT = (
    f"INSERT INTO consentkit_records ({COLUMN_LIST}) VALUES ({', '.join('?' for _ in COLUMNS)})"
    " ON CONFLICT (receipt_id) DO NOTHING"
)
_SELECT = f"SELECT {COLUMN_LIST} FROM consentkit_records"
_NAMES = {"records": "consentkit_records", "daily": "consentkit_daily", "recent": "consentkit_daily_recent"}
_REFILL = rollup_upsert("sqlite", "consentkit_records", where="kind = 'decision' AND at >= ? AND at < ?",
                        periods=("day",)).format(**_NAMES)
_MONTHS = tuple(s.format(**_NAMES) for s in months_from_days("sqlite", "?"))
_STAGED = (
    f"SELECT day, {', '.join(ROLLUP_DIMENSIONS)}, sum(n) FROM consentkit_daily_recent"
    f" GROUP BY {', '.join(str(i) for i in range(1, 2 + len(ROLLUP_DIMENSIONS)))}"
)
_ADD = (
    f"INSERT INTO consentkit_daily ({DAILY_KEY}, decisions) VALUES ({', '.join('?' * (3 + len(ROLLUP_DIMENSIONS)))})"
    f" ON CONFLICT ({DAILY_KEY}) DO UPDATE SET decisions = decisions + excluded.decisions"
)
_CHUNK = 1000


def _fold_staged(conn: sqlite3.Connection) -> None:
    """In the caller's write transaction: the staged decisions summed into the rollups."""
    # One GROUP BY in C first: the Python sums then see each combination once, not
    # each decision (folding row by row held the GIL long enough to stall appends).
    sums = rollups.fold_rows(conn.execute(_STAGED))
    conn.executemany(_ADD, [(*key, n) for key, n in sums.items() if n])
    conn.execute("DELETE FROM consentkit_daily_recent")


@dataclass(slots=True)
class _Job:
    """Work for the writer thread: rows to append, or a function run in its own transaction."""

    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop
    rows: list[Row] = field(default_factory=list)
    work: Callable[[sqlite3.Connection], Any] | None = None


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():  # the caller gave up waiting; the work is done all the same
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


def _settle_all(futures: list[asyncio.Future[Any]], result: Any, error: BaseException | None) -> None:
    for future in futures:
        _settle(future, result, error)


class SqliteStore(Store):
    """A ledger in one SQLite file (``sqlite:///consent.db``).

    ``synchronous``: ``"NORMAL"`` (the default, SQLite's advice for WAL) makes an
    acknowledged record survive the process being killed; ``"FULL"`` also syncs the
    WAL to the disk on every group commit, so that it survives a power cut, at the
    price of one fsync per commit (``sqlite:///consent.db?synchronous=full``).
    ``max_batch`` bounds one commit.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        synchronous: Literal["FULL", "NORMAL"] = "NORMAL",
        max_batch: int = 2000,
        readers: int = 2,
        busy_timeout: float = 10.0,
    ) -> None:
        self.path = Path(path)
        self.synchronous = synchronous
        self.max_batch = max_batch
        self.busy_timeout = busy_timeout
        self._readers_count = readers
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._readers: ThreadPoolExecutor | None = None
        self._local = threading.local()
        self._reader_conns: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._staged = True  # decisions may wait in the staging table (from before a restart)

    # seconds between folds of the staged decisions into the rollups
    fold_every = 1.0

    def __repr__(self) -> str:
        return f"SqliteStore({str(self.path)!r})"

    # -- connections -----------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: transactions are begun and ended explicitly below.
        conn = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA synchronous={self.synchronous}")
        return conn

    def _reader(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            conn.execute("PRAGMA query_only=1")
            self._local.conn = conn
            with self._lock:
                self._reader_conns.append(conn)
        return conn

    async def _read(self, query: Callable[[sqlite3.Connection], T]) -> T:
        if self._readers is None:
            raise LedgerError(f"{self!r} is not open: call open() first")
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._readers, lambda: query(self._reader()))
        except sqlite3.Error as exc:
            raise LedgerError(f"reading the ledger at {self.path} failed: {exc}") from exc

    # -- lifecycle -------------------------------------------------------------

    async def open(self) -> None:
        if self._writer is not None:
            return
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        self._jobs = queue.SimpleQueue()
        thread = threading.Thread(target=self._write_loop, args=(loop, ready), name="consentkit-sqlite-writer", daemon=True)
        thread.start()
        try:
            await ready
        except BaseException:
            await asyncio.to_thread(thread.join)
            raise
        self._writer = thread
        self._readers = ThreadPoolExecutor(self._readers_count, thread_name_prefix="consentkit-sqlite-reader")

    async def close(self) -> None:
        thread, readers = self._writer, self._readers
        self._writer = self._readers = None
        if thread is not None:
            self._jobs.put(None)  # the writer finishes what is queued before it stops
            await asyncio.to_thread(thread.join)
        if readers is not None:
            readers.shutdown(wait=True)
        with self._lock:
            conns, self._reader_conns = self._reader_conns, []
        for conn in conns:
            conn.close()
        self._local = threading.local()

    # -- the writer thread -----------------------------------------------------

    def _write_loop(self, loop: asyncio.AbstractEventLoop, ready: asyncio.Future[None]) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = self._connect()
            conn.execute("PRAGMA journal_mode=WAL")
            migrate_sqlite(conn)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller awaiting open()
            error = exc if isinstance(exc, LedgerError) else LedgerError(f"cannot open the ledger at {self.path}: {exc}")
            loop.call_soon_threadsafe(_settle, ready, None, error)
            return
        loop.call_soon_threadsafe(_settle, ready, None, None)
        folded = time.monotonic()
        try:
            stopping = False
            while not stopping:
                batch: list[_Job] = []
                try:
                    # Idle with decisions staged: fold them when their second is up.
                    job = self._jobs.get(timeout=max(0.0, folded + self.fold_every - time.monotonic())
                                         if self._staged else None)
                except queue.Empty:
                    folded = self._fold(conn)
                    continue
                size = 0
                while True:
                    if job is None:
                        stopping = True
                        break
                    batch.append(job)
                    size += len(job.rows) or 1
                    if size >= self.max_batch:
                        break
                    try:
                        job = self._jobs.get_nowait()
                    except queue.Empty:
                        break
                self._run(conn, batch)
                if self._staged and time.monotonic() - folded >= self.fold_every:
                    folded = self._fold(conn)
            self._fold(conn)
        finally:
            conn.close()

    def _fold(self, conn: sqlite3.Connection) -> float:
        """Move the staged decisions into the rollups, in one transaction; when."""
        try:
            conn.execute("BEGIN IMMEDIATE")  # no one else writes until COMMIT: read, add, clear
            try:
                _fold_staged(conn)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            self._staged = False
        except sqlite3.Error as exc:  # the staged rows stay; queries count them meanwhile
            logger.warning("folding the ledger's staged rollups failed (will retry): %s", exc)
        return time.monotonic()

    def _run(self, conn: sqlite3.Connection, batch: list[_Job]) -> None:
        """Run the jobs in order: consecutive appends share one commit."""
        appends: list[_Job] = []
        for job in batch:
            if job.work is None:
                appends.append(job)
                continue
            self._commit(conn, appends)
            appends = []
            self._commit(conn, [job])
        self._commit(conn, appends)

    def _commit(self, conn: sqlite3.Connection, jobs: list[_Job]) -> None:
        """One transaction: every append job's rows in one statement, or one work job."""
        if not jobs:
            return
        result: Any = None
        error: BaseException | None = None
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                if jobs[0].work is not None:
                    result = jobs[0].work(conn)
                else:
                    conn.executemany(_INSERT, [row for job in jobs for row in job.rows])
                conn.execute("COMMIT")
                self._staged = True  # the triggers staged the decisions of what was written
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except Exception as exc:  # noqa: BLE001 - every failure goes to the waiting callers
            if len(jobs) > 1:
                # One bad record must not fail its neighbours: try each job on its own.
                for job in jobs:
                    self._commit(conn, [job])
                return
            error = LedgerError(f"writing to the ledger at {self.path} failed: {exc}")
        # One wake-up of each event loop for the whole batch, not one per caller.
        by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Future[Any]]] = {}
        for job in jobs:
            by_loop.setdefault(job.loop, []).append(job.future)
        for loop, futures in by_loop.items():
            loop.call_soon_threadsafe(_settle_all, futures, result, error)

    async def _submit(self, rows: list[Row], work: Callable[[sqlite3.Connection], Any] | None = None) -> Any:
        if self._writer is None:
            raise LedgerError(f"{self!r} is not open: call open() first")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._jobs.put(_Job(future, loop, rows, work))
        return await future

    # -- the Store interface ---------------------------------------------------

    async def append_many(self, records: Sequence[Record]) -> None:
        if records:
            await self._submit([to_row(r, format_time(r.at)) for r in records])

    async def for_visitor(self, visitor_id: str) -> list[Record]:
        def query(conn: sqlite3.Connection) -> list[Record]:
            rows = conn.execute(f"{_SELECT} WHERE visitor_id = ? ORDER BY at, receipt_id", (visitor_id,))
            return [from_row(row) for row in rows]

        return await self._read(query)

    async def find_receipt(self, receipt_id: str, day: date | None = None) -> Record | None:
        def query(conn: sqlite3.Connection) -> Record | None:  # the table's primary key
            row = conn.execute(f"{_SELECT} WHERE receipt_id = ?", (receipt_id,)).fetchone()
            return from_row(row) if row is not None else None

        record = await self._read(query)
        return record if record is not None and (day is None or record.at.date() == day) else None

    async def erase_visitor(self, visitor_id: str, proof: Sequence[Record]) -> int:
        rows = [to_row(r, format_time(r.at)) for r in proof]

        def work(conn: sqlite3.Connection) -> int:
            deleted = conn.execute("DELETE FROM consentkit_records WHERE visitor_id = ?", (visitor_id,)).rowcount
            conn.executemany(_INSERT, rows)
            return deleted

        return int(await self._submit([], work))

    async def purge(self, before: datetime) -> int:
        cutoff = format_time(before)

        def work(conn: sqlite3.Connection) -> int:
            return conn.execute("DELETE FROM consentkit_records WHERE at < ?", (cutoff,)).rowcount

        return int(await self._submit([], work))

    async def daily_counts(
        self, since: date, until: date, by: Sequence[str] = (), *, per: str = "day"
    ) -> list[rollups.DailyCount]:
        by = rollups.check(since, until, by, per)
        folded, staged = rollups.raw_queries("consentkit_daily", by, "?", staged="consentkit_daily_recent", per=per)
        span = (since.isoformat(), until.isoformat())

        def query(conn: sqlite3.Connection) -> list[rollups.DailyCount]:
            # One read transaction, so that a fold between the two reads cannot count a row twice.
            conn.execute("BEGIN")
            try:
                rows = conn.execute(folded, span).fetchall() + conn.execute(staged, span).fetchall()
            finally:
                conn.execute("COMMIT")
            return rollups.sum_rows(rows, by, per)

        return await self._read(query)

    async def fold(self) -> None:
        """Move the staged decisions into the rollups now (the writer thread does it
        at most once a second)."""
        await self._submit([], _fold_staged)

    async def refresh_rollups(self, since: date, until: date) -> int:
        """Count the days in [``since``, ``until``) again from their records (a
        repair: the triggers keep the rollups exact); the decisions counted."""
        rollups.check_range(since, until)
        days = (since.isoformat(), until.isoformat())
        times = (format_time(datetime.combine(since, datetime.min.time())),
                 format_time(datetime.combine(until, datetime.min.time())))

        months = (since.replace(day=1).isoformat(), next_month((until - timedelta(days=1)).replace(day=1)).isoformat())

        def work(conn: sqlite3.Connection) -> int:
            conn.execute("DELETE FROM consentkit_daily WHERE grouping_id NOT LIKE '%:month' AND day >= ? AND day < ?",
                         days)
            conn.execute("DELETE FROM consentkit_daily_recent WHERE day >= ? AND day < ?", days)
            conn.execute(_REFILL, times * len(ROLLUP_GROUPINGS))  # the range, once per grouping
            for statement in _MONTHS:
                conn.execute(statement, months)
            return int(conn.execute("SELECT coalesce(sum(decisions), 0) FROM consentkit_daily"
                                    " WHERE grouping_id = 'decisions' AND day >= ? AND day < ?", days).fetchone()[0])

        return int(await self._submit([], work))

    async def count(self, since: datetime | None = None) -> int | None:
        cutoff = format_time(since) if since is not None else ""

        def query(conn: sqlite3.Connection) -> int:
            return int(conn.execute("SELECT COUNT(*) FROM consentkit_records WHERE at >= ?", (cutoff,)).fetchone()[0])

        return await self._read(query)

    async def iter_records(self, since: datetime | None = None, until: datetime | None = None) -> AsyncIterator[Record]:
        # Keyset pages on (at, receipt_id): constant memory, and no read transaction
        # held open for the whole export (which would stop WAL checkpoints).
        after = (format_time(since) if since is not None else "", "")
        end = format_time(until) if until is not None else "~"  # "~" sorts after every time
        first = True
        while True:
            op = ">=" if first else ">"
            sql = (
                f"{_SELECT} WHERE (at, receipt_id) {op} (?, ?) AND at < ? ORDER BY at, receipt_id LIMIT {_CHUNK}"
            )

            def page(conn: sqlite3.Connection, sql: str = sql, key: tuple[str, str] = after) -> list[Row]:
                return conn.execute(sql, (*key, end)).fetchall()

            rows = await self._read(page)
            for row in rows:
                yield from_row(row)
            if len(rows) < _CHUNK:
                return
            after, first = (rows[-1][2], rows[-1][0]), False
