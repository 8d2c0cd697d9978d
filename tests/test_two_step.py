"""The two-step opt-in to sale or sharing (rules R38 and R39; contract section 8):
after an opt-out within the 12 months, and for a 13-15-year-old, a grant answers 202
with a token and changes nothing; the token sent back applies it. Bad, expired,
stale or foreign tokens are refused and change nothing."""

from __future__ import annotations

import re

import pytest

from consentkit.confirmation import CONFIRM_SECONDS
from tests.apps import client
from tests.kits import make_policy
from tests.minors.flow import SITE, all_records

pytestmark = pytest.mark.anyio
AD = {"advertising": True}


async def _state(c):
    return (await c.get("/consentkit/state")).json()


async def _opted_out(c):
    r = await c.post("/consentkit/opt-out", json={})
    assert r.status_code == 200 and r.json()["sale_opt_out"] is True
    return r.json()


@pytest.mark.parametrize("source", ["preferences", "api"])
async def test_r38_opt_in_after_an_opt_out_takes_a_request_then_a_confirmation(make_kit, clock, source):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        before = await _opted_out(c)
        clock.advance(seconds=5)
        first = await c.post("/consentkit/consent", json={"choices": AD, "source": source})
        assert first.status_code == 202
        body = first.json()
        assert body["confirm"]["categories"] == ["advertising"] and body["confirm"]["token"]
        assert body["state"]["categories"]["advertising"] is False
        # Nothing changed: same state, no record.
        assert await _state(c) == before
        assert len(await all_records(kit)) == 1
        clock.advance(seconds=5)
        second = await c.post("/consentkit/consent", json={"confirm": body["confirm"]["token"]})
        assert second.status_code == 200
        assert second.json()["categories"]["advertising"] is True and second.json()["sale_opt_out"] is False
        # Single use: the state it was bound to is gone.
        again = await c.post("/consentkit/consent", json={"confirm": body["confirm"]["token"]})
        assert again.status_code == 409
    records = await all_records(kit)
    assert [r.source for r in records] == ["link", source]
    assert records[-1].extra["confirmed"] == "two_step"
    assert records[-1].extra["requested_at"] == "2026-11-27T13:00:05Z"


async def test_r38_the_whole_grant_waits_for_the_confirmation(make_kit):
    kit = make_kit(make_policy("opt_in"))
    async with client(kit, Origin=SITE) as c:
        await _opted_out(c)
        r = await c.post("/consentkit/consent", json={"choices": {"analytics": True, "advertising": True},
                                                       "source": "preferences"})
        assert r.status_code == 202 and r.json()["state"]["categories"]["analytics"] is False
        assert (await _state(c))["categories"]["analytics"] is False
        done = (await c.post("/consentkit/consent", json={"confirm": r.json()["confirm"]["token"]})).json()
    assert done["categories"]["analytics"] is True and done["categories"]["advertising"] is True


async def test_r38_without_an_earlier_opt_out_an_adult_opts_in_at_once(make_kit):
    kit = make_kit(make_policy("opt_in"))
    async with client(kit, Origin=SITE) as c:
        r = await c.post("/consentkit/consent", json={"choices": AD, "source": "preferences"})
    assert r.status_code == 200 and r.json()["categories"]["advertising"] is True


async def test_r38_the_banner_cannot_undo_an_opt_out_nor_ask_to(make_kit):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        await _opted_out(c)
        r = await c.post("/consentkit/consent", json={"choices": {"analytics": True, **AD}, "source": "banner"})
    assert r.status_code == 200 and r.json()["categories"]["advertising"] is False


async def test_r38_after_twelve_months_no_confirmation_is_needed(make_kit, clock):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        await _opted_out(c)
        clock.advance(days=367)
        r = await c.post("/consentkit/consent", json={"choices": AD, "source": "preferences"})
    assert r.status_code == 200 and r.json()["categories"]["advertising"] is True


async def test_r38_r39_a_teens_preferences_grant_is_the_first_step(make_kit, clock):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        await c.post("/consentkit/consent", json={"age_band": "13_15", "source": "banner"})
        clock.advance(seconds=1)
        # No separate flag: the grant from the preferences is the request.
        first = await c.post("/consentkit/consent", json={"choices": AD, "source": "preferences"})
        assert first.status_code == 202 and first.json()["state"]["sale_opt_in"] is False
        # The old flag still works, and is a first step too.
        flagged = await c.post("/consentkit/consent", json={"choices": AD, "sale_opt_in": True})
        assert flagged.status_code == 202
        assert (await _state(c))["categories"]["advertising"] is False
        done = (await c.post("/consentkit/consent", json={"confirm": first.json()["confirm"]["token"]})).json()
    assert done["categories"]["advertising"] is True and done["sale_opt_in"] is True


