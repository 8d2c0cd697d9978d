"""Daily counts of decisions: the numbers the console's charts and ``consentkit stats``
show, grouped by any of the rollup dimensions.

The SQL stores keep them in a rollup table maintained with every append, erasure
and purge, so that a query reads a few rows per day whatever the number of records;
the memory store (and any store without rollups) counts its records instead. Both
answer with the same ``DailyCount`` rows, and this module's ``count_records`` is
the reference the tests hold the rollups to.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any, NamedTuple

from .record import LedgerError, Record
from .schema import MONTH_SUFFIX, ROLLUP_DIMENSIONS, ROLLUP_GROUPINGS

DIMENSIONS = ROLLUP_DIMENSIONS
GROUPINGS = ROLLUP_GROUPINGS
# Kept as '' in the rollup key (a key has no NULLs); None again when read back.
_NULLABLE = frozenset({"region", "parental_consent"})


class DailyCount(NamedTuple):
    """How many decisions were taken on ``day`` (UTC) with these ``values`` of the
    dimensions asked for (in the order asked). ``choices`` comes as a read-only
    mapping of category to granted. A named tuple: a chart reads thousands."""

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


def fold_rows(rows: Iterable[Sequence[Any]]) -> dict[tuple[Any, ...], int]:
    """Staged rows (day, *DIMENSIONS, n) summed into rollup keys (grouping id, day,
    *DIMENSIONS) of every grouping, per day and per month: SQLite's fold, where a
    dict does in microseconds what eight GROUP BYs did in a temporary tree each."""
    keep = [(name, [d in dims for d in DIMENSIONS]) for name, dims in GROUPINGS.items()]
    blank = ["", "", "", "", 0, "", "", ""]  # what a dimension outside a grouping holds (gpc: false)
    sums: dict[tuple[Any, ...], int] = {}
    for row in rows:
        day, values, n = row[0], row[1:-1], row[-1]
        month = day[:7] + "-01"
        for name, mask in keep:
            key_values = tuple(v if k else b for v, k, b in zip(values, mask, blank, strict=True))
            for key in ((name, day, *key_values), (name + MONTH_SUFFIX, month, *key_values)):
                sums[key] = sums.get(key, 0) + n
    return sums


def check(since: date, until: date, by: Iterable[str], per: str) -> tuple[str, ...]:
    """A ``daily_counts`` question checked: the ``by`` dimensions, or LedgerError."""
    check_range(since, until)
    check_period(since, until, per)
    return check_by(by)


def check_period(since: date, until: date, per: str) -> None:
    if per not in ("day", "week", "month"):
        raise LedgerError(f"per={per!r} is not supported: count per 'day', 'week' or 'month'")
    if per == "month" and (since.day != 1 or until.day != 1):
        raise LedgerError("monthly counts go from the first of a month to the first of a month")
    if per == "week" and since.weekday() != 0:
        raise LedgerError("weekly counts (ISO weeks) start on a Monday")


def week_of(day: date) -> date:
    """The Monday that starts ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def query(daily: str, by: Sequence[str], placeholder: str, *, staged: str, per: str = "day") -> str:
    """PostgreSQL's rollup query: decisions per day (or month) and per ``by`` values
    in [since, until), from the rollups and the decisions staged but not folded in
    yet (the range's two placeholders come twice)."""
    grouping = grouping_for(by) + (MONTH_SUFFIX if per == "month" else "")
    group = ", ".join(("day", *by))
    where = f"day >= {placeholder} AND day < {placeholder}"
    day = "date_trunc('month', day)::date" if per == "month" else "day"
    # Weeks are summed from the daily rollups, a row per week and values out.
    outer = ", ".join(("day - (extract(isodow FROM day)::int - 1) AS day" if per == "week" else "day", *by))
    return (
        f"SELECT {outer}, SUM(n)::bigint FROM (SELECT {group}, decisions AS n FROM {daily} WHERE grouping_id = '{grouping}'"
        f" AND {where} UNION ALL SELECT {', '.join((day, *by))}, n FROM {staged} WHERE {where}) AS u"
        # Ordered by day only: sorting thousands of rows by their text columns under
        # the database's collation cost more than the rest of the query.
        f" GROUP BY {', '.join(str(i) for i in range(1, len(by) + 2))} HAVING SUM(n) <> 0 ORDER BY 1"
    )


