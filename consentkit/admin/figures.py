"""The dashboard's numbers, from the ledger's daily rollups (``DailyCount`` rows):
each figure a table of periods (days, ISO weeks from Monday, or months) by series,
which the page draws as a chart, prints as a table under it and offers as CSV.

Pure: rows in, figures out. What the rollups cannot say is not made up: the ledger
records decisions, not banner views, so "shown the banner" and "never answered"
are not among them (docs/console.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from ..ledger.rollups import DailyCount, outcome
from ..receipts import OPT_OUT_SOURCES

Per = Literal["day", "week", "month"]
Kind = Literal["stack", "line"]
MINORS = frozenset({"under_13", "13_15"})

# The rollup questions the dashboard asks, one per grouping (docs/ledger.md).
DECISIONS_BY = ("mode", "source", "gpc", "age_band", "choices")
MINORS_BY = ("age_band", "parental_consent", "source")
VERSIONS_BY = ("policy_version", "source")
REGIONS_BY = ("region", "mode", "source")


@dataclass(slots=True)
class Figure:
    """A table of ``periods`` by ``series`` (each a list of values, one per period).
    ``unit``: "count", or "percent" (then ``counts`` holds each value's numerator
    and ``bases`` its denominator, for the table)."""

    id: str
    kind: Kind
    periods: list[str]
    series: dict[str, list[float]] = field(default_factory=dict)
    unit: Literal["count", "percent"] = "count"
    counts: dict[str, list[int]] = field(default_factory=dict)
    bases: dict[str, list[int]] = field(default_factory=dict)

    def total(self, name: str) -> float:
        return sum(self.series[name])

    def rows(self) -> list[list[str]]:
        """The table (and CSV): a header, then one row per period."""
        if self.unit == "percent":
            header = ["period"]
            for name in self.series:
                header += [f"{name} %", f"{name} granted", f"{name} of"]
            out = [header]
            for i, period in enumerate(self.periods):
                row = [period]
                for name, values in self.series.items():
                    row += [_percent(values[i]), str(self.counts[name][i]), str(self.bases[name][i])]
                out.append(row)
            return out
        out = [["period", *self.series, "total"]]
        for i, period in enumerate(self.periods):
            values = [int(v[i]) for v in self.series.values()]
            out.append([period, *map(str, values), str(sum(values))])
        return out


def _percent(value: float) -> str:
    return "" if math.isnan(value) else f"{value * 100:.1f}"  # NaN: nothing decided


def period_of(day: date, per: Per) -> date:
    if per == "week":
        return day - timedelta(days=day.weekday())
    if per == "month":
        return day.replace(day=1)
    return day


def periods(since: date, until: date, per: Per) -> list[date]:
    """Every period that starts in [since, until), so that a period without a
    decision still has its place (a zero, not a gap)."""
    out: list[date] = []
    current = period_of(since, per)
    while current < until:
        out.append(current)
        if per == "day":
            current += timedelta(days=1)
        elif per == "week":
            current += timedelta(days=7)
        else:
            current = (current.replace(day=28) + timedelta(days=4)).replace(day=1)
    return out


class _Table:
    """Counts per (period, series), in a fixed period order."""

    def __init__(self, keys: Sequence[date], per: Per) -> None:
        self.per = per
        self.size = len(keys)
        self.labels = [_label(k, per) for k in keys]
        self.values: dict[str, list[int]] = {}

    def add(self, name: str, counts: _Counts) -> None:
        """Add a series' counts per period index."""
        column = self.values.get(name)
        if column is None:
            column = self.values[name] = [0] * self.size
        for i, n in counts.items():
            column[i] += n

    def column(self, name: str) -> list[int]:
        return self.values.get(name, [0] * self.size)


_Counts = dict[int, int]  # decisions per period index


def _grouped(rows: Iterable[DailyCount], keys: Sequence[date], per: Per) -> list[tuple[tuple[Any, ...], _Counts]]:
    """The rows summed per distinct ``values`` and period: [(values, {period index:
    decisions})]. A month of days, or the days of a week, become one entry per
    combination of values, so that what a combination adds to each chart is worked
    out once per combination, not once per row (a page reads tens of thousands)."""
    index = {k: i for i, k in enumerate(keys)}
    of_day: dict[date, int | None] = {}
    groups: dict[tuple[Any, ...], tuple[tuple[Any, ...], _Counts]] = {}
    mappings: list[int] | None = None  # where the values hold a mapping (choices), from the first row
    for day, values, n in rows:
        try:
            i = of_day[day]
        except KeyError:
            i = of_day[day] = index.get(period_of(day, per))
        if i is None:
            continue
        if mappings is None:
            mappings = [j for j, v in enumerate(values) if isinstance(v, Mapping)]
        # A choices mapping is shared by every row of the same choices (rollups.from_rows
        # reads each distinct one once): its id keys it; equal copies only group apart.
        key = values
        if mappings:
            key = (*values[:mappings[0]], id(values[mappings[0]]), *values[mappings[0] + 1:]) \
                if len(mappings) == 1 else tuple(id(v) if j in mappings else v for j, v in enumerate(values))
        group = groups.get(key)
        if group is None:
            group = groups[key] = (values, {})
        counts = group[1]
        counts[i] = counts.get(i, 0) + n
    return list(groups.values())