async def test_r38_the_flag_alone_cannot_turn_an_earlier_grant_on(make_kit):
    """An adult's grant stays in the cookie when they answer 13-15 later; the teen's
    flag alone would turn it on in one step: it is a first step too."""
    kit = make_kit(make_policy("opt_in"))
    async with client(kit, Origin=SITE) as c:
        await c.post("/consentkit/consent", json={"choices": AD, "source": "banner"})
        teen = (await c.post("/consentkit/consent", json={"age_band": "13_15"})).json()
        assert teen["categories"]["advertising"] is False
        r = await c.post("/consentkit/consent", json={"sale_opt_in": True})
    assert r.status_code == 202 and r.json()["confirm"]["categories"] == ["advertising"]


@pytest.mark.parametrize("token, status", [
    ("", 400), ("x" * 5000, 400), ("not-a-token", 400), (42, 400), ("eyJ2IjoiIn0.AAAA.BBBB", 400),
])
async def test_r38_a_bad_token_is_refused_and_changes_nothing(make_kit, token, status):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        before = await _opted_out(c)
        r = await c.post("/consentkit/consent", json={"confirm": token})
        assert r.status_code == status and "error" in r.json()
        assert await _state(c) == before
    assert len(await all_records(kit)) == 1


async def test_r38_confirm_goes_alone(make_kit):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        r = await c.post("/consentkit/consent", json={"confirm": "t", "choices": AD})
    assert r.status_code == 400 and "alone" in r.json()["error"]


async def test_r38_an_expired_token_is_refused(make_kit, clock):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        before = await _opted_out(c)
        token = (await c.post("/consentkit/consent", json={"choices": AD, "source": "api"})).json()["confirm"]["token"]
        clock.advance(seconds=CONFIRM_SECONDS + 1)
        r = await c.post("/consentkit/consent", json={"confirm": token})
        assert r.status_code == 410 and "expired" in r.json()["error"]
        assert await _state(c) == before


async def test_r38_a_token_is_bound_to_its_visitor(make_kit):
    kit = make_kit()
    async with client(kit, Origin=SITE) as a, client(kit, Origin=SITE) as b:
        await _opted_out(a)
        await _opted_out(b)
        token = (await a.post("/consentkit/consent", json={"choices": AD})).json()["confirm"]["token"]
        r = await b.post("/consentkit/consent", json={"confirm": token})
        assert r.status_code == 400 and "another visitor" in r.json()["error"]
        assert (await _state(b))["categories"]["advertising"] is False


async def test_r38_a_token_goes_stale_when_the_choices_change(make_kit, clock):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        await _opted_out(c)
        token = (await c.post("/consentkit/consent", json={"choices": AD})).json()["confirm"]["token"]
        clock.advance(seconds=2)
        await _opted_out(c)  # opted out again meanwhile
        r = await c.post("/consentkit/consent", json={"confirm": token})
        assert r.status_code == 409
        assert (await _state(c))["categories"]["advertising"] is False


async def test_r38_r39_the_preferences_page_shows_the_confirmation_step(make_kit, clock):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        await c.post("/consentkit/consent", json={"age_band": "13_15", "source": "banner"})
        page = await c.get("/consentkit/preferences")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        step1 = await c.post("/consentkit/preferences", data={"csrf_token": csrf, "advertising": "1", "analytics": "1"})
        assert step1.status_code == 200 and 'name="confirm"' in step1.text
        # R39: the teen is told how to opt out later, not only that they may.
        assert "Do Not Sell or Share My Personal Information" in step1.text
        assert (await _state(c))["categories"]["advertising"] is False
        token = re.search(r'name="confirm" value="([^"]+)"', step1.text).group(1)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', step1.text).group(1)
        clock.advance(seconds=3)
        step2 = await c.post("/consentkit/preferences", data={"csrf_token": csrf, "confirm": token})
        assert step2.status_code == 303
        shown = await c.get(step2.headers["location"])
        state = await _state(c)
    assert state["categories"]["advertising"] is True and state["sale_opt_in"] is True
    assert "Do Not Sell or Share My Personal Information" in shown.text and 'class="ck-hon"' in shown.text


async def test_r38_the_preferences_page_refuses_a_bad_confirmation(make_kit):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        before = await _opted_out(c)
        page = await c.get("/consentkit/preferences")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        r = await c.post("/consentkit/preferences", data={"csrf_token": csrf, "confirm": "forged"})
        assert r.status_code == 400
        assert await _state(c) == before


async def test_r38_a_service_grant_in_a_sale_category_takes_two_steps_too(make_kit):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        await _opted_out(c)
        r = await c.post("/consentkit/consent", json={"services": {"ads": True}, "source": "preferences"})
        assert r.status_code == 202 and r.json()["confirm"]["categories"] == ["advertising"]
        assert r.json()["state"]["services"]["ads"] is False
        done = (await c.post("/consentkit/consent", json={"confirm": r.json()["confirm"]["token"]})).json()
    assert done["services"]["ads"] is True
