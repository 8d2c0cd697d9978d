"""A request written down: as a JSON document (what the stores keep whole), and the
columns they index (what lists read without the document)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, cast

from ..ledger.codec import format_time, parse_time
from .model import PrivacyRequest, Requester, RequestSummary, RequestType, Status, Step

# The indexed columns, in the order rows are written and read; ``doc`` is the whole request.
COLUMNS = ("id", "type", "requester", "status", "received_at", "acknowledge_by", "due", "extended",
           "subject", "is_open", "version", "doc")
SUMMARY_COLUMNS = "id, type, requester, status, received_at, acknowledge_by, due, extended"


def _time(value: datetime | None) -> str | None:
    return format_time(value) if value is not None else None


def _step(step: Step) -> dict[str, Any]:
    return {"name": step.name, "at": format_time(step.at), "actor": step.actor, "reason": step.reason,
            "detail": dict(step.detail)}


def to_doc(request: PrivacyRequest) -> str:
    doc = {
        "id": request.id, "type": request.type, "requester": request.requester, "status": request.status,
        "received_at": format_time(request.received_at), "acknowledge_by": request.acknowledge_by.isoformat(),
        "respond_by": request.respond_by.isoformat(), "subject": request.subject, "contact": request.contact,
        "visitor_id": request.visitor_id, "details": dict(request.details),
        "verification": dict(request.verification), "method": request.method,
        "acknowledged_at": _time(request.acknowledged_at), "verified_at": _time(request.verified_at),
        "extended_to": request.extended_to.isoformat() if request.extended_to else None,
        "extension_reason": request.extension_reason, "closed_at": _time(request.closed_at),
        "reason": request.reason, "results": dict(request.results), "download": dict(request.download),
        "steps": [_step(s) for s in request.steps],
    }
    return json.dumps(doc, separators=(",", ":"), sort_keys=True, default=str)


def _parse_time(value: Any) -> datetime | None:
    return parse_time(value) if isinstance(value, str) else None


def from_doc(text: str, version: int) -> PrivacyRequest:
    doc: Mapping[str, Any] = json.loads(text)
    steps = tuple(
        Step(s["name"], parse_time(s["at"]), s.get("actor") or "consentkit", s.get("reason"), s.get("detail") or {})
        for s in doc.get("steps", ())
    )
    extended = doc.get("extended_to")
    return PrivacyRequest(
        id=doc["id"], type=cast(RequestType, doc["type"]), requester=cast(Requester, doc["requester"]),
        status=cast(Status, doc["status"]), received_at=parse_time(doc["received_at"]),
        acknowledge_by=date.fromisoformat(doc["acknowledge_by"]), respond_by=date.fromisoformat(doc["respond_by"]),
        subject=doc["subject"], contact=doc.get("contact"), visitor_id=doc.get("visitor_id"),
        details=doc.get("details") or {}, verification=doc.get("verification") or {}, method=doc.get("method"),
        acknowledged_at=_parse_time(doc.get("acknowledged_at")), verified_at=_parse_time(doc.get("verified_at")),
        extended_to=date.fromisoformat(extended) if extended else None,
        extension_reason=doc.get("extension_reason"), closed_at=_parse_time(doc.get("closed_at")),
        reason=doc.get("reason"), results=doc.get("results") or {}, download=doc.get("download") or {},
        steps=steps, version=version,
    )


def to_row(request: PrivacyRequest, version: int) -> tuple[Any, ...]:
    """The request's row, at ``version``; times as fixed-width text (text order is time order)."""
    return (request.id, request.type, request.requester, request.status, format_time(request.received_at),
            request.acknowledge_by.isoformat(), request.due.isoformat(), request.extended_to is not None,
            request.subject, request.open, version, to_doc(request))


_from_iso = datetime.fromisoformat
_date = date.fromisoformat


def summary(row: tuple[Any, ...]) -> RequestSummary:
    """A summary from the ``SUMMARY_COLUMNS`` of a row (times as ``format_time`` wrote
    them: UTC with a ``Z``, which ``fromisoformat`` reads as UTC at once)."""
    return RequestSummary(row[0], row[1], row[2], row[3], _from_iso(row[4]), _date(row[5]), _date(row[6]),
                          bool(row[7]))
