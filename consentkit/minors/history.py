"""A child's parental consent as the ledger tells it (the ledger is the only store).

The records involved, all under the child's visitor id:

- ``kind="request"``, source ``api``: a request sent to a parent; ``extra`` holds
  ``request_id`` and ``email_hash`` (the keyed hash, never the address);
- ``kind="decision"``, source ``parent``: the parent's decision, ``choices`` their
  grants, ``verification`` the method, ``extra`` the ``request_id`` it answers and
  the ``management_id`` of the management link it issued;
- ``kind="proof"``, source ``parent``: the parent's latest decision, kept alone
  after the parent had the child's records deleted, so that it goes on applying;
- ``kind="revocation"``: a management link the parent revoked.

Records written by the flow get strictly increasing times (``next_moment``), so
that their order never rests on a tie broken by random receipt ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..ledger.base import Record
from ..state import ParentalStatus

PARENT_KINDS = frozenset({"decision", "proof"})
_TICK = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class ParentalRequest:
    """An open request to a parent, as its record keeps it."""

    request_id: str
    child_id: str
    at: datetime
    email_hash: str
    gpc: bool


def _text(extra: Mapping[str, Any], key: str) -> str:
    value = extra.get(key)
    return value if isinstance(value, str) else ""


def is_parent_record(record: Record) -> bool:
    return record.source == "parent" and record.kind in PARENT_KINDS


class History:
    """The parental part of one child's records, in ledger order (oldest first)."""

    def __init__(self, records: Sequence[Record]) -> None:
        ordered = sorted(enumerate(records), key=lambda pair: (pair[1].at, pair[0]))
        self.records: list[Record] = [record for _, record in ordered]

    @property
    def requests(self) -> list[Record]:
        return [r for r in self.records if r.kind == "request" and _text(r.extra, "request_id")]

    @property
    def parent_records(self) -> list[Record]:
        return [r for r in self.records if is_parent_record(r)]

    @property
    def latest_decision(self) -> Record | None:
        """The parent's decision in force, if any."""
        decisions = self.parent_records
        return decisions[-1] if decisions else None

    def next_moment(self, now: datetime) -> datetime:
        """``now``, or just after the latest record when the clock has not moved on."""
        if self.records and self.records[-1].at >= now:
            return self.records[-1].at + _TICK
        return now

    def _answered(self, request: Record) -> bool:
        request_id = _text(request.extra, "request_id")
        return any(
            _text(p.extra, "request_id") == request_id or p.at > request.at for p in self.parent_records
        )

    def open_request(self, request_id: str) -> ParentalRequest | None:
        """The request, if it exists and no parent has decided since it was made:
        a link is used once, and a decision made some other way closes it too."""
        for record in self.requests:
            if _text(record.extra, "request_id") == request_id and not self._answered(record):
                return ParentalRequest(
                    request_id, record.visitor_id, record.at, _text(record.extra, "email_hash"), record.gpc
                )
        return None

    def requests_since(self, moment: datetime) -> int:
        return sum(1 for r in self.requests if r.at >= moment)

    def status(self) -> tuple[ParentalStatus | None, dict[str, bool]]:
        """The child's parental status and the parent's grants: ``pending`` while a
        request waits for an answer, else the parent's latest decision; ``(None,
        {})`` when the ledger holds neither."""
        if any(not self._answered(r) for r in self.requests):
            return "pending", {}
        latest = self.latest_decision
        if latest is None or latest.parental_consent not in ("granted", "denied"):
            return None, {}
        status: ParentalStatus = "granted" if latest.parental_consent == "granted" else "denied"
        return status, {cid: bool(v) for cid, v in latest.choices.items()}

    def managed_decision(self, management_id: str) -> Record | None:
        """The decision a management link acts on, or None once the link is revoked:
        by a revocation record, or by a newer link issued since."""
        if any(r.kind == "revocation" and _text(r.extra, "management_id") == management_id for r in self.records):
            return None
        issued = [r for r in self.parent_records if _text(r.extra, "management_id")]
        if not issued or _text(issued[-1].extra, "management_id") != management_id:
            return None
        return issued[-1]


__all__ = ["History", "ParentalRequest", "is_parent_record"]
