"""The ledger's record and the interface every store implements.

The ledger knows records, not requests: the middleware turns a ``Decision`` into a
``Record`` (adding the receipt id and the browser summary) and appends it.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime, timedelta

from .codec import utc
from .record import LedgerError, Record
from .rollups import DailyCount, check, count_records

__all__ = ["LedgerError", "Record", "Store"]

class Store(abc.ABC):
    """An append-only store of records. Appends are idempotent on ``receipt_id``."""

    async def open(self) -> None:
        """Connect and create or migrate the schema."""

    async def close(self) -> None:
        """Flush what is pending and release connections."""

    @abc.abstractmethod
    async def append_many(self, records: Sequence[Record]) -> None:
        """Durably add records; a receipt id already present is skipped, not an error."""

    async def append(self, record: Record) -> None:
        await self.append_many([record])

    @abc.abstractmethod
    async def for_visitor(self, visitor_id: str) -> list[Record]:
        """This visitor's records, oldest first."""

    @abc.abstractmethod
    async def erase_visitor(self, visitor_id: str, proof: Sequence[Record]) -> int:
        """Delete this visitor's records and add ``proof`` in their place (one
        transaction); the number of records deleted."""

    @abc.abstractmethod
    def iter_records(self, since: datetime | None = None, until: datetime | None = None) -> AsyncIterator[Record]:
        """Every record (from ``since`` on, before ``until``) in time order, streamed
        in constant memory."""

    async def find_receipt(self, receipt_id: str, day: date | None = None) -> Record | None:
        """The record of this receipt id, or None; ``day`` (UTC), when known, bounds
        the search (the SQL stores key records by visitor, not by receipt: on
        PostgreSQL a day is one BRIN range, the whole ledger a scan)."""
        start = utc(datetime.combine(day, datetime.min.time())) if day else None
        end = utc(datetime.combine(day + timedelta(days=1), datetime.min.time())) if day else None
        async for record in self.iter_records(start, end):
            if record.receipt_id == receipt_id:
                return record
        return None

    async def count(self, since: datetime | None = None) -> int | None:
        """How many records there are (from ``since`` on), or None when the store
        cannot tell cheaply; used for progress bars only."""
        return None

    @abc.abstractmethod
    async def purge(self, before: datetime) -> int:
        """Delete records older than ``before`` (retention); the number deleted."""

    async def daily_counts(
        self, since: date, until: date, by: Sequence[str] = (), *, per: str = "day"
    ) -> list[DailyCount]:
        """Decisions per UTC day (``per="week"``: per ISO week, from a Monday, each
        keyed by its Monday; ``per="month"``: per month, from a month's first day to
        another's) in [``since``, ``until``), grouped by the ``by`` dimensions
        (those of one of ``rollups.GROUPINGS``), in day order. The SQL stores answer
        from their rollups; this default counts the records."""
        by = check(since, until, by, per)
        start = utc(datetime.combine(since, datetime.min.time()))
        end = utc(datetime.combine(until, datetime.min.time()))
        return count_records([r async for r in self.iter_records(start, end)], since, until, by, per)
