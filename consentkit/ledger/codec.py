"""How a record is written down: as JSON (spool files, export) and as a table row.

Every store and the spool share these, so that a record read back from anywhere is
equal to the one appended. Times are kept in UTC; a naive time is taken as UTC.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from .record import LedgerError, Record

# The table's columns, in the order rows are written and read.
COLUMNS: tuple[str, ...] = (
    "receipt_id", "visitor_id", "at", "policy_version", "mode", "choices", "source", "gpc",
    "age_band", "parental_consent", "browser", "browser_major", "os", "device", "verification",
    "kind", "extra", "region",
)
COLUMN_LIST = ", ".join(COLUMNS)

Row = tuple[Any, ...]


def utc(moment: datetime) -> datetime:
    """The same instant, as an aware UTC datetime."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def format_time(moment: datetime) -> str:
    """Fixed-width RFC 3339 with microseconds, so that text order is time order."""
    # isoformat is several times faster than strftime, and this runs on every append.
    return utc(moment).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_time(text: str) -> datetime:
    return utc(datetime.fromisoformat(text))


# One encoder for every record: json.dumps with options builds a new one per call.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)


def _dump(value: Mapping[str, Any]) -> str:
    return _ENCODER.encode(dict(value)) if value else "{}"


def to_row(record: Record, at: Any) -> Row:
    """The record as a row; ``at`` is the time in the store's own representation."""
    return (
        record.receipt_id, record.visitor_id, at, record.policy_version, record.mode,
        _dump(record.choices), record.source, bool(record.gpc), record.age_band,
        record.parental_consent, record.browser, record.browser_major, record.os, record.device,
        record.verification, record.kind, _dump(record.extra), record.region,
    )


def from_row(row: Sequence[Any]) -> Record:
    """A record from a row in ``COLUMNS`` order (``at`` as text or datetime)."""
    at = row[2]
    return Record(
        receipt_id=row[0], visitor_id=row[1], at=parse_time(at) if isinstance(at, str) else utc(at),
        policy_version=row[3], mode=row[4], choices=json.loads(row[5]), source=row[6],
        gpc=bool(row[7]), age_band=row[8], parental_consent=row[9], browser=row[10],
        browser_major=row[11], os=row[12], device=row[13], verification=row[14], kind=row[15],
        extra=json.loads(row[16]), region=row[17],
    )


def to_json(record: Record) -> dict[str, Any]:
    """The record as a plain JSON object (one line of an export or a spool file)."""
    return {
        "receipt_id": record.receipt_id,
        "visitor_id": record.visitor_id,
        "at": format_time(record.at),
        "policy_version": record.policy_version,
        "mode": record.mode,
        "choices": dict(record.choices),
        "source": record.source,
        "gpc": record.gpc,
        "age_band": record.age_band,
        "parental_consent": record.parental_consent,
        "browser": record.browser,
        "browser_major": record.browser_major,
        "os": record.os,
        "device": record.device,
        "verification": record.verification,
        "kind": record.kind,
        "extra": dict(record.extra),
        "region": record.region,
    }


def from_json(data: Mapping[str, Any]) -> Record:
    """The record a ``to_json`` object describes; LedgerError if it is not one."""
    try:
        return Record(
            receipt_id=str(data["receipt_id"]),
            visitor_id=str(data["visitor_id"]),
            at=parse_time(str(data["at"])),
            policy_version=str(data["policy_version"]),
            mode=str(data["mode"]),
            choices={str(k): bool(v) for k, v in dict(data["choices"]).items()},
            source=str(data["source"]),
            gpc=bool(data.get("gpc", False)),
            age_band=str(data.get("age_band", "unknown")),
            parental_consent=data.get("parental_consent"),
            browser=str(data.get("browser", "")),
            browser_major=str(data.get("browser_major", "")),
            os=str(data.get("os", "")),
            device=str(data.get("device", "")),
            verification=data.get("verification"),
            kind=str(data.get("kind", "decision")),
            extra=dict(data.get("extra") or {}),
            region=None if data.get("region") is None else str(data["region"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise LedgerError(f"not a ledger record: {exc}") from None