def raw_queries(daily: str, by: Sequence[str], placeholder: str, *, staged: str, per: str = "day"
                ) -> tuple[str, str]:
    """SQLite's: the rollup rows and the staged rows of the range, to be summed by
    ``sum_rows`` (faster there than SQLite's GROUP BY, which sorts in a temporary tree)."""
    grouping = grouping_for(by) + (MONTH_SUFFIX if per == "month" else "")
    columns = ", ".join(("day", *by))
    where = f"day >= {placeholder} AND day < {placeholder}"
    return (
        f"SELECT {columns}, decisions FROM {daily} WHERE grouping_id = '{grouping}' AND {where}",
        f"SELECT {columns}, n FROM {staged} WHERE {where}",
    )


def sum_rows(rows: Iterable[Sequence[Any]], by: Sequence[str], per: str = "day") -> list[DailyCount]:
    """``DailyCount``s from rows of (day, *values, n), summed per day (or month) and values."""
    sums: dict[tuple[Any, ...], int] = {}
    month, week = per == "month", per == "week"
    mondays: dict[str, str] = {}
    for row in rows:
        key = tuple(row[:-1])
        if month:
            key = (str(key[0])[:7] + "-01", *key[1:])
        elif week:
            monday = mondays.get(key[0])
            if monday is None:
                monday = mondays[key[0]] = week_of(date.fromisoformat(str(key[0]))).isoformat()
            key = (monday, *key[1:])
        sums[key] = sums.get(key, 0) + row[-1]
    return from_rows(((*key, n) for key, n in sorted(sums.items()) if n), by)


def from_rows(rows: Iterable[Sequence[Any]], by: Sequence[str]) -> list[DailyCount]:
    """``DailyCount``s from rows of (day, *values, n) (day as a date or ISO text).
    A chart reads thousands: each distinct day and value is converted once."""
    readers = [(i, _READERS[d]) for i, d in enumerate(by, 1) if d in _READERS]
    days: dict[Any, date] = {}
    counts = []
    for row in rows:
        day = days.get(row[0])
        if day is None:
            day = days[row[0]] = row[0] if isinstance(row[0], date) else date.fromisoformat(row[0])
        values = row[1:-1]
        if readers:
            converted = list(values)
            for i, read in readers:
                converted[i - 1] = read(row[i])
            values = converted
        counts.append(DailyCount(day, tuple(values), int(row[-1])))
    return counts


def from_row(row: Sequence[Any], by: Sequence[str]) -> DailyCount:
    """A ``DailyCount`` from one row of (day, *values, n)."""
    [count] = from_rows([row], by)
    return count


@functools.lru_cache(maxsize=4096)
def _choices(text: str) -> Mapping[str, bool]:
    # A handful of distinct patterns, read once each rather than on every row, and
    # shared read-only between the rows that have them.
    return MappingProxyType(json.loads(text))


def _or_none(value: Any) -> Any:
    return None if value == "" else value


_READERS: dict[str, Callable[[Any], Any]] = {
    "choices": _choices, "gpc": bool, "region": _or_none, "parental_consent": _or_none,
}


def _key_value(record: Record, dimension: str) -> Any:
    if dimension == "choices":
        # The stores key on the canonical JSON text (sorted keys), as the codec writes it.
        return json.dumps(dict(record.choices), sort_keys=True, separators=(",", ":"))
    if dimension == "gpc":
        return bool(record.gpc)
    value = getattr(record, dimension)
    return "" if value is None and dimension in _NULLABLE else value


def count_records(records: Iterable[Record], since: date, until: date, by: Sequence[str],
                  per: str = "day") -> list[DailyCount]:
    """What the rollups hold, counted from the records themselves (decisions only)."""
    by = check_by(by)
    check_period(since, until, per)
    counts: Counter[tuple[Any, ...]] = Counter()
    for record in records:
        day = record.at.date()
        if record.kind == "decision" and since <= day < until:
            when = day.replace(day=1) if per == "month" else week_of(day) if per == "week" else day
            counts[(when.isoformat(), *(_key_value(record, d) for d in by))] += 1
    return from_rows([(*key, n) for key, n in sorted(counts.items())], by)


def outcome(choices: Mapping[str, bool]) -> str:
    """``accepted_all``, ``rejected_all`` (nothing granted but what cannot be
    refused) or ``customised``, from a decision's choices."""
    optional = {c: v for c, v in choices.items() if c != "necessary"}
    if optional and all(optional.values()):
        return "accepted_all"
    if not any(optional.values()):
        return "rejected_all"
    return "customised"
