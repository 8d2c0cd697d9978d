"""A known mix of decisions for the dashboard's tests, and the figures expected of
it, counted here straight from the records (not through the rollups, nor the
console's own figures code)."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from consentkit.ledger.base import Record

SOURCES = ("banner", "banner", "banner", "preferences", "gpc", "link")
AGES = ("unknown", "unknown", "unknown", "16_plus", "13_15", "under_13")
VERSIONS = ("2026-09-01", "2026-11-01")
OPTIONAL = ("analytics", "captcha", "advertising")


@dataclass
class Mix:
    records: list[Record]
    first: date
    days: int


def make_mix(n: int, end: datetime, days: int = 30, seed: int = 18) -> Mix:
    """``n`` decisions spread over the ``days`` days before ``end``'s day (included)."""
    rnd = random.Random(seed)
    last = end.date()
    records = []
    for i in range(n):
        day = last - timedelta(days=rnd.randrange(days))
        at = datetime(day.year, day.month, day.day, tzinfo=end.tzinfo) + timedelta(seconds=rnd.randrange(86_400))
        at = min(at, end)
        source = rnd.choice(SOURCES)
        pattern = rnd.random()
        if source in ("gpc", "link"):
            choices = {"necessary": True, "analytics": True, "captcha": True, "advertising": False}
        elif pattern < 0.45:
            choices = {"necessary": True, **dict.fromkeys(OPTIONAL, True)}
        elif pattern < 0.75:
            choices = {"necessary": True, **dict.fromkeys(OPTIONAL, False)}
        else:
            choices = {"necessary": True, "analytics": rnd.random() < 0.5, "captcha": True, "advertising": False}
        age = rnd.choice(AGES)
        parental = rnd.choice(("pending", "granted", "denied")) if age == "under_13" else None
        records.append(Record(
            receipt_id=f"r{i:07d}", visitor_id=f"v{i % (n // 3 + 1):07d}", at=at, policy_version=rnd.choice(VERSIONS),
            mode="opt_out", choices=choices, source=source, gpc=source == "gpc" or rnd.random() < 0.02,
            age_band=age, parental_consent=parental, region=None,
        ))
    return Mix(records, last - timedelta(days=days - 1), days)


def outcome_of(record: Record) -> str:
    if record.source in ("gpc", "link"):
        return "opt_out_signal"
    optional = [v for c, v in record.choices.items() if c != "necessary"]
    return "accepted_all" if all(optional) else "rejected_all" if not any(optional) else "customised"


def expected(mix: Mix) -> dict[str, dict[str, Counter[str]]]:
    """Per day (ISO): outcomes, per-category granted and decided, GPC, all,
    opt-outs of sale by source, age bands, parental statuses."""
    out: dict[str, dict[str, Counter[str]]] = {}
    for r in mix.records:
        day = out.setdefault(r.at.date().isoformat(), {k: Counter() for k in (
            "outcomes", "granted", "decided", "gpc", "opt_outs", "ages", "parental")})
        day["outcomes"][outcome_of(r)] += 1
        for c, v in r.choices.items():
            day["decided"][c] += 1
            day["granted"][c] += v
        day["gpc"]["all"] += 1
        day["gpc"]["gpc"] += r.gpc
        if r.choices.get("advertising") is False and (r.source in ("gpc", "link") or r.age_band not in ("under_13", "13_15")):
            day["opt_outs"][r.source] += 1
        day["ages"][r.age_band] += 1
        if r.parental_consent:
            day["parental"][r.parental_consent] += 1
    return out


def versions(mix: Mix) -> Counter[tuple[str, str]]:
    return Counter((r.policy_version, r.source) for r in mix.records)
