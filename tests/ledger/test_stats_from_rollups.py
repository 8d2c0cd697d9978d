"""``consentkit stats`` reads the rollups: its figures equal those counted from the
records one by one, on every backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from consentkit.ledger import Store
from consentkit.ledger.stats import compute, from_store

from .test_rollups import mix

pytestmark = pytest.mark.anyio


async def test_stats_from_the_rollups_equal_stats_from_the_records(store: Store, new_record: Any) -> None:
    records = mix(new_record, 500, seed=9)
    await store.append_many(records)
    await store.append(new_record("v-proof", records[0].at, kind="proof", choices={"advertising": False}))
    since = datetime(2026, 11, 25, tzinfo=UTC)
    until = since + timedelta(days=2)
    for window in ({}, {"since": since}, {"since": since, "until": until}):
        expected = await compute(store.iter_records(window.get("since")), until=window.get("until"))
        assert (await from_store(store, **window)).to_json() == expected.to_json()
        named = await from_store(store, sale_ids=["advertising"], order=["necessary", "advertising"], **window)
        assert named.to_json() == (await compute(store.iter_records(window.get("since")), until=window.get("until"),
                                                 sale_ids=["advertising"], order=["necessary", "advertising"])).to_json()
    assert (await from_store(store)).total().records == 500
