"""The store suite: every backend (memory, SQLite, PostgreSQL) must pass all of it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from consentkit.ledger import Record, Store

pytestmark = pytest.mark.anyio

T0 = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)


async def _all(store: Store, since: datetime | None = None) -> list[Record]:
    return [r async for r in store.iter_records(since)]


async def test_a_record_reads_back_equal_with_every_field(store: Store, new_record: Any) -> None:
    record = new_record(
        "v-fields", T0.replace(microsecond=123456), source="parent", gpc=True, age_band="under_13",
        parental_consent="granted", verification="email_plus", kind="decision",
        choices={"necessary": True, "analytics": False, "advertising": False},
        extra={"note": "élève ✓", "n": 3}, browser="Mobile Safari", browser_major="17", os="iOS", device="mobile",
    )
    await store.append(record)
    [back] = await store.for_visitor("v-fields")
    assert back == record
    assert back.at.tzinfo is not None and back.at == T0.replace(microsecond=123456)


async def test_append_is_idempotent_on_receipt_id(store: Store, new_record: Any) -> None:
    first = new_record("v-idem", receipt_id="r-same", source="banner")
    await store.append(first)
    await store.append(new_record("v-idem", receipt_id="r-same", source="preferences"))
    await store.append_many([first, first])
    records = await store.for_visitor("v-idem")
    assert [r.source for r in records] == ["banner"]


async def test_for_visitor_is_oldest_first_and_only_that_visitor(store: Store, new_record: Any) -> None:
    times = [T0 + timedelta(minutes=m) for m in (5, 1, 3)]
    await store.append_many([new_record("v-order", t, receipt_id=f"r{i}") for i, t in enumerate(times)])
    await store.append(new_record("someone-else", T0))
    records = await store.for_visitor("v-order")
    assert [r.at for r in records] == sorted(times)
    assert {r.visitor_id for r in records} == {"v-order"}
    assert await store.for_visitor("nobody") == []


async def test_erase_replaces_the_visitors_records_with_the_proof(store: Store, new_record: Any) -> None:
    await store.append_many([new_record("v-erase", T0 + timedelta(seconds=i)) for i in range(3)])
    await store.append(new_record("v-keep", T0))
    proof = new_record("v-erase", T0, kind="proof", choices={"advertising": False}, browser="", os="", device="")
    assert await store.erase_visitor("v-erase", [proof]) == 3
    assert await store.for_visitor("v-erase") == [proof]
    assert len(await store.for_visitor("v-keep")) == 1
    # Erasing again removes the old proof and keeps the new one.
    assert await store.erase_visitor("v-erase", []) == 1
    assert await store.for_visitor("v-erase") == []


async def test_iter_records_streams_in_time_order_from_since(store: Store, new_record: Any) -> None:
    records = [new_record(f"v{i % 7}", T0 + timedelta(seconds=2500 - i)) for i in range(2500)]
    await store.append_many(records)
    streamed = await _all(store)
    assert [r.at for r in streamed] == sorted(r.at for r in records)
    assert len({r.receipt_id for r in streamed}) == 2500
    since = T0 + timedelta(seconds=1001)
    later = await _all(store, since)
    assert len(later) == 1500 and all(r.at >= since for r in later)
    assert await store.count() == 2500
    assert await store.count(since) in (1500, None)


async def test_records_at_the_same_instant_all_stream(store: Store, new_record: Any) -> None:
    # Keyset paging must not lose records that share a timestamp across a page boundary.
    await store.append_many([new_record("same", T0) for _ in range(2100)])
    assert len({r.receipt_id for r in await _all(store)}) == 2100


async def test_purge_deletes_only_older_records(store: Store, new_record: Any) -> None:
    old = [new_record("v-old", T0 - timedelta(days=800 + i)) for i in range(4)]
    young = [new_record("v-young", T0 - timedelta(days=10))]
    await store.append_many(old + young)
    assert await store.purge(T0 - timedelta(days=730)) == 4
    assert [r.visitor_id for r in await _all(store)] == ["v-young"]


async def test_a_thousand_concurrent_appends_give_exactly_a_thousand_records(store: Store, new_record: Any) -> None:
    records = [new_record(f"v{i % 50}", T0 + timedelta(microseconds=i)) for i in range(1000)]
    await asyncio.gather(*(store.append(r) for r in records))
    await asyncio.gather(*(store.append(r) for r in records[:100]))  # retries change nothing
    stored = await _all(store)
    assert len(stored) == 1000
    assert {r.receipt_id for r in stored} == {r.receipt_id for r in records}


async def test_a_receipt_is_found_by_its_id_and_day(store, new_record):
    """The console's proof lookup: by receipt id, optionally within its UTC day."""
    first = new_record(visitor_id="v-find", receipt_id="find-1")
    other = new_record(visitor_id="v-other", receipt_id="find-2")
    await store.append_many([first, other])
    found = await store.find_receipt("find-1")
    assert found is not None and found.visitor_id == "v-find" and found.receipt_id == "find-1"
    assert await store.find_receipt("find-1", first.at.date()) == found
    assert await store.find_receipt("find-1", first.at.date() + timedelta(days=1)) is None
    assert await store.find_receipt("nope") is None
