"""An in-memory store, for unit tests and development."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime

from .base import Record, Store
from .rollups import DailyCount, check, count_records


class MemoryStore(Store):
    """Records in a dict: nothing survives the process. For tests and development."""

    def __init__(self) -> None:
        self.records: dict[str, Record] = {}

    async def append_many(self, records: Sequence[Record]) -> None:
        for record in records:
            self.records.setdefault(record.receipt_id, record)

    async def for_visitor(self, visitor_id: str) -> list[Record]:
        return sorted((r for r in self.records.values() if r.visitor_id == visitor_id), key=lambda r: (r.at, r.receipt_id))

    async def find_receipt(self, receipt_id: str, day: date | None = None) -> Record | None:
        record = self.records.get(receipt_id)
        return record if record is not None and (day is None or record.at.date() == day) else None

    async def erase_visitor(self, visitor_id: str, proof: Sequence[Record]) -> int:
        doomed = [k for k, r in self.records.items() if r.visitor_id == visitor_id]
        for key in doomed:
            del self.records[key]
        await self.append_many(proof)
        return len(doomed)

    async def iter_records(self, since: datetime | None = None, until: datetime | None = None) -> AsyncIterator[Record]:
        for record in sorted(self.records.values(), key=lambda r: (r.at, r.receipt_id)):
            if (since is None or record.at >= since) and (until is None or record.at < until):
                yield record

    async def daily_counts(
        self, since: date, until: date, by: Sequence[str] = (), *, per: str = "day"
    ) -> list[DailyCount]:
        return count_records(list(self.records.values()), since, until, check(since, until, by, per), per)

    async def count(self, since: datetime | None = None) -> int | None:
        return sum(1 for r in self.records.values() if since is None or r.at >= since)

    async def purge(self, before: datetime) -> int:
        doomed = [k for k, r in self.records.items() if r.at < before]
        for key in doomed:
            del self.records[key]
        return len(doomed)
