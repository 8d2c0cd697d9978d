"""Consent statistics per day: how often each category is granted, how many
opt-outs of sale or sharing, how many GPC signals honoured.

``from_store`` reads the store's daily rollups (a few rows a day, whatever the
number of records); ``compute`` counts a stream of records in one pass. Either way
memory is bounded by days times the handful of distinct choice patterns, never by
the number of records or visitors.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import AsyncIterable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from ..receipts import OPT_OUT_SOURCES
from .base import Record, Store

# What the counts depend on: the rollups' "decisions" grouping holds exactly these.
BY = ("mode", "source", "gpc", "age_band", "choices")

_MINORS = frozenset({"under_13", "13_15"})
# What decides whether a record is an opt-out, once the sale categories are known:
# (an opt-out action or proof, "no" is a choice here (adult in opt_out mode), denied categories).
Pattern = tuple[bool, bool, frozenset[str]]


@dataclass(slots=True)
class Day:
    """The counts of one day (UTC)."""

    day: date
    records: int = 0
    gpc_opt_outs: int = 0
    gpc_signal: int = 0
    granted: Counter[str] = field(default_factory=Counter)
    decided: Counter[str] = field(default_factory=Counter)
    patterns: Counter[Pattern] = field(default_factory=Counter)

    def add(self, record: Record) -> None:
        self.add_decisions(1, mode=record.mode, source=record.source, gpc=record.gpc, age_band=record.age_band,
                           choices=record.choices, proof=record.kind == "proof")

    def add_decisions(self, n: int, *, mode: str, source: str, gpc: bool, age_band: str,
                      choices: Mapping[str, bool], proof: bool = False) -> None:
        """Count ``n`` decisions alike in everything these counts depend on; a QA
        run's (source ``test``) count for nothing."""
        if source == "test":
            return
        self.records += n
        self.gpc_opt_outs += n * (source == "gpc")
        self.gpc_signal += n * bool(gpc)
        denied = []
        for cid, value in choices.items():
            self.decided[cid] += n
            if value:
                self.granted[cid] += n
            else:
                denied.append(cid)
        action = proof or source in OPT_OUT_SOURCES
        default_yes = mode == "opt_out" and age_band not in _MINORS
        self.patterns[(action, default_yes, frozenset(denied))] += n

    def opt_outs(self, sale_ids: frozenset[str]) -> int:
        return sum(n for (action, default_yes, denied), n in self.patterns.items()
                   if denied & sale_ids and (action or default_yes))

    def rates(self, categories: Iterable[str]) -> dict[str, float | None]:
        return {c: (self.granted[c] / self.decided[c] if self.decided[c] else None) for c in categories}


