"""Service-level choices (contract section 8): a service granted (or refused) on its
own inside a category, through the rules, the cookie, the API, the ledger and receipts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consentkit.cookie import CookieCodec, decode_payload, encode_payload
from consentkit.rules import RuleError, Signals, decide, evaluate, opt_out, view
from consentkit.state import Choices

from .apps import client
from .kits import START, make_policy

SITE = "http://testserver"
VISITOR = "v" * 22


def _decide(policy, choices, **kwargs):
    kwargs.setdefault("source", "preferences")
    return decide(policy, choices, now=kwargs.pop("now", START), **kwargs)


@pytest.mark.parametrize(
    ("mode", "steps", "expected"),
    [
        # opt_in: nothing until granted; one service alone; the category covers all of them.
        ("opt_in", [], {"web-analytics": False, "clear-gif": False, "ads": False}),
        ("opt_in", [{"services": {"web-analytics": True}}], {"web-analytics": True, "clear-gif": False}),
        ("opt_in", [{"given": {"analytics": True}}], {"web-analytics": True, "clear-gif": True}),
        # A category decided later replaces the services' own choices: reject all undoes a service grant.
        ("opt_in", [{"services": {"web-analytics": True}}, {"given": {"analytics": False}}],
         {"web-analytics": False, "clear-gif": False}),
        # A service refused inside a granted category stays refused; its sibling follows the category.
        ("opt_in", [{"given": {"analytics": True}}, {"services": {"clear-gif": False}}],
         {"web-analytics": True, "clear-gif": False}),
        ("opt_in", [{"given": {"analytics": True}, "services": {"clear-gif": False}}],
         {"web-analytics": True, "clear-gif": False}),
        # opt_out: granted by default; a service can be refused alone.
        ("opt_out", [{"services": {"ads": False}}], {"ads": False, "web-analytics": True}),
        # A child's own service grant does not count (only a parent grants).
        ("opt_in", [{"age_band": "under_13", "services": {"web-analytics": True}}], {"web-analytics": False}),
        # A teen's grant of a sale or sharing service needs the teen's own opt-in: the
        # banner's never is one (elsewhere the grant is the request to opt in, confirmed
        # by the API's second step).
        ("opt_in", [{"age_band": "13_15", "services": {"ads": True}, "source": "banner"}], {"ads": False}),
        ("opt_in", [{"age_band": "13_15", "services": {"ads": True}, "sale_opt_in": True}], {"ads": True}),
    ],
)
def test_effective_services(mode, steps, expected):
    policy = make_policy(mode)
    choices = Choices(visitor_id=VISITOR)
    for step in steps:
        choices = _decide(policy, choices, **step).choices
    state = view(policy, choices, START)
    assert set(state.services) == set(policy.service_ids)
    assert {sid: state.services[sid] for sid in expected} == expected
    for sid, value in expected.items():
        assert state.allows(sid) is value


def test_a_service_grant_leaves_its_category_and_the_banner_alone():
    policy = make_policy("opt_in")
    state = _decide(policy, Choices(visitor_id=VISITOR), services={"web-analytics": True}).state
    assert state.categories["analytics"] is False and state.allows("analytics") is False
    assert state.prompt is True and state.decided is False
    assert state.to_json()["services"]["web-analytics"] is True


@pytest.mark.parametrize(("services", "message"), [
    ({"youtube": True}, "unknown service 'youtube'"),
    ({"analytics": True}, "unknown service 'analytics'"),
])
def test_unknown_services_are_refused(services, message):
    with pytest.raises(RuleError, match=message):
        _decide(make_policy("opt_in"), Choices(visitor_id=VISITOR), services=services)


def test_opt_out_and_gpc_cover_every_sale_service():
    policy = make_policy("opt_in")
    granted = _decide(policy, Choices(visitor_id=VISITOR), services={"ads": True}).choices
    assert view(policy, granted, START).services["ads"] is True
    assert opt_out(policy, granted, source="link", now=START).state.services["ads"] is False
    gpc = evaluate(policy, granted, Signals(gpc=True), START)
    assert gpc.state.services["ads"] is False and gpc.decision is not None


def test_the_banner_cannot_grant_a_sale_service_within_12_months_of_an_opt_out():
    policy = make_policy("opt_out")
    out = opt_out(policy, Choices(visitor_id=VISITOR), source="link", now=START).choices
    later = START + timedelta(days=30)
    assert _decide(policy, out, source="banner", services={"ads": True}, now=later).state.services["ads"] is False
    assert _decide(policy, out, services={"ads": True}, now=later).state.services["ads"] is True


def test_service_grants_lapse_with_the_choices():
    policy = make_policy("opt_in")
    choices = _decide(policy, Choices(visitor_id=VISITOR), services={"web-analytics": True}).choices
    assert view(policy, choices, START + timedelta(days=policy.lifetime_days - 1)).services["web-analytics"] is True
    assert view(policy, choices, START + timedelta(days=policy.lifetime_days)).services["web-analytics"] is False


def test_decisions_carry_the_service_grants():
    policy = make_policy("opt_in")
    decision = _decide(policy, Choices(visitor_id=VISITOR), services={"web-analytics": True}).decision
    assert decision is not None
    assert dict(decision.services) == {"web-analytics": True}
    assert decision.choices["analytics"] is False


def test_cookie_carries_services_and_old_cookies_still_parse():
    policy = make_policy("opt_in")
    choices = _decide(policy, Choices(visitor_id=VISITOR), services={"web-analytics": True, "ads": False}).choices
    payload = encode_payload(choices)
    assert payload["s"] == {"web-analytics": 1, "ads": 0}
    assert decode_payload(payload) == choices
    old = {k: v for k, v in payload.items() if k != "s"}
    assert decode_payload(old).services == {}
    codec = CookieCodec(["a-secret-of-16-chars!"])
    loaded = codec.loads(codec.dumps(choices), START)
    assert loaded is not None and dict(loaded.choices.services) == {"web-analytics": True, "ads": False}
    with pytest.raises(ValueError):
        decode_payload({**payload, "s": {"web-analytics": 2}})


@pytest.mark.anyio
async def test_the_api_takes_services_and_records_them(make_kit):
    kit = make_kit(make_policy("opt_in"))
    async with client(kit, Origin=SITE) as c:
        r = await c.post("/consentkit/consent", json={"services": {"web-analytics": True}, "source": "preferences"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["services"] == {"web-analytics": True, "clear-gif": False, "recaptcha": False, "ads": False}
        assert body["categories"]["analytics"] is False
        assert (await c.get("/consentkit/state")).json()["services"]["web-analytics"] is True
        both = await c.post("/consentkit/consent", json={"choices": {"captcha": True}, "services": {"ads": True}})
        assert both.json()["services"] == {"web-analytics": True, "clear-gif": False, "recaptcha": True, "ads": True}
        receipts = (await c.get("/consentkit/receipts")).json()
    records = await kit.ledger.for_visitor(body["visitor_id"])
    assert sorted((dict(rec.services) for rec in records), key=len) == [
        {"web-analytics": True}, {"web-analytics": True, "ads": True}]
    last = next(r for r in receipts["receipts"] if r["services"][0]["purposes"][2]["state"] == "granted")
    purposes = {p["purpose"]: p for p in last["services"][0]["purposes"]}
    assert purposes["analytics"]["state"] == "denied"
    assert {s["id"]: s["granted"] for s in purposes["analytics"]["services"]} == {"web-analytics": True,
                                                                                  "clear-gif": False}


@pytest.mark.anyio
@pytest.mark.parametrize(("body", "message"), [
    ({"services": {"youtube": True}}, "unknown service"),
    ({"services": {"web-analytics": "yes"}}, "services must be"),
    ({"services": ["web-analytics"]}, "services must be"),
    ({"choices": {"analytics": True}, "services": {"nope": True}}, "unknown service"),
])
async def test_bad_services_get_400_and_change_nothing(make_kit, body, message):
    kit = make_kit(make_policy("opt_in"))
    async with client(kit, Origin=SITE) as c:
        r = await c.post("/consentkit/consent", json=body)
        assert r.status_code == 400 and message in r.json()["error"]
        assert "set-cookie" not in r.headers
    assert [rec async for rec in kit.ledger.store.iter_records()] == []
