"""The parent's consent page through the link: what it shows, the decision it
records for the child, and every way a link fails (404, nothing changes)."""

from __future__ import annotations

import pytest

from consentkit.minors import ParentPost
from consentkit.minors.history import ParentalRequest
from consentkit.minors.records import link_days
from tests.apps import client

from .flow import HTML, JSON, PARENT, SITE, all_records, ask_parent, csrf, decide, make_child, path_of

pytestmark = pytest.mark.anyio


async def test_the_page_says_what_would_be_collected_and_why(make_kit):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        await make_child(c)
        path = await ask_parent(c, kit)
    async with client(kit) as p:
        r = await p.get(path, headers=HTML)
    assert r.status_code == 200
    html = r.text
    for shown in ("Analytics", "Google", "_ga (2 years)", "_gid (24 hours)", "Example Ads", "_ads (13 months)",
                  "Example Health Insurance"):
        assert shown in html
    # Collection and disclosure are asked separately, nothing is ticked in advance.
    assert html.index("<h2>Collection</h2>") < html.index('name="analytics"') < html.index(
        "<h2>Disclosure to third parties</h2>") < html.index('name="advertising"')
    assert 'name="analytics" value="1">' in html and 'name="necessary" value="1" checked disabled' in html
    assert 'name="parent_email"' in html and 'name="csrf_token"' in html
    assert r.headers["referrer-policy"] == "same-origin" and r.headers["cache-control"] == "no-store"
    assert "script-src" not in r.headers["content-security-policy"]
    assert "default-src 'none'" in r.headers["content-security-policy"]


async def test_the_parent_grants_collection_but_not_disclosure(make_kit):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        child = await make_child(c)
        await c.post("/consentkit/consent", json={"choices": {"analytics": True, "advertising": True}})
        path = await ask_parent(c, kit)
        async with client(kit, Origin=SITE) as p:
            r = await decide(p, path, grant=["analytics"])
            assert r.status_code == 303
            manage_path = r.headers["location"]
            assert manage_path.startswith("/consentkit/parental/") and "done=decided" in manage_path
            assert "mailed=1" in manage_path
        state = (await c.get("/consentkit/state")).json()
        assert state["parental_consent"] == "granted"
        assert state["categories"] == {"necessary": True, "analytics": True, "captcha": False, "advertising": False}
        page = await c.get("/whoami")
        assert page.json()["analytics"] is True
    decision = [r for r in await all_records(kit) if r.source == "parent"][-1]
    assert decision.visitor_id == child and decision.kind == "decision"
    assert decision.verification == "email_plus" and decision.parental_consent == "granted"
    assert dict(decision.choices) == {"necessary": True, "analytics": True, "captcha": False, "advertising": False}
    assert set(decision.extra) == {"request_id", "management_id"}
    confirmation = kit.notifier.messages[-1]
    assert confirmation.kind == "confirmation" and confirmation.to == "parent.person@example.com"
    assert path_of(confirmation.link) == manage_path.split("?")[0]
    assert "Allowed: Analytics." in confirmation.body and "Refused: Captcha, Advertising." in confirmation.body


async def test_granting_nothing_is_a_refusal(make_kit):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        await make_child(c)
        path = await ask_parent(c, kit)
        async with client(kit, Origin=SITE) as p:
            r = await decide(p, path, grant=["analytics"], decision="refuse")
            assert r.status_code == 303
        state = (await c.get("/consentkit/state")).json()
    assert state["parental_consent"] == "denied"
    assert not any(v for k, v in state["categories"].items() if k != "necessary")


async def snapshot(kit, c):
    return await all_records(kit), (await c.get("/consentkit/state")).json(), len(kit.notifier.messages)