def _label(day: date, per: Per) -> str:
    if per == "month":
        return day.strftime("%Y-%m")
    if per == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.isoformat()


def _stack(fid: str, table: _Table, order: Iterable[str]) -> Figure:
    names = [n for n in order if n in table.values] + sorted(n for n in table.values if n not in set(order))
    return Figure(fid, "stack", table.labels, {n: [float(v) for v in table.column(n)] for n in names})


OUTCOMES = ("accepted_all", "rejected_all", "customised", "opt_out_signal")
OPT_OUT_ORDER = ("link", "gpc", "banner", "preferences", "parent", "api")


def decision_figures(rows: Sequence[DailyCount], keys: Sequence[date], per: Per, *,
                     categories: Sequence[str], sale_ids: Iterable[str]) -> list[Figure]:
    """From the ``DECISIONS_BY`` rows: outcomes, consent rate per category, GPC
    share, and opt-outs of sale or sharing by source."""
    sale = frozenset(sale_ids)
    outcomes, opt_outs = _Table(keys, per), _Table(keys, per)
    granted, decided, gpc, total = _Table(keys, per), _Table(keys, per), _Table(keys, per), _Table(keys, per)
    # Combinations that add to the same series are summed first: the age band and mode
    # only decide whether a "no" is an opt-out, so hundreds of combinations a day fold
    # into a few dozen, each added to its series once.
    alike: dict[tuple[Any, ...], tuple[tuple[str, int, str | None, Any], _Counts]] = {}
    for (mode, source, signal, age_band, choices), counts in _grouped(rows, keys, per):
        label = "opt_out_signal" if source in OPT_OUT_SOURCES else outcome(choices)
        denied = {c for c, v in choices.items() if not v}
        # An opt-out: a sale category denied by an opt-out action, or by a "no" where
        # the default is "yes" (an adult in opt_out mode), as ``consentkit stats`` counts.
        opted = source if denied & sale and (source in OPT_OUT_SOURCES or (
            mode == "opt_out" and age_band not in MINORS)) else None
        key = (label, bool(signal), opted, id(choices))
        entry = alike.get(key)
        if entry is None:
            alike[key] = ((label, bool(signal), opted, choices), dict(counts))
        else:
            summed = entry[1]
            for i, n in counts.items():
                summed[i] = summed.get(i, 0) + n
    for (label, signal, opted, choices), counts in alike.values():
        outcomes.add(label, counts)
        total.add("all", counts)
        if signal:
            gpc.add("gpc", counts)
        for cid, value in choices.items():
            decided.add(cid, counts)
            if value:
                granted.add(cid, counts)
        if opted is not None:
            opt_outs.add(opted, counts)
    labels = outcomes.labels
    rates = Figure("categories", "line", labels, unit="percent")
    seen = decided.values
    ordered = [c for c in categories if c in seen] + sorted(c for c in seen if c not in categories)
    for cid in [c for c in ordered if c != "necessary"]:
        bases, hits = decided.column(cid), granted.column(cid)
        rates.series[cid] = [h / b if b else float("nan") for h, b in zip(hits, bases, strict=True)]
        rates.counts[cid], rates.bases[cid] = hits, bases
    share = Figure("gpc", "line", labels, unit="percent")
    all_, with_gpc = total.column("all"), gpc.column("gpc")
    share.series["gpc"] = [g / a if a else float("nan") for g, a in zip(with_gpc, all_, strict=True)]
    share.counts["gpc"], share.bases["gpc"] = with_gpc, all_
    return [_stack("outcomes", outcomes, OUTCOMES), rates, share, _stack("opt_outs", opt_outs, OPT_OUT_ORDER)]


AGE_ORDER = ("unknown", "under_13", "13_15", "16_17", "16_plus", "18_plus")
PARENTAL_ORDER = ("pending", "granted", "denied", "revoked")


def minors_figures(rows: Sequence[DailyCount], keys: Sequence[date], per: Per) -> list[Figure]:
    """From the ``MINORS_BY`` rows: decisions per age band, and per parental status."""
    ages, parental = _Table(keys, per), _Table(keys, per)
    for (age_band, status, _source), counts in _grouped(rows, keys, per):
        ages.add(age_band, counts)
        if status is not None:
            parental.add(status, counts)
    return [_stack("ages", ages, AGE_ORDER), _stack("parental", parental, PARENTAL_ORDER)]


@dataclass(slots=True)
class Crosstab:
    """Decisions over the whole range, by two dimensions: rows by columns."""

    id: str
    rows: list[str]
    columns: list[str]
    counts: dict[tuple[str, str], int]

    def table(self) -> list[list[str]]:
        out = [["", *self.columns, "total"]]
        for r in self.rows:
            values = [self.counts.get((r, c), 0) for c in self.columns]
            out.append([r, *map(str, values), str(sum(values))])
        return out


def crosstab(fid: str, rows: Sequence[DailyCount], *, none: str = "-") -> Crosstab:
    """The first two dimensions of ``rows`` against each other (a third, such as the
    source the test decisions were left out by, summed over)."""
    counts: dict[tuple[str, str], int] = {}
    for row in rows:
        a, b = (none if v is None else str(v) for v in row.values[:2])
        counts[(a, b)] = counts.get((a, b), 0) + row.decisions
    return Crosstab(fid, sorted({a for a, _ in counts}), sorted({b for _, b in counts}), counts)
