"""The parent's management link: review, change, refuse further collection, delete
the child's records, revoke the link; the child's next request follows."""

from __future__ import annotations

import pytest

from consentkit.minors.tokens import MANAGE_DAYS
from tests.apps import client

from .flow import HTML, PARENT, SITE, all_records, ask_parent, csrf, decide, make_child, manage

pytestmark = pytest.mark.anyio
NONE_OPTIONAL = {"necessary": True, "analytics": False, "captcha": False, "advertising": False}


async def granted_child(kit, c, grant=("analytics",)):
    """A child whose parent granted ``grant``: the child's id and the management path."""
    child = await make_child(c)
    path = await ask_parent(c, kit)
    async with client(kit, Origin=SITE) as p:
        r = await decide(p, path, grant=grant)
    assert r.status_code == 303
    return child, r.headers["location"].split("?")[0]


async def test_the_confirmation_page_shows_the_link_the_decision_and_the_records(make_kit):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        child, path = await granted_child(kit, c)
        async with client(kit, Origin=SITE) as p:
            r = await p.get(path + "?done=decided&mailed=1", headers=HTML)
    assert r.status_code == 200
    assert "Your decision is recorded." in r.text and "We sent you this page" in r.text
    assert f"{SITE}{path}" in r.text
    assert 'data-status="granted"' in r.text and "Allowed: Analytics." in r.text and "email_plus" in r.text
    assert r.text.count("<tr><td>") == len([rec for rec in await all_records(kit) if rec.visitor_id == child])
    assert "Your consent was requested" in r.text and child not in r.text
    assert r.headers["referrer-policy"] == "same-origin"
    # What the site holds besides: the privacy request page, the parent chosen as who asks.
    assert 'href="/consentkit/requests?requester=parent" id="parental-requests-link"' in r.text
    async with client(kit, Origin=SITE) as p:
        form = await p.get("/consentkit/requests?requester=parent", headers=HTML)
        plain = await p.get("/consentkit/requests?requester=nobody&type=opt_out", headers=HTML)
    assert 'value="parent" checked' in form.text and 'value="consumer" checked' not in form.text
    assert 'value="consumer" checked' in plain.text and "opt_out" not in plain.text


async def test_the_parent_changes_the_choices(make_kit, clock):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        _, path = await granted_child(kit, c)
        assert (await c.get("/consentkit/state")).json()["categories"]["analytics"] is True
        async with client(kit, Origin=SITE) as p:
            r = await manage(p, path, "save", grant=["captcha", "advertising"])
            assert r.status_code == 303 and r.headers["location"].endswith("?done=saved")
            page = await p.get(r.headers["location"], headers=HTML)
            assert "Your changes are recorded." in page.text and 'data-status="granted"' in page.text
            # The form shows the choices now in force.
            assert 'name="captcha" value="1" checked' in page.text and 'name="analytics" value="1">' in page.text
        state = (await c.get("/consentkit/state")).json()
    # E-mail plus cannot grant disclosure to third parties (R45): advertising stays off.
    assert state["categories"] == {"necessary": True, "analytics": False, "captcha": True, "advertising": False}
    latest = [r for r in await all_records(kit) if r.source == "parent"][-1]
    assert latest.verification == "email_plus" and set(latest.extra) == {"request_id", "management_id"}


async def test_refusal_then_deletion_leaves_the_child_denied_and_only_the_proof(make_kit):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        child, path = await granted_child(kit, c)
        async with client(kit, Origin=SITE) as p:
            refused = await manage(p, path, "refuse")
            assert refused.status_code == 303 and refused.headers["location"].endswith("?done=refused")
            state = (await c.get("/consentkit/state")).json()
            assert state["parental_consent"] == "denied" and state["categories"] == NONE_OPTIONAL
            deleted = await manage(p, path, "delete")
            assert deleted.status_code == 303 and deleted.headers["location"].endswith("?done=deleted")
            page = await p.get(deleted.headers["location"], headers=HTML)
            assert "records are deleted" in page.text and page.text.count("<tr><td>") == 1
        left = await kit.ledger.for_visitor(child)
        assert [(r.kind, r.source, r.parental_consent) for r in left] == [("proof", "parent", "denied")]
        assert left[0].browser == "" and left[0].verification == "email_plus"
        assert dict(left[0].choices) == NONE_OPTIONAL and "management_id" in left[0].extra
        # The child stays denied, and says so, after the deletion too.
        state = (await c.get("/consentkit/state")).json()
        assert state["parental_consent"] == "denied" and state["categories"] == NONE_OPTIONAL