@pytest.mark.parametrize("accept", [HTML, JSON])
@pytest.mark.parametrize("spoil", ["tamper", "other-salt", "expire", "reuse", "erased", "unknown"])
async def test_a_bad_link_is_a_404_and_changes_nothing(make_kit, clock, accept, spoil):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        child = await make_child(c)
        path = await ask_parent(c, kit)
        async with client(kit, Origin=SITE) as p:
            page = await p.get(path, headers=HTML)
            form = {"csrf_token": csrf(page.text), "parent_email": PARENT, "analytics": "1"}
            if spoil == "tamper":
                path = path[:-4] + ("AAAA" if not path.endswith("AAAA") else "BBBB")
            elif spoil == "other-salt":
                path = "/consentkit/parental/" + kit.parental.tokens.link("manage", child, "not-a-management-id")
            elif spoil == "expire":
                clock.advance(days=link_days(kit), seconds=1)
            elif spoil == "reuse":
                assert (await p.post(path, data=form, headers=HTML)).status_code == 303
            elif spoil == "erased":
                await kit.ledger.erase_visitor(child, [])
            elif spoil == "unknown":
                path = "/consentkit/parental/not-a-token"
            before = await snapshot(kit, c)
            shown = await p.get(path, headers=accept)
            posted = await p.post(path, data=form, headers=accept)
            assert await snapshot(kit, c) == before
    for r in (shown, posted):
        assert r.status_code == 404
        if accept is JSON:
            assert "not valid" in r.json()["error"]
        else:
            assert r.headers["content-type"].startswith("text/html") and "This link does not work" in r.text


async def test_a_newer_decision_closes_an_older_link(make_kit, clock):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        await make_child(c)
        first = await ask_parent(c, kit)
        clock.advance(minutes=1)
        second = await ask_parent(c, kit)
        async with client(kit, Origin=SITE) as p:
            assert (await decide(p, second, grant=["analytics"])).status_code == 303
            assert (await p.get(first, headers=HTML)).status_code == 404


@pytest.mark.parametrize(
    ("change", "status", "text"),
    [
        ({"parent_email": "someone.else@example.com"}, 403, "could not verify"),
        ({"parent_email": ""}, 403, "could not verify"),
        ({"csrf_token": "forged"}, 403, "expired"),
        ({"csrf_token": None}, 403, "expired"),
    ],
)
async def test_an_unverified_or_forged_post_records_nothing(make_kit, change, status, text):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        await make_child(c)
        path = await ask_parent(c, kit)
        async with client(kit, Origin=SITE) as p:
            page = await p.get(path, headers=HTML)
            form = {"csrf_token": csrf(page.text), "parent_email": PARENT, "analytics": "1", **change}
            before = await snapshot(kit, c)
            r = await p.post(path, data={k: v for k, v in form.items() if v is not None}, headers=HTML)
            assert r.status_code == status and text in r.text
            assert await snapshot(kit, c) == before
            # The link still works for the real parent.
            assert (await decide(p, path, grant=["analytics"])).status_code == 303


async def test_a_cross_site_post_is_refused(make_kit):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        await make_child(c)
        path = await ask_parent(c, kit)
    async with client(kit, Origin="https://evil.test") as p:
        page = await p.get(path, headers=HTML)
        r = await p.post(path, data={"csrf_token": csrf(page.text), "parent_email": PARENT, "analytics": "1"})
    assert r.status_code == 403
    assert [rec for rec in await all_records(kit) if rec.source == "parent"] == []


class CardCheck:
    """A stronger verifier a site plugs in: it names its own method."""

    method = "card_transaction"
    fields = ()

    def __init__(self) -> None:
        self.seen: list[tuple[bool, bool, str | None, bool]] = []

    async def verify(self, post: ParentPost, request: ParentalRequest) -> bool:
        form = await post.form()
        # The public view: the form, the headers, the address check; no internals.
        self.seen.append((post.sent_to(PARENT), post.sent_to("someone@example.com"),
                          post.headers.get("origin"), hasattr(post, "kit") or hasattr(post, "visit")))
        return form.get("card_ok") == "yes"


async def test_a_pluggable_verifier_is_used_and_named_in_the_record(make_kit):
    kit = make_kit(parental_verifier=CardCheck())
    async with client(kit, Origin=SITE) as c:
        await make_child(c)
        path = await ask_parent(c, kit)
        async with client(kit, Origin=SITE) as p:
            assert (await decide(p, path, grant=["analytics"], card_ok="no")).status_code == 403
            assert (await decide(p, path, grant=["analytics"], card_ok="yes")).status_code == 303
    decision = [r for r in await all_records(kit) if r.source == "parent"][-1]
    assert decision.verification == "card_transaction"
    assert kit.parental_verifier.seen == [(True, False, SITE, False)] * 2
