"""The ledger's record and the interface every store implements.

The ledger knows records, not requests: the middleware turns a ``Decision`` into a
``Record`` (adding the receipt id and the browser summary) and appends it.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .rollups import DailyCount

_EMPTY: Mapping[str, bool] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Record:
    """One decision as the ledger keeps it (rule 9). Never a raw IP, User-Agent,
    birth date or e-mail address: only their coarse summaries.

    ``kind`` is ``"decision"`` for a decision, ``"proof"`` for the minimal proof of an
    opt-out of sale kept after the visitor erased their records. ``region`` is the
    code the rules were applied for (``"US-CA"``, ``"EU"``), None without regions.
    """

    receipt_id: str
    visitor_id: str
    at: datetime
    policy_version: str
    mode: str
    choices: Mapping[str, bool]
    source: str
    gpc: bool = False
    age_band: str = "unknown"
    parental_consent: str | None = None
    browser: str = ""
    browser_major: str = ""
    os: str = ""
    device: str = ""
    verification: str | None = None
    kind: str = "decision"
    extra: Mapping[str, Any] = field(default_factory=dict)
    region: str | None = None


class LedgerError(Exception):
    """A store could not do what was asked (it is down, or the URL is wrong)."""


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
        """Decisions per UTC day (``per="month"``: per month, from a month's first
        day to another's) in [``since``, ``until``), grouped by the ``by`` dimensions
        (those of one of ``rollups.GROUPINGS``), in day order. The SQL stores answer
        from their rollups; this default counts the records."""
        from .codec import utc
        from .rollups import check, count_records

        by = check(since, until, by, per)
        start = utc(datetime.combine(since, datetime.min.time()))
        end = utc(datetime.combine(until, datetime.min.time()))
        return count_records([r async for r in self.iter_records(start, end)], since, until, by, per)
