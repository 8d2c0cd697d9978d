"""The request store suite: every backend (memory, SQLite, PostgreSQL) passes all of it."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from consentkit.requests import Conflict, PrivacyRequest, RequestError, RequestStore, Step
from consentkit.requests.model import new_request_id

pytestmark = pytest.mark.anyio

T0 = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def make(type: str = "access", *, subject: str = "s1", at: datetime = T0, due: date = date(2027, 1, 4),
         status: str = "received") -> PrivacyRequest:
    return PrivacyRequest(
        id=new_request_id(), type=type, requester="consumer", status=status, received_at=at,  # type: ignore[arg-type]
        acknowledge_by=date(2026, 12, 7), respond_by=due, subject=subject, contact="ana@example.com",
        details={"name": "Ana ✓"}, verification={"tries": 1}, steps=(Step("received", at),),
    )


async def test_a_request_reads_back_equal(request_store: RequestStore) -> None:
    request = make(at=T0.replace(microsecond=123456))
    request = request.with_step(Step("extended", T0, "staff@example", "archive offline", {"n": 1}),
                                extended_to=date(2027, 2, 18), extension_reason="archive offline")
    added = await request_store.add(request)
    assert added.version == 1
    assert await request_store.get(request.id) == added
    assert await request_store.get("no-such-request") is None


async def test_replace_is_compare_and_swap(request_store: RequestStore) -> None:
    added = await request_store.add(make())
    saved = await request_store.replace(added.evolve(status="in_progress"))
    assert saved.version == 2
    with pytest.raises(Conflict):
        await request_store.replace(added.evolve(status="denied"))  # read at version 1: loses
    assert (await request_store.get(added.id)).status == "in_progress"  # type: ignore[union-attr]
    with pytest.raises(RequestError):
        await request_store.add(make().evolve(id=added.id))


async def test_two_writers_of_one_version_one_wins(request_store: RequestStore) -> None:
    added = await request_store.add(make())
    results = await asyncio.gather(*(request_store.replace(added.evolve(reason=str(i))) for i in range(5)),
                                   return_exceptions=True)
    assert sum(1 for r in results if isinstance(r, PrivacyRequest)) == 1
    assert sum(1 for r in results if isinstance(r, Conflict)) == 4


async def test_the_list_is_by_deadline_open_first_and_filters(request_store: RequestStore) -> None:
    late = await request_store.add(make(due=date(2026, 12, 1)))
    soon = await request_store.add(make("delete", due=date(2027, 1, 4)))
    later = await request_store.add(make(due=date(2027, 2, 1)))
    extended = await request_store.replace(later.evolve(extended_to=date(2027, 3, 1)))
    closed = await request_store.add(make(due=date(2026, 11, 30), status="fulfilled"))
    assert [s.id for s in await request_store.find()] == [late.id, soon.id, extended.id]
    summary = (await request_store.find())[2]
    assert summary.extended and summary.due == date(2027, 3, 1)
    assert [s.id for s in await request_store.find(due_before=date(2026, 12, 10))] == [late.id]
    assert [s.id for s in await request_store.find(type="delete")] == [soon.id]
    assert [s.id for s in await request_store.find(status="closed")] == [closed.id]
    assert [s.id for s in await request_store.find(status=None, limit=2, offset=1)] == [late.id, soon.id]
    assert (await request_store.find(status="closed"))[0].overdue(date(2027, 1, 1)) is False
    assert (await request_store.find())[0].overdue(date(2026, 12, 2)) is True


async def test_counts_per_person(request_store: RequestStore) -> None:
    await request_store.add(make("access", subject="p", status="fulfilled", at=T0 - timedelta(days=400)))
    await request_store.add(make("access", subject="p", status="fulfilled", at=T0 - timedelta(days=100)))
    await request_store.add(make("know_categories", subject="p", status="in_progress", at=T0))
    await request_store.add(make("access", subject="p", status="received", at=T0))     # not verified: not counted
    await request_store.add(make("delete", subject="p", status="fulfilled", at=T0))    # not a request to know
    await request_store.add(make("access", subject="q", status="fulfilled", at=T0))
    since = T0 - timedelta(days=365)
    assert await request_store.count_known("p", since) == 2
    assert await request_store.count_from("p", T0 - timedelta(days=1)) == 3
    between = await request_store.received_between(T0 - timedelta(days=200), T0 + timedelta(seconds=1))
    assert [r.received_at for r in between] == sorted(r.received_at for r in between) and len(between) == 5
