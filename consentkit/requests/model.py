"""A privacy request as consentkit keeps it: what was asked, by whom, its clocks,
its steps, and the data given to verify it (kept only while it is open).

Values are immutable: every change makes a new ``PrivacyRequest`` (``evolve``),
which the store saves over the old one under its version number, so that two
workers acting on one request at once cannot both win.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, NamedTuple

RequestType = Literal["know_categories", "access", "delete", "correct", "limit_sensitive"]
REQUEST_TYPES: tuple[RequestType, ...] = ("know_categories", "access", "delete", "correct", "limit_sensitive")
# The types that count toward the two requests to know in 12 months (Civ. Code §1798.130(b)).
KNOW_TYPES: frozenset[str] = frozenset({"know_categories", "access"})
Requester = Literal["consumer", "agent", "parent"]
REQUESTERS: tuple[Requester, ...] = ("consumer", "agent", "parent")
# received: waiting for verification; in_progress: verified, being answered;
# fulfilled / denied: closed (an unverifiable request is denied with its reason).
Status = Literal["received", "in_progress", "fulfilled", "denied"]
OPEN: frozenset[str] = frozenset({"received", "in_progress"})
CLOSED: frozenset[str] = frozenset({"fulfilled", "denied"})
STATUSES: tuple[Status, ...] = ("received", "in_progress", "fulfilled", "denied")
# What staff (the console, the CLI) may do to a request.
Action = Literal["approve", "deny", "extend", "done"]
ACTIONS: tuple[Action, ...] = ("approve", "deny", "extend", "done")


def new_request_id() -> str:
    """An unguessable id: it is all a status page or an API call needs to name a request.
    Never one that starts with '-', which a command line (``consentkit requests show``)
    would read as an option."""
    while (request_id := secrets.token_urlsafe(18)).startswith("-"):
        pass
    return request_id


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a request (received, acknowledged, verified, extended, fulfilled,
    denied, a source's outcome, ...), as the request's history shows it. The same
    step is a ledger record (``kind="request"``) kept for 24 months."""

    name: str
    at: datetime
    actor: str = "consentkit"
    reason: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PrivacyRequest:
    """One consumer's request.

    ``subject`` is a keyed hash of the contact address, kept to count requests to
    know per person; ``contact``, ``details`` and ``verification`` are the data given
    to make and verify the request, used for nothing else and emptied when it closes.
    ``visitor_id`` is the consent cookie's visitor id of the browser that asked (its
    consent records are consentkit's own data about the person). Deadlines are
    dates: the request is due by the end of that day in the desk's time zone.
    """

    id: str
    type: RequestType
    requester: Requester
    status: Status
    received_at: datetime
    acknowledge_by: date
    respond_by: date
    subject: str
    contact: str | None = None
    visitor_id: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    verification: Mapping[str, Any] = field(default_factory=dict)
    method: str | None = None
    acknowledged_at: datetime | None = None
    verified_at: datetime | None = None
    extended_to: date | None = None
    extension_reason: str | None = None
    closed_at: datetime | None = None
    reason: str | None = None
    results: Mapping[str, Any] = field(default_factory=dict)
    download: Mapping[str, Any] = field(default_factory=dict)
    steps: tuple[Step, ...] = ()
    version: int = 0

    @property
    def due(self) -> date:
        """The date the answer is due: the extended deadline once extended."""
        return self.extended_to or self.respond_by

    @property
    def open(self) -> bool:
        return self.status in OPEN

    def overdue(self, today: date) -> bool:
        return self.open and today > self.due

    def evolve(self, **changes: Any) -> PrivacyRequest:
        return dataclasses.replace(self, **changes)

    def with_step(self, step: Step, **changes: Any) -> PrivacyRequest:
        return dataclasses.replace(self, steps=(*self.steps, step), **changes)


class RequestSummary(NamedTuple):
    """A request as lists show it (read from the store's columns alone, and a named
    tuple, so that a list of thousands is quick): no contact, no details."""

    id: str
    type: RequestType
    requester: Requester
    status: Status
    received_at: datetime
    acknowledge_by: date
    due: date
    extended: bool

    def overdue(self, today: date) -> bool:
        return self.status in OPEN and today > self.due


class RequestError(Exception):
    """A request cannot be made or changed as asked; ``status`` is the HTTP status
    an endpoint answers with, the text says why (never quoting a contact)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class RequestNotFound(RequestError):
    def __init__(self) -> None:
        super().__init__("no such request", 404)


class Conflict(RequestError):
    """Someone else changed the request first; read it again and retry."""

    def __init__(self) -> None:
        super().__init__("the request changed meanwhile; try again", 409)


def as_type(value: object) -> RequestType | None:
    return value if value in REQUEST_TYPES else None


def as_requester(value: object) -> Requester | None:
    return value if value in REQUESTERS else None


__all__ = [
    "ACTIONS",
    "CLOSED",
    "KNOW_TYPES",
    "OPEN",
    "REQUESTERS",
    "REQUEST_TYPES",
    "STATUSES",
    "Action",
    "Conflict",
    "PrivacyRequest",
    "RequestError",
    "RequestNotFound",
    "RequestSummary",
    "RequestType",
    "Requester",
    "Status",
    "Step",
    "new_request_id",
]
