"""The daily rollups, on every backend: what ``daily_counts`` answers equals what the
records themselves say (counted independently here), through appends, repeated
appends, erasures and retention."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from consentkit.ledger import LedgerError, Record, Store
from consentkit.ledger.rollups import GROUPINGS, outcome

pytestmark = pytest.mark.anyio

T0 = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)
DAY0 = T0.date() - timedelta(days=3)
DAYS = (DAY0, T0.date() + timedelta(days=2))
PATTERNS = (
    {"necessary": True, "analytics": True, "advertising": True},
    {"necessary": True, "analytics": False, "advertising": False},
    {"necessary": True, "analytics": True, "advertising": False},
)


def mix(new_record: Any, n: int, seed: int = 3) -> list[Record]:
    """``n`` decisions over four days with every dimension varied."""
    rng = random.Random(seed)
    records = []
    for i in range(n):
        age = rng.choice(["unknown", "16_plus", "13_15", "under_13"])
        records.append(new_record(
            f"v{i % 37}", T0 - timedelta(days=rng.randrange(4), seconds=rng.randrange(40000)),
            policy_version=rng.choice(["2026-01-01", "2026-11-01"]), mode=rng.choice(["opt_in", "opt_out"]),
            region=rng.choice([None, "EU", "US-CA"]), source=rng.choice(["banner", "preferences", "gpc", "link"]),
            gpc=rng.random() < 0.2, age_band=age,
            parental_consent=rng.choice(["granted", "pending"]) if age == "under_13" else None,
            choices=rng.choice(PATTERNS),
        ))
    return records


def expected(records: list[Record], by: tuple[str, ...]) -> Counter[tuple[Any, ...]]:
    """Decisions per (day, *values), counted here without the rollups module."""
    counts: Counter[tuple[Any, ...]] = Counter()
    for r in records:
        if r.kind == "decision" and DAYS[0] <= r.at.date() < DAYS[1]:
            counts[(r.at.date(), *(_plain(getattr(r, d)) for d in by))] += 1
    return counts


def _plain(value: Any) -> str:
    return repr(sorted(value.items()) if isinstance(value, Mapping) else value)


async def answered(store: Store, by: tuple[str, ...]) -> Counter[tuple[Any, ...]]:
    rows = await store.daily_counts(*DAYS, by=by)
    assert [r.day for r in rows] == sorted(r.day for r in rows)
    return Counter({(r.day, *(_plain(v) for v in r.values)): r.decisions for r in rows})


BYS = [(), *(dims for dims in GROUPINGS.values()), ("source",), ("region",), ("choices",), ("gpc", "region")]


async def test_daily_counts_equal_the_records_for_every_grouping(store: Store, new_record: Any) -> None:
    records = mix(new_record, 600)
    await store.append_many(records[:300])
    await asyncio.gather(*(store.append(r) for r in records[300:]))
    await store.append_many(records[:50])  # a replay counts nothing twice
    proof = new_record("v-proof", T0, kind="proof", choices={"advertising": False})
    await store.append(proof)  # proofs are not decisions
    for by in BYS:
        assert await answered(store, by) == expected(records, by), by
    await fold(store)  # what was staged, now in the rollups: the same answers
    await store.append_many(records[100:150])
    for by in BYS:
        assert await answered(store, by) == expected(records, by), by


async def fold(store: Store) -> None:
    folding = getattr(store, "fold", None)
    if folding is not None:
        await folding()


async def test_erasure_and_retention_take_their_records_out_of_the_counts(store: Store, new_record: Any) -> None:
    records = mix(new_record, 300, seed=5)
    await store.append_many(records)
    await fold(store)  # erasure and retention take away from folded counts and staged ones alike
    staged = [new_record("v3", T0 - timedelta(days=3)), new_record("v4", T0)]
    await store.append_many(staged)
    records = records + staged
    proof = new_record("v3", T0, kind="proof", choices={"advertising": False})
    assert await store.erase_visitor("v3", [proof]) == sum(r.visitor_id == "v3" for r in records)
    kept = [r for r in records if r.visitor_id != "v3"]
    cutoff = T0 - timedelta(days=2, hours=5)
    purged = await store.purge(cutoff)
    assert purged == sum(r.at < cutoff for r in kept)
    kept = [r for r in kept if r.at >= cutoff]
    for by in BYS:
        assert await answered(store, by) == expected(kept, by), by


async def test_counts_come_in_the_shapes_asked_for(store: Store, new_record: Any) -> None:
    await store.append_many([
        new_record("a", T0, choices=PATTERNS[0], region="EU", parental_consent=None),
        new_record("b", T0, choices=PATTERNS[0], region=None, gpc=True),
    ])
    by = ("region", "mode", "gpc", "choices")
    rows = await store.daily_counts(T0.date(), T0.date() + timedelta(days=1), by=by)
    assert [(r.day, r.values, r.decisions) for r in rows if r.values[0] is None] == [
        (T0.date(), (None, "opt_out", True, PATTERNS[0]), 1)]
    [eu] = [r for r in rows if r.value(by, "region") == "EU"]
    assert eu.value(by, "choices") == PATTERNS[0] and eu.value(by, "gpc") is False
    [total] = await store.daily_counts(T0.date(), T0.date() + timedelta(days=1))
    assert (total.day, total.values, total.decisions) == (T0.date(), (), 2)


async def test_unknown_or_ungrouped_dimensions_are_refused(store: Store) -> None:
    with pytest.raises(LedgerError, match="cannot count by browser"):
        await store.daily_counts(*DAYS, by=("browser",))
    with pytest.raises(LedgerError, match="do not count region, policy_version together"):
        await store.daily_counts(*DAYS, by=("region", "policy_version"))
    with pytest.raises(LedgerError, match="dates"):
        await store.daily_counts(T0, T0, by=())  # type: ignore[arg-type]
    assert await store.daily_counts(date(2020, 1, 1), date(2020, 1, 2)) == []


async def test_monthly_counts_equal_the_records_by_month(store: Store, new_record: Any) -> None:
    rng = random.Random(17)
    records = [replace(r, at=datetime(2026, 9, 1, tzinfo=UTC) + timedelta(hours=rng.randrange(24 * 85)))
               for r in mix(new_record, 400, seed=17)]
    await store.append_many(records)
    await store.erase_visitor("v5", [])
    kept = [r for r in records if r.visitor_id != "v5"]
    for by in BYS:
        rows = await store.daily_counts(date(2026, 9, 1), date(2026, 12, 1), by=by, per="month")
        got = Counter({(r.day, *(_plain(v) for v in r.values)): r.decisions for r in rows})
        want: Counter[tuple[Any, ...]] = Counter()
        for r in kept:
            want[(r.at.date().replace(day=1), *(_plain(getattr(r, d)) for d in by))] += 1
        assert got == want, by
    with pytest.raises(LedgerError, match="first of a month"):
        await store.daily_counts(date(2026, 9, 2), date(2026, 12, 1), per="month")


async def test_weekly_counts_equal_the_records_by_iso_week(store: Store, new_record: Any) -> None:
    """Per ISO week, keyed by its Monday, summed by the store (the console's weekly
    view), across a month's end and up to a ``until`` in mid-week."""
    rng = random.Random(19)
    records = [replace(r, at=datetime(2026, 9, 7, tzinfo=UTC) + timedelta(hours=rng.randrange(24 * 60)))
               for r in mix(new_record, 400, seed=19)]
    await store.append_many(records)
    until = date(2026, 11, 4)  # a Wednesday
    for by in BYS:
        rows = await store.daily_counts(date(2026, 9, 7), until, by=by, per="week")
        assert all(r.day.weekday() == 0 for r in rows)
        got = Counter({(r.day, *(_plain(v) for v in r.values)): r.decisions for r in rows})
        want: Counter[tuple[Any, ...]] = Counter()
        for r in records:
            if r.at.date() < until:
                want[(r.at.date() - timedelta(days=r.at.weekday()), *(_plain(getattr(r, d)) for d in by))] += 1
        assert got == want, by
    with pytest.raises(LedgerError, match="Monday"):
        await store.daily_counts(date(2026, 9, 8), until, per="week")