async def test_after_deletion_the_parent_can_still_change_their_mind(make_kit):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        _, path = await granted_child(kit, c)
        async with client(kit, Origin=SITE) as p:
            await manage(p, path, "refuse")
            await manage(p, path, "delete")
            assert (await c.get("/consentkit/state")).json()["parental_consent"] == "denied"
            await manage(p, path, "save", grant=["analytics"])
        state = (await c.get("/consentkit/state")).json()
    assert state["parental_consent"] == "granted" and state["categories"]["analytics"] is True


async def test_a_revoked_link_is_a_404(make_kit):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        _, path = await granted_child(kit, c)
        async with client(kit, Origin=SITE) as p:
            r = await manage(p, path, "revoke")
            assert r.status_code == 200 and "Link revoked" in r.text
            before = await all_records(kit)
            assert (await p.get(path, headers=HTML)).status_code == 404
            assert (await p.post(path, data={"action": "refuse"}, headers=HTML)).status_code == 404
            assert await all_records(kit) == before
        # The decision stays as it was.
        assert (await c.get("/consentkit/state")).json()["parental_consent"] == "granted"


async def test_a_newer_link_revokes_the_older_one(make_kit, clock):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        _, old = await granted_child(kit, c)
        async with client(kit, Origin=SITE) as p:
            await manage(p, old, "refuse")
            clock.advance(minutes=1)
            path = await ask_parent(c, kit)
            r = await decide(p, path, grant=["analytics"])
            new = r.headers["location"].split("?")[0]
            assert new != old
            assert (await p.get(old, headers=HTML)).status_code == 404
            assert (await p.get(new, headers=HTML)).status_code == 200


async def test_R45_an_expired_management_link_asks_for_a_new_one(make_kit, clock):
    """It does not silently stop working: it opens a page where the parent types their
    address; a new link to the same decision goes to it only if it is the address the
    request went to, and the page says the same either way."""
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        child, path = await granted_child(kit, c)
    async with client(kit, Origin=SITE) as p:
        clock.advance(days=MANAGE_DAYS - 1)
        assert (await p.get(path, headers=HTML)).status_code == 200
        clock.advance(days=2)
        expired = await p.get(path, headers=HTML)
        assert expired.status_code == 410 and "This link has expired: ask for a new one" in expired.text
        sent = len(kit.notifier.messages)
        wrong = await p.post(path, data={"csrf_token": csrf(expired.text), "parent_email": "someone@else.test"},
                             headers=HTML)
        assert wrong.status_code == 202 and 'id="parental-renewed"' in wrong.text
        assert len(kit.notifier.messages) == sent  # nothing to an address that is not the parent's
        right = await p.post(path, data={"csrf_token": csrf(expired.text), "parent_email": PARENT.upper()},
                             headers=HTML)
        assert right.status_code == 202 and right.text.count("a new link is on its way") == 1
        message = kit.notifier.messages[-1]
        assert message.to == PARENT.lower() and "a new link to manage" in message.subject
        new = message.link[len(SITE):]
        assert new != path
        renewed = await p.get(new, headers=HTML)
        assert renewed.status_code == 200 and 'name="analytics" value="1" checked' in renewed.text
        # A forged token is still a 404.
        assert (await p.get(path[:-3] + "xyz", headers=HTML)).status_code == 404
    assert all(child != r.visitor_id or r.kind != "revocation" for r in await all_records(kit))


@pytest.mark.parametrize(("form", "status"), [({"action": "explode"}, 400), ({"action": "refuse", "csrf": "x"}, 403)])
async def test_a_bad_management_post_changes_nothing(make_kit, form, status):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        _, path = await granted_child(kit, c)
        async with client(kit, Origin=SITE) as p:
            page = await p.get(path, headers=HTML)
            data = {"csrf_token": "forged" if "csrf" in form else csrf(page.text), "action": form["action"]}
            before = await all_records(kit)
            r = await p.post(path, data=data, headers=HTML)
            assert r.status_code == status
            assert await all_records(kit) == before
        assert (await c.get("/consentkit/state")).json()["parental_consent"] == "granted"


async def test_a_childs_own_erasure_keeps_the_parents_decision(make_kit):
    """Info of issue 13: a child's DELETE /consentkit/receipts erased the parent's
    decision records ("kept": 0); like the parent's own delete, it keeps the decision
    in force, and the child's categories go on following it."""
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        child, path = await granted_child(kit, c)
        r = await c.delete("/consentkit/receipts")
        assert r.status_code == 200 and r.json()["kept"] == 1
        kept = [rec for rec in await all_records(kit) if rec.visitor_id == child]
        assert [(rec.kind, rec.source, rec.parental_consent) for rec in kept] == [("proof", "parent", "granted")]
        assert kept[0].browser == "" and kept[0].choices["analytics"] is True
        assert (await c.get("/consentkit/state")).json()["categories"]["analytics"] is True
        async with client(kit, Origin=SITE) as p:  # the parent's link still opens on that decision
            assert (await p.get(path, headers=HTML)).status_code == 200
