"""Sensitive personal information (rules R40, R43, R44; contract section 8): a
category or service marked ``sensitive`` is off until an opt-in where the region says
so (Colorado...), even in opt_out mode; Washington's separate consent to share; and
California's "Limit the Use of My Sensitive Personal Information": a page without
JavaScript, a JSON or form POST that turns it all off at once and is recorded."""

from __future__ import annotations

import re

import pytest

from consentkit import Category, Policy, PolicyError, Region, Service
from consentkit.receipts import to_receipt
from tests.apps import client
from tests.kits import make_policy
from tests.minors.flow import SITE, all_records
from tests.test_gpp import reference_decode

pytestmark = pytest.mark.anyio

CO = {"CloudFront-Viewer-Country": "US", "CloudFront-Viewer-Country-Region": "CO"}
CA = {"CloudFront-Viewer-Country": "US", "CloudFront-Viewer-Country-Region": "CA"}
WA = {"CloudFront-Viewer-Country": "US", "CloudFront-Viewer-Country-Region": "WA"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def health_policy() -> Policy:
    base = make_policy("opt_out", age_gate=False)
    health = Category("health", sensitive=True, label="Health tools", services=[
        Service("symptom-checker", vendor="Example Health AI", hosts=["symptoms.example-ai.test"])])
    wellness_ads = Category("wellness_ads", sensitive=True, purposes=["sharing", "targeted_advertising"], services=[
        Service("wellness-pixel", vendor="Example Wellness Ads", hosts=["pixel.example-wellness.test"])])
    maps = Category("maps", services=[
        Service("precise-map", vendor="Example Maps", hosts=["maps.example.test"], sensitive=True),
        Service("store-finder", vendor="Example Maps", hosts=["stores.example.test"])])
    return Policy(base.version, [*base.categories, health, wellness_ads, maps], mode="opt_out", regions=[
        Region("US-CA"), Region("US-CO", sensitive="opt_in"), Region("US-WA", sensitive="separate")])


def test_sensitive_and_purposes_are_checked():
    with pytest.raises(PolicyError, match="required and sensitive"):
        Category("necessary", required=True, sensitive=True)
    with pytest.raises(PolicyError, match="sensitive must be a list"):
        Category("health", sensitive="yes")
    with pytest.raises(PolicyError, match="sensitive is 'ask'"):
        Region("US-CO", sensitive="ask")
    policy = Policy.from_dict({"version": "1", "sensitive": "opt_in", "categories": [
        {"id": "necessary", "required": True},
        {"id": "health", "sensitive": True, "services": [{"id": "x", "sensitive": True}]}]})
    assert policy.sensitive == "opt_in" and policy.sensitive_ids == ("health",)
    assert policy.sensitive_service_ids == ("x",)


async def test_r43_colorado_sensitive_data_is_off_until_an_opt_in_even_in_opt_out_mode(make_kit):
    kit = make_kit(health_policy(), region_source="cloudfront")
    async with client(kit, Origin=SITE) as c:
        co = (await c.get("/consentkit/state", headers=CO)).json()
        ca = (await c.get("/consentkit/state", headers=CA)).json()
        # "Accept all" in the banner is an opt-in: it names every category.
        accepted = (await c.post("/consentkit/consent", headers=CO, json={
            "choices": {"analytics": True, "health": True, "maps": True}, "source": "banner"})).json()
    assert co["mode"] == "opt_out" and co["categories"]["analytics"] is True
    assert co["categories"]["health"] is False and co["categories"]["wellness_ads"] is False
    # A sensitive service in a category that is not: off until its category or it is granted.
    assert co["services"]["precise-map"] is False and co["services"]["store-finder"] is True
    assert ca["categories"]["health"] is True and ca["services"]["precise-map"] is True  # California: limit, not opt-in
    assert accepted["categories"]["health"] is True and accepted["services"]["precise-map"] is True


async def test_r44_washington_sharing_health_data_needs_a_consent_of_its_own(make_kit):
    kit = make_kit(health_policy(), region_source="cloudfront")
    async with client(kit, Origin=SITE, **WA) as c:
        together = (await c.post("/consentkit/consent", json={
            "choices": {"health": True, "wellness_ads": True}, "source": "preferences"})).json()
        banner = (await c.post("/consentkit/consent", json={
            "choices": {"wellness_ads": True}, "source": "banner"})).json()
        apart = (await c.post("/consentkit/consent", json={
            "choices": {"wellness_ads": True}, "source": "preferences"})).json()
    # Consent to collect (health) is given; consent to share is not, until given apart.
    assert together["categories"]["health"] is True and together["categories"]["wellness_ads"] is False
    assert banner["categories"]["wellness_ads"] is False
    assert apart["categories"]["wellness_ads"] is True


async def test_r40_limit_turns_sensitive_data_off_at_once_and_is_recorded(make_kit):
    kit = make_kit(health_policy(), region_source="cloudfront")
    async with client(kit, Origin=SITE, **CA) as c:
        before = (await c.get("/consentkit/state")).json()
        r = await c.post("/consentkit/limit", json={})
        again = (await c.get("/consentkit/state")).json()
    assert before["sensitive_limited"] is False and before["categories"]["health"] is True
    state = r.json()
    assert r.status_code == 200 and state["sensitive_limited"] is True and again == state
    assert state["categories"]["health"] is False and state["categories"]["wellness_ads"] is False
    assert state["services"]["precise-map"] is False and state["services"]["store-finder"] is True
    assert state["categories"]["analytics"] is True and state["categories"]["advertising"] is True  # nothing else
    [record] = await all_records(kit)
    assert (record.source, record.extra["action"], record.region) == ("link", "limit", "US-CA")
    assert record.browser == ""  # a minimal record, like an opt-out's
    receipt = to_receipt(record, kit.policy)
    assert receipt["sensitive"] is True and receipt["spiCat"] == ["Health tools", "Wellness ads"]


async def test_r40_the_limit_page_works_without_javascript(make_kit):
    kit = make_kit(health_policy(), region_source="cloudfront")
    async with client(kit, Origin=SITE, **CA) as c:
        page = await c.get("/consentkit/limit?next=/quote")
        assert page.status_code == 200 and "<script" not in page.text
        assert "Limit the Use of My Sensitive Personal Information" in page.text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        forged = await c.post("/consentkit/limit", content="next=/quote", headers=FORM)
        assert forged.status_code == 403 and (await c.get("/consentkit/state")).json()["sensitive_limited"] is False
        done = await c.post("/consentkit/limit", content=f"csrf_token={token}&next=/quote", headers=FORM)
        assert done.status_code == 303 and done.headers["location"] == "/consentkit/limit?next=/quote"
        after = await c.get(done.headers["location"])
    assert "is in effect" in after.text and "<form" not in after.text
    assert (await all_records(kit))[0].extra["action"] == "limit"


async def test_a_later_grant_lifts_the_limit(make_kit):
    kit = make_kit(health_policy(), region_source="cloudfront")
    async with client(kit, Origin=SITE, **CA) as c:
        await c.post("/consentkit/limit", json={})
        granted = (await c.post("/consentkit/consent", json={"choices": {"health": True},
                                                              "source": "preferences"})).json()
    assert granted["categories"]["health"] is True and granted["sensitive_limited"] is False


@pytest.mark.parametrize(("body", "headers", "status"), [
    (b"{\"x\": 1}", {"Content-Type": "application/json"}, 400),
    (b"[]", {"Content-Type": "application/json"}, 400),
    (b"not json", {"Content-Type": "application/json"}, 400),
    (b"x", {"Content-Type": "text/plain"}, 415),
])
async def test_bad_limit_requests_change_nothing(make_kit, body, headers, status):
    kit = make_kit(health_policy(), region_source="cloudfront")
    async with client(kit, Origin=SITE, **CA) as c:
        r = await c.post("/consentkit/limit", content=body, headers=headers)
        state = (await c.get("/consentkit/state")).json()
        cross = await c.post("/consentkit/limit", json={}, headers={"Origin": "https://evil.test"})
    assert r.status_code == status and "error" in r.json() and cross.status_code == 403
    assert state["sensitive_limited"] is False and await all_records(kit) == []


async def test_a_policy_without_sensitive_data_says_so(make_kit):
    kit = make_kit(make_policy())
    async with client(kit, Origin=SITE) as c:
        page = await c.get("/consentkit/limit")
        r = await c.post("/consentkit/limit", json={})
    assert "uses no sensitive personal information" in page.text
    assert r.status_code == 200 and await all_records(kit) == []


def test_purposes_and_the_short_form():
    short = Category("ads", sale_or_sharing=True)
    assert short.purposes == ("sale", "sharing", "targeted_advertising") and short.sale_or_sharing
    targeted = Category("retargeting", purposes=["targeted_advertising"])
    assert targeted.sale_or_sharing  # the opt-out link and GPC turn it off
    profiling = Category("scores", purposes=["profiling"])
    assert not profiling.sale_or_sharing and profiling.purposes == ("profiling",)
    with pytest.raises(PolicyError, match="purpose 'selling' is unknown"):
        Category("ads", purposes=["selling"])
    with pytest.raises(PolicyError, match="name none of sale"):
        Category("ads", sale_or_sharing=True, purposes=["profiling"])
    with pytest.raises(PolicyError, match="must be a list"):
        Category("ads", purposes="sale")


async def test_purposes_reach_the_gpp_string_apart(make_kit):
    """A category only for targeted advertising: the opt-out link turns it off, and the
    GPP string says targeted advertising applies while sale does not."""
    base = make_policy("opt_out", age_gate=False)
    policy = Policy(base.version, [
        Category("necessary", required=True),
        Category("retargeting", purposes=["targeted_advertising"]),
    ])
    kit = make_kit(policy)
    async with client(kit, Origin=SITE) as c:
        before = (await c.get("/consentkit/state")).json()
        after = (await c.post("/consentkit/opt-out", json={})).json()
    assert before["categories"]["retargeting"] is True and after["categories"]["retargeting"] is False
    was, now = (d["sections"]["usnat"] for d in reference_decode([before["gpp"], after["gpp"]]))
    assert (now["SaleOptOutNotice"], now["SaleOptOut"], now["TargetedAdvertisingOptOut"]) == (0, 0, 1)
    assert (was["TargetedAdvertisingOptOutNotice"], was["TargetedAdvertisingOptOut"]) == (1, 2)


async def test_r43_the_gpp_string_says_whether_sensitive_data_may_be_processed(make_kit):
    """Colorado's section, read by the IAB's own library: health data without consent
    (1) until the visitor opts in (2); the kinds the policy does not name are not
    applicable (0); a sensitive service reports its own kind."""
    base = health_policy()
    health = Category("health", sensitive=["health"], services=[Service("symptom-checker", hosts=["s.example.test"])])
    maps = Category("maps", services=[Service("precise-map", hosts=["m.example.test"], sensitive=["precise_geolocation"])])
    policy = Policy(base.version, [*make_policy().categories, health, maps], regions=[
        Region("US-CO", sensitive="opt_in")])
    kit = make_kit(policy, region_source="cloudfront")
    async with client(kit, Origin=SITE, **CO) as c:
        before = (await c.get("/consentkit/state")).json()
        after = (await c.post("/consentkit/consent", json={"choices": {"health": True, "maps": True},
                                                            "source": "preferences"})).json()
    was, now = (d["sections"]["usco"] for d in reference_decode([before["gpp"], after["gpp"]]))
    # usco's bits: racial/ethnic, religious, health, sex life, citizenship, genetic, biometric.
    assert was["SensitiveDataProcessing"] == [0, 0, 1, 0, 0, 0, 0]
    assert now["SensitiveDataProcessing"] == [0, 0, 2, 0, 0, 0, 0]
    nat_was, nat_now = (d["sections"]["usnat"] for d in reference_decode([before["gpp"], after["gpp"]]))
    assert nat_was["SensitiveDataProcessing"][7] == 1 and nat_now["SensitiveDataProcessing"][7] == 2  # location
    assert nat_was["SensitiveDataLimitUseNotice"] == 1
    with pytest.raises(PolicyError, match="sensitive kind 'medical' is unknown"):
        Category("x", sensitive=["medical"])


async def test_r40_erasure_keeps_the_proof_of_a_limit_and_the_opt_out_keeps_its_own_time(make_kit, clock):
    kit = make_kit(health_policy(), region_source="cloudfront")
    async with client(kit, Origin=SITE, **CA) as c:
        await c.post("/consentkit/opt-out", json={})
        clock.advance(days=1)
        await c.post("/consentkit/limit", json={})
        clock.advance(days=1)
        erased = (await c.delete("/consentkit/receipts")).json()
        kept = (await c.get("/consentkit/receipts")).json()["receipts"]
        state = (await c.get("/consentkit/state")).json()
    assert erased["kept"] == 2 and state["sensitive_limited"] is True
    records = await all_records(kit)
    limit = next(r for r in records if r.extra.get("action") == "limit")
    opt_out = next(r for r in records if r.extra.get("action") != "limit")
    assert limit.kind == opt_out.kind == "proof" and limit.region == "US-CA"
    assert dict(limit.choices) == {"health": False, "wellness_ads": False}
    assert opt_out.at < limit.at and opt_out.choices.get("advertising") is False  # dated by the opt-out itself
    assert len(kept) == 2 and {r["recordKind"] for r in kept} == {"proof"}


async def test_a_limit_lifted_since_leaves_no_proof(make_kit, clock):
    kit = make_kit(health_policy(), region_source="cloudfront")
    async with client(kit, Origin=SITE, **CA) as c:
        await c.post("/consentkit/limit", json={})
        clock.advance(days=1)
        await c.post("/consentkit/consent", json={"choices": {"health": True}, "source": "preferences"})
        clock.advance(days=1)
        await c.delete("/consentkit/receipts")
    assert not [r for r in await all_records(kit) if r.extra.get("action") == "limit"]


@pytest.mark.parametrize(("page_from", "post_from", "region"), [
    (CA, CO, "US-CO"), (CO, CA, "US-CA"), (CA, WA, "US-WA"), ({}, CA, "US-CA"), (CA, {}, None)])
async def test_r40_a_limit_posted_from_another_region_than_its_page_applies_there(make_kit, page_from, post_from,
                                                                                   region):
    """A visitor who moves (or whose edge names another region) between the page and its
    button is not refused: the limit applies, and is recorded, by the region of the POST."""
    kit = make_kit(health_policy(), region_source="cloudfront")
    async with client(kit, Origin=SITE) as c:
        page = await c.get("/consentkit/limit", headers=page_from)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        done = await c.post("/consentkit/limit", content=f"csrf_token={token}&next=/", headers={**FORM, **post_from})
        state = (await c.get("/consentkit/state", headers=post_from)).json()
    assert done.status_code == 303 and state["sensitive_limited"] is True
    assert state["categories"]["health"] is False
    [record] = [r for r in await all_records(kit) if r.extra.get("action") == "limit"]
    assert record.region == state["region"] == region


async def test_r40_a_browser_that_keeps_no_cookie_may_still_limit_from_the_page(make_kit):
    """Its POST comes as a new visitor, not the one the page's token was made for: the
    limit is still honoured and recorded; a token that is not this site's is still
    refused, and so is another visitor's token where the browser brings its own cookie."""
    kit = make_kit(health_policy(), region_source="cloudfront")
    async with client(kit, Origin=SITE, **CA) as c:
        page = await c.get("/consentkit/limit")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        c.cookies.clear()
        forged = await c.post("/consentkit/limit", content=f"csrf_token={token[:-2]}xx&next=/", headers=FORM)
        c.cookies.clear()
        done = await c.post("/consentkit/limit", content=f"csrf_token={token}&next=/", headers=FORM)
    assert forged.status_code == 403 and done.status_code == 303
    [record] = await all_records(kit)
    assert record.extra["action"] == "limit" and record.region == "US-CA"
    async with client(kit, Origin=SITE, **CA) as other:
        await other.post("/consentkit/consent", json={"choices": {"analytics": True}})  # a cookie of their own
        theirs = await other.post("/consentkit/limit", content=f"csrf_token={token}&next=/", headers=FORM)
    assert theirs.status_code == 403
    assert len([r for r in await all_records(kit) if r.extra.get("action") == "limit"]) == 1
