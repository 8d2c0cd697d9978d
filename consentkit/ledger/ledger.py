"""``Ledger``: a store, a spool in front of it, and the retention schedule.

When the store is down, privacy still wins and nothing is lost: ``append`` writes
the record to the local spool (fsynced) and returns, so the decision takes effect
at once; a background task replays the spool when the store answers again. Replay is
safe to repeat because the store skips receipt ids it already has. An erasure made
while records wait in the spool waits there too, behind them, so that replay cannot
bring erased records back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from .base import LedgerError, Record, Store
from .codec import from_json, to_json
from .spool import Claim, Entry, Spool

logger = logging.getLogger("consentkit.ledger")
T = TypeVar("T")

# Records are kept at least 24 months (11 CCR 7101): the default and the floor.
MIN_RETENTION_DAYS = 730
_REPLAY_CHUNK = 500
_PURGE_EVERY = timedelta(days=1)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Ledger:
    """The proof-of-consent ledger the application talks to.

    ``retention_days``: records older than this are purged, once at start and daily.
    Less than 730 days (24 months) is refused unless ``allow_short_retention=True``.
    ``timeout``: seconds an append waits for the store before it spools the record.
    ``owner``: the store's identity (``store_identity(url)``; by default its repr):
    the spool directory is claimed for it, and a kit of another store refuses it.
    """

    def __init__(
        self,
        store: Store,
        spool_dir: str | Path,
        *,
        retention_days: int = MIN_RETENTION_DAYS,
        allow_short_retention: bool = False,
        timeout: float = 2.0,
        retry_interval: float = 1.0,
        clock: Callable[[], datetime] = _utcnow,
        owner: str | None = None,
    ) -> None:
        if isinstance(retention_days, bool) or not isinstance(retention_days, int) or retention_days < 1:
            raise LedgerError("retention_days must be a whole number of days, such as 730 (24 months)")
        if retention_days < MIN_RETENTION_DAYS and not allow_short_retention:
            raise LedgerError(
                f"retention_days={retention_days} is shorter than the 24 months (730 days) consent records must "
                "be kept (11 CCR 7101); raise it, or pass allow_short_retention=True if you keep them elsewhere"
            )
        self.store = store
        # The spool belongs to this store alone: another store's records are never replayed here.
        self.spool = Spool(spool_dir, owner=owner if owner is not None else repr(store))
        self.retention_days = retention_days
        self.timeout = timeout
        self.retry_interval = retry_interval
        self.clock = clock
        self._open = False
        self._degraded = False
        self._warned = False
        self._started = False
        self._wake = asyncio.Event()
        self._keeper: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Future[Any]] = set()
        self._next_purge: datetime | None = None

    def __repr__(self) -> str:
        return f"Ledger({self.store!r}, spool_dir={str(self.spool.directory)!r})"

    @property
    def healthy(self) -> bool:
        """Whether appends currently go straight to the store."""
        return self._open and not self._degraded

    # -- lifecycle -------------------------------------------------------------

    async def start(self) -> None:
        """Open the store; if it is down, carry on (appends spool) and keep retrying."""
        if self._started:
            return
        self._started = True
        self._wake = asyncio.Event()
        await self._try_open()
        self._keeper = asyncio.create_task(self._keep(), name="consentkit-ledger-keeper")

    async def stop(self) -> None:
        """Finish the appends under way, then close the store and the spool."""
        if not self._started:
            return
        self._started = False
        self._wake.set()
        if self._keeper is not None:
            # The flag ends the keeper's loop even if a cancellation is swallowed by a
            # store call finishing at the same moment.
            self._keeper.cancel()
            await asyncio.gather(self._keeper, return_exceptions=True)
            self._keeper = None
        if self._inflight:
            await asyncio.gather(*self._inflight, return_exceptions=True)
        await asyncio.to_thread(self.spool.close)
        self._open = False
        try:
            async with asyncio.timeout(self.timeout * 5):
                await self.store.close()
        except (LedgerError, TimeoutError) as exc:
            logger.warning("closing the ledger store failed: %s", exc)

    async def _try_open(self) -> bool:
        try:
            async with asyncio.timeout(self.timeout * 5):  # longer than a store's own connect timeout
                await self.store.open()
        except (LedgerError, TimeoutError, OSError) as exc:
            if not self._warned:
                logger.warning("the ledger store is not available (%s); decisions go to the spool in %s until it is",
                               exc or "timed out", self.spool.directory)
            self._warned = True
            return False
        if self._warned:
            logger.info("the ledger store is available again")
        self._open, self._degraded, self._warned = True, False, False
        return True

    async def _keep(self) -> None:
        """Reconnect, replay the spool, and purge old records, in the background."""
        while self._started:
            self._wake.clear()
            try:
                if not self._open:
                    await self._try_open()
                if self._open:
                    await self.replay()
                    await self._purge_if_due()
            except asyncio.CancelledError:
                raise
            except Exception:  # the keeper must survive to retry
                logger.exception("the ledger's background task failed; retrying")
            busy = not self._open or self._degraded or await asyncio.to_thread(self.spool.pending)
            if not self._started:
                return
            try:
                async with asyncio.timeout(self.retry_interval if busy else 3600):
                    await self._wake.wait()
            except TimeoutError:
                pass

    async def _purge_if_due(self) -> None:
        now = self.clock()
        if self._next_purge is not None and now < self._next_purge:
            return
        deleted = await self.purge()
        self._next_purge = now + _PURGE_EVERY
        if deleted:
            logger.info("purged %d ledger records older than %d days", deleted, self.retention_days)

    # -- appending -------------------------------------------------------------

    async def append(self, record: Record) -> None:
        """Record a decision: in the store, or, if it does not answer in time, in the
        spool. Returns once the record is durable in one of them; LedgerError only
        when both refuse. A cancelled caller does not cancel the write."""
        await self._shielded(self._append(record))

    async def _shielded(self, work: Any) -> Any:
        task = asyncio.ensure_future(work)
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)
        return await asyncio.shield(task)

    async def _append(self, record: Record) -> None:
        if self.healthy:
            try:
                async with asyncio.timeout(self.timeout):
                    await self.store.append(record)
                return
            except Exception as exc:  # noqa: BLE001 - whatever failed in the store, the spool keeps the record
                self._went_down(exc)
        await asyncio.to_thread(self.spool.write, [{"op": "append", "record": to_json(record)}])
        self._wake.set()

    def _went_down(self, exc: BaseException) -> None:
        if not isinstance(exc, LedgerError | TimeoutError):
            logger.error("the ledger store failed unexpectedly", exc_info=exc)
        if not self._degraded and not self._warned:
            logger.warning("the ledger store failed (%s); decisions go to the spool in %s until it answers",
                           exc or "timed out", self.spool.directory)
        self._degraded = self._warned = True
        self._wake.set()

    async def replay(self) -> int:
        """Move every sealed spool file into the store, oldest first; the number of
        entries replayed. Stops at the first failure, leaving the rest for later."""
        await asyncio.to_thread(self.spool.seal)
        replayed = 0
        for path in await asyncio.to_thread(self.spool.files):
            claim = await asyncio.to_thread(self.spool.claim, path)
            if claim is None:
                continue
            done = False
            try:
                await self._replay_claim(claim)
                done = True
            except (LedgerError, TimeoutError) as exc:
                self._went_down(exc)
                return replayed
            finally:
                await asyncio.to_thread(self.spool.release, claim, done=done)
            replayed += len(claim.entries)
            logger.info("replayed %d ledger entries from the spool", len(claim.entries))
        if self._warned:
            logger.info("the ledger store answers again")
        self._degraded = self._warned = False
        return replayed

    async def _store_call(self, work: Awaitable[T]) -> T:
        async with asyncio.timeout(self.timeout * 5):
            return await work

    async def _replay_claim(self, claim: Claim) -> None:
        batch: list[Record] = []
        for entry in claim.entries:
            if entry.get("op") == "append":
                batch.append(from_json(entry["record"]))
                if len(batch) >= _REPLAY_CHUNK:
                    await self._store_call(self.store.append_many(batch))
                    batch = []
            elif entry.get("op") == "erase":
                if batch:
                    await self._store_call(self.store.append_many(batch))
                    batch = []
                proof = [from_json(p) for p in entry.get("proof", [])]
                await self._store_call(self.store.erase_visitor(str(entry["visitor_id"]), proof))
        if batch:
            await self._store_call(self.store.append_many(batch))

    # -- reading, erasure, retention ---------------------------------------------

    async def for_visitor(self, visitor_id: str) -> list[Record]:
        """This visitor's records, oldest first, including those still in the spool.
        LedgerError when the store does not answer."""
        if not self._open:
            raise LedgerError("the ledger store is not available")
        try:
            async with asyncio.timeout(self.timeout):
                stored = await self.store.for_visitor(visitor_id)
        except TimeoutError:
            raise LedgerError("the ledger store did not answer in time") from None
        pending = await asyncio.to_thread(self._spooled_ops, visitor_id)
        if not pending:
            return stored
        records = {r.receipt_id: r for r in stored}
        for entry in pending:
            if entry["op"] == "erase":
                records = {p.receipt_id: p for p in map(from_json, entry.get("proof", []))}
            else:
                record = from_json(entry["record"])
                records.setdefault(record.receipt_id, record)
        return sorted(records.values(), key=lambda r: (r.at, r.receipt_id))

    async def find_receipt(self, receipt_id: str, day: date | None = None) -> Record | None:
        """The stored record of this receipt id (within its UTC ``day`` when given),
        or None; LedgerError when the store does not answer."""
        if not self._open:
            raise LedgerError("the ledger store is not available")
        try:
            async with asyncio.timeout(max(self.timeout, 60.0)):
                return await self.store.find_receipt(receipt_id, day)
        except TimeoutError:
            raise LedgerError("the ledger store did not answer in time") from None

    def _spooled_ops(self, visitor_id: str) -> list[Entry]:
        def owner(entry: Entry) -> object:
            return entry.get("visitor_id") if entry.get("op") == "erase" else (entry.get("record") or {}).get("visitor_id")

        return [e for e in self.spool.entries() if e.get("op") in ("append", "erase") and owner(e) == visitor_id]

    async def erase_visitor(self, visitor_id: str, proof: Sequence[Record]) -> int:
        """Erase this visitor's records, keeping ``proof`` in their place; the number
        erased, or 0 when the erasure waits in the spool behind records not yet
        replayed (it is applied, in order, when they are)."""
        return int(await self._shielded(self._erase(visitor_id, proof)))

    async def _erase(self, visitor_id: str, proof: Sequence[Record]) -> int:
        if self.healthy and not await asyncio.to_thread(self.spool.pending):
            try:
                async with asyncio.timeout(self.timeout * 5):
                    return await self.store.erase_visitor(visitor_id, proof)
            except Exception as exc:  # noqa: BLE001 - logged; the erasure waits in the spool instead
                self._went_down(exc)
        entry = {"op": "erase", "visitor_id": visitor_id, "proof": [to_json(p) for p in proof]}
        await asyncio.to_thread(self.spool.write, [entry])
        self._wake.set()
        return 0

    def iter_records(self, since: datetime | None = None) -> AsyncIterator[Record]:
        """Every stored record (from ``since`` on), in time order, streamed."""
        return self.store.iter_records(since)

    async def purge(self, before: datetime | None = None) -> int:
        """Delete records older than ``before`` (default: the retention period ago)."""
        cutoff = before or self.clock() - timedelta(days=self.retention_days)
        return await self.store.purge(cutoff)
