"""Issue 15's fixes to rules already built, each test named after the rule of
REQUIREMENTS.md it proves: no re-ask after any opt-out (R8), "Opt-Out Request
Honored" only when one was (R4), minimal opt-out records (R7, R34), proof of the
consent in force after an erasure (R27), a material change (R37), the notice at
collection (R41). In-process through httpx, on the movable clock."""

from __future__ import annotations

import pytest

from tests.apps import client
from tests.kits import make_policy
from tests.minors.flow import SITE

pytestmark = pytest.mark.anyio
HONORED = "Opt-Out Request Honored"


async def _state(c):
    return (await c.get("/consentkit/state")).json()


async def _link_opt_out(c):
    r = await c.post("/consentkit/opt-out", content=b"", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 303


async def _api_opt_out(c):
    r = await c.post("/consentkit/opt-out", json={})
    assert r.status_code == 200


async def _gpc_opt_out(c):
    r = await c.get("/consentkit/state", headers={"Sec-GPC": "1"})
    assert r.json()["sale_opt_out"] is True


OPT_OUTS = {"link": _link_opt_out, "api": _api_opt_out, "gpc": _gpc_opt_out}


@pytest.mark.parametrize("how", sorted(OPT_OUTS))
async def test_R8_no_banner_for_12_months_after_any_opt_out(make_kit, clock, how):
    """opt_out mode, no age question: after the link, the API or GPC the banner does not
    come back (prompt false) for 12 months, nor after a new policy version; then it may."""
    kit = make_kit(make_policy(age_gate=False))
    async with client(kit, Origin=SITE) as c:
        assert (await _state(c))["prompt"] is True
        await OPT_OUTS[how](c)
        state = await _state(c)
        assert state["prompt"] is False and state["sale_opt_out"] is True
        clock.advance(days=364)
        assert (await _state(c))["prompt"] is False
    newer = make_kit(make_policy(age_gate=False, version="2027-01-01"))
    async with client(newer, Origin=SITE) as c2:
        c2.cookies = c.cookies
        assert (await _state(c2))["prompt"] is False
        clock.advance(days=2)  # past the 12 months
        assert (await _state(c2))["prompt"] is True


@pytest.mark.parametrize("how", sorted(OPT_OUTS))
async def test_R8_after_an_opt_out_the_banner_asks_only_what_is_still_needed(make_kit, how):
    """With the age question unanswered, the banner comes back for it alone; once it is
    answered, nothing is asked. In opt_in mode the other categories are still asked."""
    async with client(make_kit(), Origin=SITE) as c:
        await OPT_OUTS[how](c)
        assert (await _state(c))["prompt"] is True  # the age question
        r = await c.post("/consentkit/consent", json={"age_band": "16_plus", "source": "banner"})
        assert r.json()["prompt"] is False and r.json()["sale_opt_out"] is True
    async with client(make_kit(make_policy("opt_in", age_gate=False)), Origin=SITE) as c:
        await OPT_OUTS[how](c)
        assert (await _state(c))["prompt"] is True  # analytics and captcha need consent
        # "Accept all" from the banner answers them and leaves sale off (rule 5).
        r = await c.post("/consentkit/consent", json={"choices": {"analytics": True, "captcha": True,
                                                                  "advertising": True}, "source": "banner"})
        state = r.json()
        assert r.status_code == 200 and state["prompt"] is False
        assert state["categories"] == {"necessary": True, "analytics": True, "captcha": True, "advertising": False}


async def test_R4_honored_only_when_an_opt_out_was_made(make_kit):
    # opt_in mode, nothing sent: nothing to honour, even with ?done=1 typed in.
    async with client(make_kit(make_policy("opt_in")), Origin=SITE) as c:
        assert HONORED not in (await c.get("/consentkit/do-not-sell?done=1")).text
    # A 13-15-year-old whose sale is off by law did not opt out.
    async with client(make_kit(), Origin=SITE) as c:
        await c.post("/consentkit/consent", json={"age_band": "13_15", "source": "banner"})
        assert (await _state(c))["sale_opt_out"] is True
        page = (await c.get("/consentkit/do-not-sell?done=1")).text
        assert HONORED not in page and "you have not given it" in page
        # Their own opt-out is honoured.
        await _link_opt_out(c)
        assert HONORED in (await c.get("/consentkit/do-not-sell?done=1")).text
    # opt_out mode: not before the request, and after it.
    async with client(make_kit(), Origin=SITE) as c:
        assert HONORED not in (await c.get("/consentkit/do-not-sell?done=1")).text
        await _api_opt_out(c)
        assert HONORED in (await c.get("/consentkit/do-not-sell")).text
    async with client(make_kit(make_policy("opt_in")), Origin=SITE, **{"Sec-GPC": "1"}) as c:
        assert HONORED in (await c.get("/consentkit/do-not-sell")).text


CHROME = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/140.0.0.0 Safari/537.36")


async def test_R7_R34_opt_out_records_keep_nothing_about_the_browser(make_kit):
    """The record of an opt-out (GPC header, navigator GPC, the link's form, POST /opt-out)
    keeps what proving it needs: no browser, version, OS or device; a consent decision
    still has them (rule 9)."""
    from tests.minors.flow import all_records

    kit = make_kit()
    async with client(kit, Origin=SITE, **{"User-Agent": CHROME}) as c:
        await c.get("/consentkit/state", headers={"Sec-GPC": "1"})
    async with client(kit, Origin=SITE, **{"User-Agent": CHROME}) as c:
        await c.post("/consentkit/consent", json={"gpc": True, "source": "gpc"})
    async with client(kit, Origin=SITE, **{"User-Agent": CHROME}) as c:
        await _link_opt_out(c)
        await _api_opt_out(c)
        await c.post("/consentkit/consent", json={"choices": {"analytics": False}, "source": "banner"})
        receipts = (await c.get("/consentkit/receipts")).json()
    records = await all_records(kit)
    assert sorted(r.source for r in records) == ["banner", "gpc", "gpc", "link", "link"]
    for record in records:
        about = (record.browser, record.browser_major, record.os, record.device)
        if record.source == "banner":
            assert about == ("Chrome", "140", "Linux", "desktop")
        else:
            assert about == ("", "", "", ""), record
            assert record.choices["advertising"] is False
    by_method = {r["collectionMethod"]: r for r in receipts["receipts"]}
    assert "browser" not in by_method["link"] and by_method["banner"]["browser"]["family"] == "Chrome"


async def test_R27_erasure_keeps_the_minimal_proof_of_the_consent_in_force(make_kit, clock):
    """After accept-all then DELETE /consentkit/receipts the consent keeps working, and so
    does its proof: one record of who, when, what notice and which grants (nothing about
    the browser), which a second erasure keeps too; the response says what was kept."""
    from tests.minors.flow import all_records

    kit = make_kit(make_policy("opt_in", age_gate=False))
    async with client(kit, Origin=SITE, **{"User-Agent": CHROME}) as c:
        await c.post("/consentkit/consent", json={"choices": {"analytics": True, "captcha": True,
                                                              "advertising": True}, "source": "banner"})
        clock.advance(minutes=1)
        await c.post("/consentkit/consent", json={"services": {"clear-gif": False}, "source": "preferences"})
        clock.advance(minutes=1)
        gone = await c.delete("/consentkit/receipts")
        assert gone.status_code == 200
        assert gone.json() == {"erased": 2, "kept": 1, "in_force": {
            "consent": ["advertising", "analytics", "captcha"], "opt_out": [], "parent": False}}
        receipts = (await c.get("/consentkit/receipts")).json()["receipts"]
        assert len(receipts) == 1 and receipts[0]["recordKind"] == "proof" and "browser" not in receipts[0]
        assert receipts[0]["noticeVersion"] == "2026-11-01" and receipts[0]["timestamp"] == "2026-11-27T13:01:00Z"
        purposes = {p["purpose"]: p for p in receipts[0]["services"][0]["purposes"]}
        assert {cid: p["granted"] for cid, p in purposes.items()} == {
            "analytics": True, "captcha": True, "advertising": True}
        # The service refused on its own stays refused in the proof.
        assert {s["id"]: s["granted"] for s in purposes["analytics"]["services"]} == {
            "web-analytics": True, "clear-gif": False}
        state = await _state(c)
        assert state["categories"]["analytics"] is True and state["services"]["clear-gif"] is False
        # The proof survives a second erasure, unchanged.
        again = await c.delete("/consentkit/receipts")
        assert again.json()["kept"] == 1 and again.json()["in_force"]["consent"] == ["advertising", "analytics",
                                                                                      "captcha"]
    [proof] = await all_records(kit)
    assert proof.kind == "proof" and proof.source == "preferences" and (proof.browser, proof.os) == ("", "")
    assert dict(proof.choices) == {"analytics": True, "captcha": True, "advertising": True}


async def test_R27_erasure_after_an_opt_out_keeps_both_proofs_and_nothing_for_a_refusal(make_kit):
    kit = make_kit(make_policy("opt_in", age_gate=False))
    async with client(kit, Origin=SITE) as c:
        await c.post("/consentkit/consent", json={"choices": {"analytics": True, "captcha": True,
                                                              "advertising": True}, "source": "banner"})
        await _link_opt_out(c)
        gone = (await c.delete("/consentkit/receipts")).json()
        assert gone["kept"] == 2
        assert gone["in_force"] == {"consent": ["analytics", "captcha"], "opt_out": ["advertising"], "parent": False}
        kinds = [(r["recordKind"], r["collectionMethod"]) for r in (await c.get("/consentkit/receipts")).json()["receipts"]]
        assert sorted(kinds) == [("proof", "banner"), ("proof", "link")]
    async with client(kit, Origin=SITE) as c:
        await c.post("/consentkit/consent", json={"choices": {"analytics": False}, "source": "banner"})
        gone = (await c.delete("/consentkit/receipts")).json()
        # opt_in mode: a "no" is the default, nothing is in force to prove.
        assert gone["kept"] == 0 and gone["in_force"]["consent"] == []


def _versions(mode: str = "opt_in"):
    """v1 without Google's analytics service; v2 adds it to analytics, and a new
    "personalisation" category, declared as the changes of 2026-12-01."""
    from consentkit import Category, Change, Policy

    full = make_policy(mode, age_gate=False)
    cats = list(full.categories)
    analytics = cats[1]
    v1_cats = [cats[0], Category("analytics", services=[s for s in analytics.services if s.id != "web-analytics"]),
               *cats[2:]]
    v1 = Policy("2026-11-01", v1_cats, mode=mode, controller=full.controller)
    v2 = Policy("2026-12-01", [*cats, Category("personalisation", label="Personalisation")], mode=mode,
                controller=full.controller,
                changes=[Change("2026-12-01", services=["web-analytics"], categories=["personalisation"])])
    return v1, v2


GTAG_LIVE = '<script data-consent="analytics" src="https://www.googletagmanager.com/gtag/js?id=G-X"></script>'


@pytest.mark.parametrize("mode", ["opt_in", "opt_out"])
async def test_R37_what_a_new_version_adds_stays_off_until_the_visitor_answers(make_kit, clock, mode):
    v1, v2 = _versions(mode)
    async with client(make_kit(v1), Origin=SITE) as c:
        await c.post("/consentkit/consent", json={"choices": {"analytics": True, "captcha": True,
                                                              "advertising": True}, "source": "banner"})
    clock.advance(days=3)
    kit2 = make_kit(v2)
    async with client(kit2, Origin=SITE) as c2:
        c2.cookies = c.cookies
        state = await _state(c2)
        # The old grants keep running; what v2 added does not, and the banner says what it is.
        assert state["prompt"] is True and state["decided"] is False
        assert state["categories"]["analytics"] is True and state["services"]["clear-gif"] is True
        assert state["services"]["web-analytics"] is False and state["categories"]["personalisation"] is False
        assert state["changes"] == ["Google, Personalisation"]
        home = (await c2.get("/")).text
        assert GTAG_LIVE not in home and 'type="text/plain"' in home  # served inert
        page = (await c2.get("/consentkit/preferences")).text
        assert "off until you choose again: Google, Personalisation" in page
        # An answer that names only analytics leaves the new category off in opt_in mode.
        r = await c2.post("/consentkit/consent", json={"choices": {"analytics": True}, "source": "api"})
        after = r.json()
        assert after["changes"] == [] and after["prompt"] is False
        assert after["services"]["web-analytics"] is True
        assert after["categories"]["personalisation"] is (mode == "opt_out")
        assert GTAG_LIVE in (await c2.get("/")).text


async def test_R37_a_new_version_within_12_months_of_an_opt_out_asks_about_the_rest_only(make_kit, clock):
    v1, v2 = _versions("opt_out")
    async with client(make_kit(v1), Origin=SITE) as c:
        await c.post("/consentkit/consent", json={"choices": {"analytics": True}, "source": "banner"})
        await _link_opt_out(c)
    async with client(make_kit(v2), Origin=SITE) as c2:
        c2.cookies = c.cookies
        state = await _state(c2)
        # Google's analytics is no sale: the banner asks about it; the opt-out stays.
        assert state["prompt"] is True and state["changes"] == ["Google, Personalisation"]
        assert state["sale_opt_out"] is True
        r = await c2.post("/consentkit/consent", json={"choices": {"analytics": True, "personalisation": True,
                                                                   "advertising": True}, "source": "banner"})
        assert r.json()["categories"]["advertising"] is False and r.json()["services"]["web-analytics"] is True


def test_R37_changes_name_what_the_policy_has(tmp_path):
    from consentkit import Change, Policy, PolicyError

    base = make_policy()
    with pytest.raises(PolicyError, match="names service 'tiktok'"):
        Policy(base.version, base.categories, changes=[Change("2026-11-01", services=["tiktok"])])
    with pytest.raises(PolicyError, match="not an optional category"):
        Policy(base.version, base.categories, changes=[Change("2026-11-01", categories=["necessary"])])
    toml = tmp_path / "policy.toml"
    toml.write_text('version = "2026-12-01"\n[[categories]]\nid = "necessary"\nrequired = true\n'
                    '[[categories]]\nid = "analytics"\n[[changes]]\nversion = "2026-12-01"\n'
                    'categories = ["analytics"]\nnote = "We now measure visits."\n')
    loaded = Policy.from_toml(toml)
    assert loaded.changes == (Change("2026-12-01", categories=["analytics"], note="We now measure visits."),)


def test_R41_the_widget_config_carries_the_notice_at_collection():
    from consentkit import Policy
    from consentkit.widget_config import widget_config

    base = make_policy("opt_in")
    policy = Policy(base.version, base.categories, mode="opt_in", privacy_url="https://example.test/privacy",
                    texts={"en": {"notice.kept": "Kept for at most {duration}."}})
    config = widget_config(policy, "en")
    assert config["privacy_url"] == "https://example.test/privacy"
    assert config["notice"] == [
        "Necessary",
        "Analytics. Kept for at most 2 years.",
        "Captcha",
        "Advertising (sold or shared). Kept for at most 13 months.",
    ]
    assert {"notice.pi", "notice.privacy"} <= set(config["texts"])
    spanish = widget_config(policy, "es")
    assert spanish["notice"][3] == "Advertising (se vende o se comparte). Se conserva hasta 13 months."
