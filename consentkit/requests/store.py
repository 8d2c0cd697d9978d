"""Where requests are kept: the interface every backend implements, and the
in-memory one (``memory://``, for tests and development).

A request is saved whole, under a version number: ``replace`` succeeds only when
the stored version is the one the caller read, so two workers acting on one
request at once cannot both win (the loser gets ``Conflict``). Lists read the
indexed columns only (``RequestSummary``), so the open requests, overdue first,
come back quickly however many there are.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable
from datetime import date, datetime

from .codec import from_doc, summary, to_row
from .model import CLOSED, KNOW_TYPES, OPEN, Conflict, PrivacyRequest, RequestError, RequestSummary

# Requests whose count toward the limit on requests to know: verified ones.
COUNTED = ("in_progress", "fulfilled")


def statuses(which: str | Iterable[str] | None) -> tuple[str, ...] | None:
    """``"open"``, ``"closed"``, one status or several, or None for all."""
    if which is None:
        return None
    if which == "open":
        return tuple(sorted(OPEN))
    if which == "closed":
        return tuple(sorted(CLOSED))
    return (which,) if isinstance(which, str) else tuple(which)


class RequestStore(abc.ABC):
    """Keeps requests. Every method may raise ``LedgerError`` when the backend is down."""

    async def open(self) -> None:
        """Connect and create the tables."""

    async def close(self) -> None:
        """Release connections."""

    @abc.abstractmethod
    async def add(self, request: PrivacyRequest) -> PrivacyRequest:
        """Keep a new request (``version`` 1 is returned)."""

    @abc.abstractmethod
    async def get(self, request_id: str) -> PrivacyRequest | None: ...

    @abc.abstractmethod
    async def replace(self, request: PrivacyRequest) -> PrivacyRequest:
        """Save ``request`` over the stored one if that is still at ``request.version``;
        the saved request (one version up), or ``Conflict``."""

    @abc.abstractmethod
    async def find(self, *, status: str | Iterable[str] | None = "open", type: str | None = None,
                   due_before: date | None = None, limit: int = 100, offset: int = 0) -> list[RequestSummary]:
        """Requests by deadline, soonest (so the overdue) first; ``due_before``: only
        those due before that day (the overdue ones, given today)."""

    @abc.abstractmethod
    async def count_known(self, subject: str, since: datetime) -> int:
        """Verified requests to know from this person received since ``since``."""

    @abc.abstractmethod
    async def count_from(self, subject: str, since: datetime) -> int:
        """Requests of any kind from this person received since ``since``."""

    @abc.abstractmethod
    async def received_between(self, since: datetime, until: datetime) -> list[PrivacyRequest]:
        """Every request received in [since, until), oldest first (for the yearly metrics)."""


class MemoryRequestStore(RequestStore):
    """Requests in a dictionary, as their rows: what is read back is a copy."""

    def __init__(self) -> None:
        self._rows: dict[str, tuple[object, ...]] = {}

    async def add(self, request: PrivacyRequest) -> PrivacyRequest:
        if request.id in self._rows:
            raise RequestError("a request with this id exists", 409)
        self._rows[request.id] = to_row(request, 1)
        return request.evolve(version=1)

    async def get(self, request_id: str) -> PrivacyRequest | None:
        row = self._rows.get(request_id)
        return from_doc(str(row[11]), int(str(row[10]))) if row else None

    async def replace(self, request: PrivacyRequest) -> PrivacyRequest:
        row = self._rows.get(request.id)
        if row is None or row[10] != request.version:
            raise Conflict()
        self._rows[request.id] = to_row(request, request.version + 1)
        return request.evolve(version=request.version + 1)

    async def find(self, *, status: str | Iterable[str] | None = "open", type: str | None = None,
                   due_before: date | None = None, limit: int = 100, offset: int = 0) -> list[RequestSummary]:
        wanted = statuses(status)
        rows = [r for r in self._rows.values()
                if (wanted is None or r[3] in wanted) and (type is None or r[1] == type)
                and (due_before is None or str(r[6]) < due_before.isoformat())]
        rows.sort(key=lambda r: (str(r[6]), str(r[4]), str(r[0])))
        return [summary(r) for r in rows[offset: offset + limit]]

    async def count_known(self, subject: str, since: datetime) -> int:
        return sum(1 for r in self._rows.values() if r[8] == subject and r[1] in KNOW_TYPES and r[3] in COUNTED
                   and from_doc(str(r[11]), 0).received_at >= since)

    async def count_from(self, subject: str, since: datetime) -> int:
        return sum(1 for r in self._rows.values() if r[8] == subject and from_doc(str(r[11]), 0).received_at >= since)

    async def received_between(self, since: datetime, until: datetime) -> list[PrivacyRequest]:
        found = [from_doc(str(r[11]), int(str(r[10]))) for r in self._rows.values()]
        return sorted((r for r in found if since <= r.received_at < until), key=lambda r: r.received_at)


__all__ = ["MemoryRequestStore", "RequestStore", "statuses"]
