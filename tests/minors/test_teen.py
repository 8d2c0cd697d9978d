"""The teen opt-in (rule 4, 13-15), through the endpoints: sale or sharing stays
off in opt_out mode, even after "accept all", until the visitor's own explicit
opt-in, which is recorded with its source and confirmed with "you can opt out at
any time"; an opt-out undoes it."""

from __future__ import annotations

import re

import pytest

from tests.apps import client
from tests.kits import make_policy

from .flow import SITE, all_records

pytestmark = pytest.mark.anyio
EVERYTHING = {"analytics": True, "captcha": True, "advertising": True}


async def fourteen(c):
    r = await c.post("/consentkit/consent", json={"age_band": "13_15", "source": "banner"})
    assert r.status_code == 200 and r.json()["age_band"] == "13_15"
    return r.json()


async def test_accept_all_leaves_sale_off_until_the_explicit_opt_in(make_kit, clock):
    kit = make_kit(make_policy("opt_out"))
    async with client(kit, Origin=SITE) as c:
        first = await fourteen(c)
        clock.advance(seconds=1)
        # Before any choice, opt_out mode grants the rest, never sale or sharing.
        assert first["categories"]["analytics"] is True and first["categories"]["advertising"] is False
        accepted = (await c.post("/consentkit/consent", json={"choices": EVERYTHING, "source": "banner"})).json()
        assert accepted["categories"] == {"necessary": True, "analytics": True, "captcha": True, "advertising": False}
        assert accepted["sale_opt_in"] is False and accepted["sale_opt_out"] is True
        assert accepted["usprivacy"] == "1YYN"
        clock.advance(seconds=1)
        asked = await c.post("/consentkit/consent",
                             json={"choices": {"advertising": True}, "sale_opt_in": True, "source": "preferences"})
        assert asked.status_code == 202  # the request; the confirmation applies it (R38)
        opted = await c.post("/consentkit/consent", json={"confirm": asked.json()["confirm"]["token"]})
        state = opted.json()
        assert state["categories"]["advertising"] is True and state["sale_opt_in"] is True
        assert state["sale_opt_out"] is False and state["usprivacy"] == "1YNN"
        again = (await c.get("/consentkit/state")).json()
        assert again["sale_opt_in"] is True and again["categories"]["advertising"] is True
    recorded = [r for r in await all_records(kit) if r.visitor_id == state["visitor_id"]]
    assert [r.source for r in recorded] == ["banner", "banner", "preferences"]
    assert recorded[-1].choices["advertising"] is True and recorded[-1].age_band == "13_15"
    assert recorded[1].choices["advertising"] is False


async def test_the_opt_in_alone_is_not_enough_without_the_category(make_kit):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        await fourteen(c)
        r = await c.post("/consentkit/consent", json={"sale_opt_in": True, "choices": {"advertising": False}})
    assert r.json()["categories"]["advertising"] is False


async def test_an_opt_out_after_the_opt_in_turns_it_off(make_kit):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        await fourteen(c)
        asked = await c.post("/consentkit/consent", json={"choices": {"advertising": True}, "sale_opt_in": True})
        await c.post("/consentkit/consent", json={"confirm": asked.json()["confirm"]["token"]})
        assert (await c.get("/consentkit/state")).json()["categories"]["advertising"] is True
        state = (await c.post("/consentkit/opt-out", json={})).json()
    assert state["categories"]["advertising"] is False and state["sale_opt_in"] is False


async def test_the_preferences_page_confirms_they_can_opt_out_at_any_time(make_kit):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        await fourteen(c)
        page = await c.get("/consentkit/preferences")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        # "Accept all" on the page is no opt-in to sale for a minor.
        r = await c.post("/consentkit/preferences", data={"csrf_token": token, "all": "accept"})
        assert (await c.get("/consentkit/state")).json()["categories"]["advertising"] is False
        step1 = await c.post("/consentkit/preferences", data={"csrf_token": token, "advertising": "1"})
        confirm = re.search(r'name="confirm" value="([^"]+)"', step1.text).group(1)
        r = await c.post("/consentkit/preferences", data={"csrf_token": token, "confirm": confirm})
        assert r.status_code == 303
        confirmation = await c.get(r.headers["location"])
        state = (await c.get("/consentkit/state")).json()
    assert state["sale_opt_in"] is True and state["categories"]["advertising"] is True
    assert "You can opt out at any time: use the" in confirmation.text


async def test_under_13_accept_all_grants_nothing_in_either_mode(make_kit):
    for mode in ("opt_out", "opt_in"):
        kit = make_kit(make_policy(mode))
        async with client(kit, Origin=SITE) as c:
            await c.post("/consentkit/consent", json={"age_band": "under_13"})
            state = (await c.post("/consentkit/consent", json={"choices": EVERYTHING, "sale_opt_in": True})).json()
        assert not any(v for k, v in state["categories"].items() if k != "necessary"), mode
