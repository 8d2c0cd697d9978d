"""Cookie tossing (issue 13, M1; contract section 8): a sibling host sets a valid
consent cookie, minted in the attacker's own visit, on the parent domain.

On HTTPS the visitor's cookie is ``__Host-consentkit`` and alone counts. Two or more
consent cookies otherwise are a conflict resolved in the visitor's favour (nothing
granted that any of them, or a new visitor's default, denies) under a new visitor
id, so the attacker can neither grant trackers nor read the visitor's decisions.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consentkit import ConsentKit
from consentkit.cookie_trust import merge_in_visitors_favour, read_consent_cookies
from consentkit.rules import effective_categories
from consentkit.state import AGE_BANDS, Choices
from tests.apps import make_app
from tests.kits import SECRET, Clock, make_policy

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)
ATTACKER = "attacker-visitor-0000000"
VICTIM = "victim-visitor-00000000"
ALL = {"analytics": True, "captcha": True, "advertising": True}
NONE = {"analytics": False, "captcha": False, "advertising": False}


def _kit(mode: str = "opt_in", **options: object) -> ConsentKit:
    return ConsentKit(make_policy(mode), secret_keys=[SECRET], store="memory://", clock=Clock(),
                      **options)  # type: ignore[arg-type]


def _cookie(kit: ConsentKit, visitor_id: str, choices: dict[str, bool]) -> str:
    made = Choices(visitor_id=visitor_id, policy_version=kit.policy.version, decided_at=NOW, updated_at=NOW)
    return kit.codec.dumps(made.evolve(choices=choices))


def _client(kit: ConsentKit, scheme: str = "https") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=make_app(kit)), base_url=f"{scheme}://www.example.com",
                             headers={"Origin": f"{scheme}://www.example.com"})


def _set(response: httpx.Response, name: str) -> list[str]:
    return [v for v in response.headers.get_list("set-cookie") if v.startswith(name + "=")]


async def test_on_https_the_cookie_is_host_prefixed_secure_and_host_only() -> None:
    kit = _kit()
    async with _client(kit) as c:
        r = await c.post("/consentkit/consent", json={"choices": {"analytics": True}})
    [value] = _set(r, "__Host-consentkit")
    attributes = {a.strip().split("=")[0] for a in value.split(";")[1:]}
    assert {"Path", "Secure", "HttpOnly", "SameSite"} <= attributes and "Domain" not in attributes
    assert "Path=/" in value and not _set(r, "consentkit")


async def test_on_plain_http_the_cookie_keeps_its_name() -> None:
    async with _client(_kit(), "http") as c:
        r = await c.post("/consentkit/consent", json={"choices": {"analytics": True}})
    assert _set(r, "consentkit") and "Secure" not in _set(r, "consentkit")[0]


async def test_a_configured_cookie_domain_gets_a_secure_prefixed_domain_cookie_on_https() -> None:
    async with _client(_kit(cookie_domain="example.com")) as c:
        r = await c.post("/consentkit/consent", json={"choices": {"analytics": True}})
    [value] = _set(r, "__Secure-consentkit")
    assert "Domain=example.com" in value and "Secure" in value


def test_a_cookie_domain_that_is_no_domain_stops_the_app() -> None:
    with pytest.raises(ValueError, match="cookie_domain"):
        _kit(cookie_domain="example.com; Path=/x")


async def test_a_tossed_cookie_loses_to_the_visitors_own_host_cookie() -> None:
    kit = _kit()
    own = _cookie(kit, VICTIM, NONE)
    tossed = _cookie(kit, ATTACKER, ALL)
    async with _client(kit) as c:
        for order in (f"consentkit={tossed}; __Host-consentkit={own}", f"__Host-consentkit={own}; consentkit={tossed}"):
            r = await c.get("/consentkit/state", headers={"Cookie": order})
            state = r.json()
            assert state["visitor_id"] == VICTIM and not any(state["categories"][c] for c in NONE)
            # The tossed cookie is expired, host-only and on the domains a sibling could have used.
            expired = [v for v in _set(r, "consentkit") if "Max-Age=0" in v]
            assert {"Domain=example.com" in v for v in expired} == {True, False}


async def test_a_tossed_accept_all_grants_nothing_in_opt_in_and_hides_no_decision() -> None:
    kit = _kit("opt_in")
    tossed = f"consentkit={_cookie(kit, ATTACKER, ALL)}"
    async with _client(kit) as c:
        page = await c.get("/", headers={"Cookie": tossed})
        assert "googletagmanager" not in page.text or 'type="text/plain"' in page.text
        state = (await c.get("/consentkit/state", headers={"Cookie": tossed})).json()
        assert state["visitor_id"] != ATTACKER and not any(state["categories"][c] for c in ALL)
        assert state["decided"] is False  # the banner asks the visitor
        # The visitor rejects: the decision goes under their new id, not the attacker's.
        r = await c.post("/consentkit/consent", headers={"Cookie": tossed}, json={"choices": NONE, "source": "banner"})
        assert r.json()["visitor_id"] != ATTACKER and _set(r, "__Host-consentkit")
    assert [rec async for rec in kit.ledger.store.iter_records() if rec.visitor_id == ATTACKER] == []
    async with _client(kit) as attacker:
        mine = await attacker.get("/consentkit/receipts", headers={"Cookie": f"__Host-consentkit={tossed[11:]}"})
        assert mine.json()["receipts"] == []


async def test_two_plain_cookies_are_a_conflict_resolved_in_the_visitors_favour() -> None:
    kit = _kit("opt_out")
    own = _cookie(kit, VICTIM, {"advertising": False})
    tossed = _cookie(kit, ATTACKER, ALL)
    async with _client(kit, "http") as c:
        for first, second in itertools.permutations([own, tossed]):
            r = await c.get("/consentkit/state", headers={"Cookie": f"consentkit={first}; consentkit={second}"})
            state = r.json()
            assert state["visitor_id"] not in (VICTIM, ATTACKER)
            assert state["categories"]["advertising"] is False and state["categories"]["analytics"] is True
            assert _set(r, "consentkit")  # the resolution is stored at once


async def test_an_existing_cookie_migrates_on_https_keeping_its_opt_out() -> None:
    """Migration: a visitor's ``consentkit`` cookie from before keeps effect in
    opt_out mode (their opt-out of sale, its 12-month window), moves to
    ``__Host-consentkit``, and the old one is expired."""
    kit = _kit("opt_out")
    legacy = Choices(visitor_id=VICTIM, policy_version=kit.policy.version, decided_at=NOW, updated_at=NOW,
                     reprompt_not_before=datetime(2027, 11, 27, tzinfo=UTC)).evolve(choices={"advertising": False})
    async with _client(kit) as c:
        r = await c.get("/consentkit/state", headers={"Cookie": f"consentkit={kit.codec.dumps(legacy)}"})
    state = r.json()
    assert state["categories"] == {"necessary": True, "analytics": True, "captcha": True, "advertising": False}
    assert state["reprompt_not_before"] == "2027-11-27T00:00:00Z" and state["decided"] is True
    assert _set(r, "__Host-consentkit") and any("Max-Age=0" in v for v in _set(r, "consentkit"))


async def test_an_existing_cookie_on_https_in_opt_in_mode_keeps_its_denials_and_asks_again_for_grants() -> None:
    kit = _kit("opt_in")
    legacy = f"consentkit={_cookie(kit, VICTIM, {'analytics': True, 'advertising': False})}"
    async with _client(kit) as c:
        state = (await c.get("/consentkit/state", headers={"Cookie": legacy})).json()
    assert not any(state["categories"][c] for c in ALL) and state["decided"] is False


# -- the rule, for any cookies -------------------------------------------------------------

choice_maps = st.dictionaries(st.sampled_from(sorted(ALL)), st.booleans())
candidates = st.builds(
    lambda choices, band, gpc, decided: Choices(
        visitor_id="v" * 16, policy_version="2026-11-01", decided_at=NOW if decided else None, gpc=gpc,
        age_band=band, updated_at=NOW).evolve(choices=choices),
    choice_maps, st.sampled_from(AGE_BANDS), st.booleans(), st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(found=st.lists(candidates, min_size=2, max_size=3), mode=st.sampled_from(["opt_in", "opt_out"]))
def test_a_conflict_grants_only_what_every_cookie_and_a_new_visitor_grant(found: list[Choices], mode: str) -> None:
    policy = make_policy(mode)
    fresh = Choices(visitor_id="fresh-visitor-id-0000")
    merged = merge_in_visitors_favour(policy, [*found, fresh], fresh.visitor_id, NOW)
    result = effective_categories(policy, merged, NOW)
    for candidate in [*found, fresh]:
        theirs = effective_categories(policy, candidate, NOW)
        assert all(theirs[cid] for cid, on in result.items() if on), (candidate, result)
    assert merged.gpc == any(c.gpc for c in found) and merged.visitor_id == fresh.visitor_id
    # Whatever order the browser sends them in, the same result.
    for order in itertools.permutations(found):
        again = merge_in_visitors_favour(policy, [*order, fresh], fresh.visitor_id, NOW)
        assert effective_categories(policy, again, NOW) == result


@settings(max_examples=100, deadline=None)
@given(found=st.lists(candidates, min_size=1, max_size=3), names=st.data())
def test_no_attacker_id_ever_survives_a_tossed_cookie(found: list[Choices], names: st.DataObject) -> None:
    kit = _kit("opt_out")
    values = [(names.draw(st.sampled_from(["consentkit", "__Secure-consentkit"])),
               kit.codec.dumps(c.evolve(visitor_id=f"tossed-{n:02d}-000000000"))) for n, c in enumerate(found)]
    header = "; ".join(f"{n}={v}" for n, v in values)
    reading = read_consent_cookies(kit.codec, kit.policy, header, name="__Host-consentkit", now=NOW,
                                   new_visitor_id=lambda: "fresh-visitor-id-0000")
    assert reading.choices is not None and reading.choices.visitor_id == "fresh-visitor-id-0000"