@dataclass(slots=True)
class Stats:
    """Per-day counts over a range, and the sale_or_sharing categories they assume."""

    days: list[Day]
    categories: list[str]
    sale_ids: frozenset[str]
    sale_inferred: bool

    def total(self) -> Day:
        total = Day(date.min)
        for day in self.days:
            total.records += day.records
            total.gpc_opt_outs += day.gpc_opt_outs
            total.gpc_signal += day.gpc_signal
            total.granted.update(day.granted)
            total.decided.update(day.decided)
            total.patterns.update(day.patterns)
        return total

    def opt_outs(self, day: Day) -> int | None:
        """The day's opt-outs of sale or sharing; None (unknown) when the policy did not
        say which categories those are: a guess from the records could be wrong."""
        return None if self.sale_inferred else day.opt_outs(self.sale_ids)

    def rows(self) -> list[tuple[str, Day]]:
        return [*((d.day.isoformat(), d) for d in self.days), ("total", self.total())]

    def to_json(self) -> dict[str, Any]:
        def row(day: Day, name: str) -> dict[str, Any]:
            return {
                "day": name,
                "records": day.records,
                "opt_outs": self.opt_outs(day),
                "gpc_opt_outs": day.gpc_opt_outs,
                "gpc_signal": day.gpc_signal,
                "consent_rates": day.rates(self.categories),
                "granted": {c: day.granted[c] for c in self.categories},
                "decided": {c: day.decided[c] for c in self.categories},
            }

        return {
            "categories": self.categories,
            "sale_or_sharing": None if self.sale_inferred else sorted(self.sale_ids),
            "days": [row(d, d.day.isoformat()) for d in self.days],
            "total": row(self.total(), "total"),
        }

    def to_csv(self) -> str:
        """One row a day (and the total): records, opt-outs (empty when unknown), GPC,
        and each category's rate, for a spreadsheet."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["day", "records", "opt_outs", "gpc_opt_outs", *(f"rate_{c}" for c in self.categories)])
        for name, day in self.rows():
            rates = day.rates(self.categories)
            opt_outs = self.opt_outs(day)
            writer.writerow([name, day.records, "" if opt_outs is None else opt_outs, day.gpc_opt_outs,
                             *("" if rates[c] is None else f"{rates[c]:.4f}" for c in self.categories)])
        return out.getvalue()

    def to_table(self) -> str:
        headers = ["day", "records", "opt-outs", "gpc", *self.categories]
        rows = []
        for name, day in self.rows():
            rates = day.rates(self.categories)
            opt_outs = self.opt_outs(day)
            rows.append([
                name, f"{day.records:,}", "unknown" if opt_outs is None else f"{opt_outs:,}", f"{day.gpc_opt_outs:,}",
                *("-" if rates[c] is None else f"{rates[c]:.1%}" for c in self.categories),
            ])
        widths = [max(len(headers[i]), *(len(r[i]) for r in rows)) for i in range(len(headers))]
        lines = ["  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(headers, widths)))]
        for r in rows:
            lines.append("  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(r, widths))))
        if self.sale_inferred:
            sale = "unknown without --policy, which names the sale or sharing categories"
        else:
            sale = ", ".join(sorted(self.sale_ids)) or "none"
        lines.append("")
        lines.append(f"rates: share of decisions granting each category; opt-outs: of sale or sharing ({sale});")
        lines.append("gpc: Global Privacy Control signals honoured (recorded once per visitor)")
        return "\n".join(lines)


async def compute(
    records: AsyncIterable[Record],
    *,
    until: datetime | None = None,
    sale_ids: Iterable[str] | None = None,
    order: Iterable[str] = (),
) -> Stats:
    """Count decisions (not proofs of erased visitors) per UTC day, stopping at
    ``until`` (exclusive; the stream is in time order). ``sale_ids`` names the
    sale_or_sharing categories; without it opt-outs are unknown. ``order`` lists
    categories in the order to show them (the policy's)."""
    days: dict[date, Day] = {}
    async for record in records:
        if until is not None and record.at >= until:
            break
        if record.kind != "decision":
            continue
        day = record.at.date()
        if day not in days:
            days[day] = Day(day)
        days[day].add(record)
    return _finish(days, sale_ids, order)


async def from_store(
    store: Store,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    sale_ids: Iterable[str] | None = None,
    order: Iterable[str] = (),
) -> Stats:
    """The same counts as ``compute``, from the store's daily rollups, for the whole
    UTC days from ``since``'s to the one before ``until`` (exclusive; a time within a
    day includes that day)."""
    first = since.date() if since is not None else date.min
    last = (until - timedelta(microseconds=1)).date() + timedelta(days=1) if until is not None else date.max
    days: dict[date, Day] = {}
    for row in await store.daily_counts(first, last, by=BY):
        mode, source, gpc, age_band, choices = row.values
        if row.day not in days:
            days[row.day] = Day(row.day)
        days[row.day].add_decisions(row.decisions, mode=mode, source=source, gpc=gpc, age_band=age_band,
                                    choices=choices)
    return _finish(days, sale_ids, order)


def _finish(days: dict[date, Day], sale_ids: Iterable[str] | None, order: Iterable[str]) -> Stats:
    seen = set().union(*(d.decided for d in days.values())) if days else set()
    wanted = [c for c in order if c in seen]
    categories = wanted + sorted(seen - set(wanted), key=lambda c: (c != "necessary", c))
    inferred = sale_ids is None
    sale = frozenset(sale_ids) if sale_ids is not None else frozenset()
    return Stats([days[d] for d in sorted(days)], categories, sale, inferred)
