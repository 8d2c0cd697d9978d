"""Daily counts of decisions: the numbers the console's charts and ``consentkit stats``
show, grouped by any of the rollup dimensions.

The SQL stores keep them in a rollup table maintained with every append, erasure
and purge, so that a query reads a few rows per day whatever the number of records;
the memory store (and any store without rollups) counts its records instead. Both
answer with the same ``DailyCount`` rows, and this module's ``count_records`` is
the reference the tests hold the rollups to.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .base import LedgerError, Record
from .schema import ROLLUP_DIMENSIONS, ROLLUP_GROUPINGS

DIMENSIONS = ROLLUP_DIMENSIONS
GROUPINGS = ROLLUP_GROUPINGS
# Kept as '' in the rollup key (a key has no NULLs); None again when read back.
_NULLABLE = frozenset({"region", "parental_consent"})


@dataclass(frozen=True, slots=True)
class DailyCount:
    """How many decisions were taken on ``day`` (UTC) with these ``values`` of the
    dimensions asked for (in the order asked). ``choices`` comes as a dict."""

    day: date
    values: tuple[Any, ...]
    decisions: int

    def value(self, by: Sequence[str], dimension: str) -> Any:
        return self.values[list(by).index(dimension)]


def check_by(by: Iterable[str]) -> tuple[str, ...]:
    """The dimensions asked for, checked (they are spliced into SQL); LedgerError if
    one is unknown or repeated, or if no grouping holds them all."""
    wanted = tuple(by)
    unknown = [d for d in wanted if d not in DIMENSIONS]
    if unknown or len(set(wanted)) != len(wanted):
        raise LedgerError(f"cannot count by {', '.join(unknown) or 'a repeated dimension'}: "
                          f"use some of {', '.join(DIMENSIONS)}")
    grouping_for(wanted)
    return wanted


def grouping_for(by: Sequence[str]) -> str:
    """The first (smallest) rollup grouping that holds every dimension of ``by``."""
    for name, dims in GROUPINGS.items():
        if set(by) <= set(dims):
            return name
    together = "; ".join(f"{name}: {', '.join(dims)}" for name, dims in GROUPINGS.items())
    raise LedgerError(f"the rollups do not count {', '.join(by)} together: ask for the dimensions of one "
                      f"grouping ({together})")


def check_range(since: date, until: date) -> None:
    if any(isinstance(d, datetime) or not isinstance(d, date) for d in (since, until)):
        raise LedgerError("daily counts take dates: since (included) and until (excluded)")


def query(daily: str, by: Sequence[str], placeholder: str, *, staged: str | None = None) -> str:
    """The rollup query: decisions per day and per ``by`` values in [since, until)
    (twice over with ``staged``, the table of decisions not folded in yet)."""
    group = ", ".join(("day", *by))
    where = f"day >= {placeholder} AND day < {placeholder}"
    source = f"SELECT {group}, decisions AS n FROM {daily} WHERE grouping_id = '{grouping_for(by)}' AND {where}"
    if staged is not None:
        source += f" UNION ALL SELECT {group}, n FROM {staged} WHERE {where}"
    return f"SELECT {group}, SUM(n) FROM ({source}) AS u GROUP BY {group} HAVING SUM(n) <> 0 ORDER BY {group}"


def from_row(row: Sequence[Any], by: Sequence[str]) -> DailyCount:
    """A ``DailyCount`` from a row of ``query`` (day as a date or ISO text)."""
    day = row[0] if isinstance(row[0], date) else date.fromisoformat(row[0])
    values = tuple(_read(d, v) for d, v in zip(by, row[1:-1], strict=True))
    return DailyCount(day, values, int(row[-1]))


def _read(dimension: str, value: Any) -> Any:
    if dimension == "choices":
        return json.loads(value)
    if dimension == "gpc":
        return bool(value)
    if dimension in _NULLABLE and value == "":
        return None
    return value


def _key_value(record: Record, dimension: str) -> Any:
    if dimension == "choices":
        # The stores key on the canonical JSON text (sorted keys), as the codec writes it.
        return json.dumps(dict(record.choices), sort_keys=True, separators=(",", ":"))
    if dimension == "gpc":
        return bool(record.gpc)
    value = getattr(record, dimension)
    return "" if value is None and dimension in _NULLABLE else value


def count_records(records: Iterable[Record], since: date, until: date, by: Sequence[str]) -> list[DailyCount]:
    """What the rollups hold, counted from the records themselves (decisions only)."""
    by = check_by(by)
    counts: Counter[tuple[Any, ...]] = Counter()
    for record in records:
        day = record.at.date()
        if record.kind == "decision" and since <= day < until:
            counts[(day.isoformat(), *(_key_value(record, d) for d in by))] += 1
    return [from_row((*key, n), by) for key, n in sorted(counts.items())]


def outcome(choices: Mapping[str, bool]) -> str:
    """``accepted_all``, ``rejected_all`` (nothing granted but what cannot be
    refused) or ``customised``, from a decision's choices."""
    optional = {c: v for c, v in choices.items() if c != "necessary"}
    if optional and all(optional.values()):
        return "accepted_all"
    if not any(optional.values()):
        return "rejected_all"
    return "customised"