def test_outcomes_of_choice_patterns() -> None:
    assert outcome({"necessary": True, "analytics": True, "advertising": True}) == "accepted_all"
    assert outcome({"necessary": True, "analytics": False, "advertising": False}) == "rejected_all"
    assert outcome({"necessary": True, "analytics": True, "advertising": False}) == "customised"
    assert outcome({"necessary": True}) == "rejected_all"


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_refresh_counts_days_again_from_their_records(
    backend: str, request: pytest.FixtureRequest, tmp_path: Any, new_record: Any
) -> None:
    """The scheduled mode: appends leave the rollups alone, a refresh counts them."""
    store: Any
    if backend == "sqlite":
        from consentkit.ledger.sqlite import SqliteStore

        store = SqliteStore(tmp_path / "ledger.db")
    else:
        from consentkit.ledger.postgres import PostgresStore

        store = PostgresStore(request.getfixturevalue("postgres_url"), schema=request.getfixturevalue("pg_schema"),
                              rollups="scheduled")
    await store.open()
    try:
        records = mix(new_record, 300, seed=13)
        await store.append_many(records)
        if backend == "postgres":
            assert await store.daily_counts(*DAYS) == []  # scheduled: nothing counted yet
        assert await store.refresh_rollups(*DAYS) == len(records)
        for by in BYS:
            assert await answered(store, by) == expected(records, by), by
        assert await store.refresh_rollups(*DAYS) == len(records)  # again: the same, not twice
        [month] = await store.daily_counts(date(2026, 11, 1), date(2026, 12, 1), per="month")
        assert month.decisions == len(records)
    finally:
        await store.close()
