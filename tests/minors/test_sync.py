"""The child's side: only children with a parental status are looked up, a
child's page views within a few seconds read the store once, the flow's own
writes show on the next request, and a store that is down changes nothing."""

from __future__ import annotations

import pytest

from consentkit.minors.flowstate import CACHE_SECONDS
from tests.apps import client

from .flow import SITE, CountingStore, ask_parent, decide, make_child

pytestmark = pytest.mark.anyio


def counting_kit(make_kit):
    kit = make_kit()
    kit.ledger.store = CountingStore()
    return kit, kit.ledger.store


@pytest.mark.parametrize("band", [None, "16_plus", "13_15", "under_13"])
async def test_no_store_access_for_visitors_without_a_parental_status(make_kit, band):
    kit, store = counting_kit(make_kit)
    async with client(kit, Origin=SITE) as c:
        if band:
            await c.post("/consentkit/consent", json={"age_band": band, "choices": {"analytics": True}})
        for _ in range(5):
            await c.get("/")
            await c.get("/consentkit/state")
    assert store.reads == 0


async def test_a_childs_page_views_read_the_store_once_per_period(make_kit, clock):
    kit, store = counting_kit(make_kit)
    async with client(kit, Origin=SITE) as c:
        await make_child(c)
        await ask_parent(c, kit)
        store.reads = 0
        for _ in range(5):
            assert (await c.get("/consentkit/state")).json()["parental_consent"] == "pending"
        assert store.reads == 1
        clock.advance(seconds=CACHE_SECONDS + 1)
        await c.get("/")
        assert store.reads == 2


async def test_a_decision_shows_on_the_childs_very_next_request(make_kit):
    kit, _ = counting_kit(make_kit)
    async with client(kit, Origin=SITE) as c:
        await make_child(c)
        path = await ask_parent(c, kit)
        assert (await c.get("/consentkit/state")).json()["parental_consent"] == "pending"
        async with client(kit, Origin=SITE) as p:
            await decide(p, path, grant=["analytics"])
        state = (await c.get("/consentkit/state")).json()
    assert state["parental_consent"] == "granted" and state["categories"]["analytics"] is True


async def test_a_store_that_is_down_keeps_the_cookies_status(make_kit, clock):
    kit, store = counting_kit(make_kit)
    async with client(kit, Origin=SITE) as c:
        await make_child(c)
        path = await ask_parent(c, kit)
        async with client(kit, Origin=SITE) as p:
            await decide(p, path, grant=["analytics"])
        assert (await c.get("/consentkit/state")).json()["parental_consent"] == "granted"
        clock.advance(seconds=CACHE_SECONDS + 1)
        store.down = True
        r = await c.get("/consentkit/state")
        assert r.status_code == 200 and r.json()["parental_consent"] == "granted"
        assert (await c.get("/")).status_code == 200


async def test_a_child_whose_records_are_gone_starts_over(make_kit):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        child = await make_child(c)
        path = await ask_parent(c, kit)
        async with client(kit, Origin=SITE) as p:
            await decide(p, path, grant=["analytics"])
        assert (await c.get("/consentkit/state")).json()["parental_consent"] == "granted"
        # The records are gone (purged after the retention period): no proof of the
        # parent's consent is left. (A child's own erasure keeps it: test_manage.)
        await kit.ledger.erase_visitor(child, [])
        kit.parental.statuses.forget(child)
        state = (await c.get("/consentkit/state")).json()
    assert state["parental_consent"] is None and state["categories"]["analytics"] is False
