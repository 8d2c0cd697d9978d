"""COPPA's 2025 amendments (R45): disclosure to third parties needs a verification
method stronger than e-mail plus, and the parent's page says which; the direct
notice names the purposes and the third parties."""

from __future__ import annotations

import pytest

from consentkit.minors.verifiers import ParentPost
from tests.apps import client

from .flow import HTML, SITE, all_records, ask_parent, decide, make_child

pytestmark = pytest.mark.anyio


class CardVerifier:
    """A stand-in for a payment processor's card check: the parent types a code."""

    method = "card_transaction"
    fields = ()

    async def verify(self, post: ParentPost, request: object) -> bool:
        form = await post.form()
        return post.sent_to(form.get("parent_email", "")) and form.get("card_code") == "ok"


async def test_R45_email_plus_cannot_grant_disclosure_and_the_page_says_which_method_can(make_kit):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        child = await make_child(c)
        path = await ask_parent(c, kit)
        async with client(kit, Origin=SITE) as p:
            page = (await p.get(path, headers=HTML)).text
            assert 'id="disclosure-needs"' in page and "a card transaction, a signed form" in page
            assert 'name="advertising" value="1" disabled' in page
            r = await decide(p, path, grant=["analytics", "advertising"])
            assert r.status_code == 303
        state = (await c.get("/consentkit/state")).json()
    assert state["categories"]["analytics"] is True and state["categories"]["advertising"] is False
    [decision] = [r for r in await all_records(kit) if r.visitor_id == child and r.source == "parent"]
    assert decision.verification == "email_plus" and decision.choices["advertising"] is False


async def test_R45_a_stronger_verifier_may_grant_disclosure(make_kit):
    kit = make_kit(parental_verifier=CardVerifier())
    async with client(kit, Origin=SITE) as c:
        await make_child(c)
        path = await ask_parent(c, kit)
        async with client(kit, Origin=SITE) as p:
            page = (await p.get(path, headers=HTML)).text
            assert 'id="disclosure-needs"' not in page and 'name="advertising" value="1">' in page
            r = await decide(p, path, grant=["analytics", "advertising"], card_code="ok")
            assert r.status_code == 303
        state = (await c.get("/consentkit/state")).json()
    assert state["categories"]["advertising"] is True
    assert [r.verification for r in await all_records(kit) if r.source == "parent"] == ["card_transaction"]


async def test_R45_the_direct_notice_names_the_purposes_and_the_third_parties(make_kit):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        await make_child(c)
        await ask_parent(c, kit)
    body = kit.notifier.messages[-1].body
    assert "What we would like to collect, if you allow it, and why:" in body
    assert "- Analytics (received by Example Analytics, Google)." in body
    assert "disclosure to third parties:\n- Advertising (received by Example Ads)." in body


async def test_R45_a_lapsed_requests_address_hash_is_deleted(make_kit, clock):
    """A request no parent answered before its link expired keeps no keyed hash of the
    address; the per-address counters go after their day; an answered request keeps
    its hash (it lets the parent ask for a new management link)."""
    from consentkit.minors.lapse import forget_lapsed

    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        lapsed_child = await make_child(c)
        await ask_parent(c, kit)
    async with client(kit, Origin=SITE) as c:
        answered_child = await make_child(c)
        path = await ask_parent(c, kit, email="other.parent@example.com")
        async with client(kit, Origin=SITE) as p:
            assert (await decide(p, path, grant=["analytics"], email="other.parent@example.com")).status_code == 303
    clock.advance(days=6)
    assert await forget_lapsed(kit.ledger, clock(), 7) == 0  # not lapsed yet
    clock.advance(days=2)
    assert await forget_lapsed(kit.ledger, clock(), 7) == 1
    records = await all_records(kit)
    [lapsed] = [r for r in records if r.visitor_id == lapsed_child and r.kind == "request"]
    assert "email_hash" not in lapsed.extra and lapsed.extra["address_forgotten_at"] == "2026-12-05T13:00:00Z"
    [answered] = [r for r in records if r.visitor_id == answered_child and r.kind == "request"]
    assert answered.extra["email_hash"]
    assert [r for r in records if r.kind == "address_limit"] == []
    assert await forget_lapsed(kit.ledger, clock(), 7) == 0  # once
