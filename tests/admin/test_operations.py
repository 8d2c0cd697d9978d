"""The operators' pages: privacy requests and their actions, a child's parental
consent on the parent's behalf, exports, the policy, the audit trail; and what a
viewer may not do."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest

from consentkit import Category, Policy, Service
from consentkit.requests import Intake
from tests.kits import make_policy
from tests.minors.flow import make_child

from .console import ADMIN_PATH, accounts, admin, audit_trail, client, login, scan_report, token

pytestmark = pytest.mark.anyio

OPERATOR_ONLY = [("GET", "requests"), ("GET", "requests/x"), ("POST", "requests/x"), ("GET", "parental"),
                 ("POST", "parental"), ("GET", "export"), ("GET", "audit")]


@pytest.mark.parametrize(("method", "name"), OPERATOR_ONLY)
async def test_a_viewer_may_not_act(make_kit, tmp_path, method, name):
    kit = make_kit(admin=admin(accounts(tmp_path)[0]))
    async with client(kit) as http:
        await login(http, "ana")
        page = await http.get(f"{ADMIN_PATH}/")
        data = {"csrf": token(page.text)} if method == "POST" else None
        response = await http.request(method, f"{ADMIN_PATH}/{name}", data=data)
        assert response.status_code == 403
        assert f'href="{ADMIN_PATH}/requests"' not in page.text  # not offered either


async def test_privacy_requests_listed_and_acted_on(make_kit, tmp_path, clock):
    kit = make_kit(admin=admin(accounts(tmp_path)[0]))
    request = await kit.requests.submit(Intake("access", "ana@example.com"), visitor_id="v-1")
    other = await kit.requests.submit(Intake("delete", "bob@example.com"))
    async with client(kit) as http:
        await login(http, "olga")
        listing = await http.get(f"{ADMIN_PATH}/requests")
        assert listing.status_code == 200
        assert request.id in listing.text and other.id in listing.text
        deletes = await http.get(f"{ADMIN_PATH}/requests", params={"type": "delete"})
        assert other.id in deletes.text and request.id not in deletes.text
        assert (await http.get(f"{ADMIN_PATH}/requests", params={"status": "nope"})).status_code == 400
        page = await http.get(f"{ADMIN_PATH}/requests/{request.id}")
        assert page.status_code == 200 and "ana@example.com" in page.text and "data-status>received<" in page.text
        # Extending needs a reason: refused, nothing changes.
        refused = await http.post(f"{ADMIN_PATH}/requests/{request.id}",
                                  data={"csrf": token(page.text), "action": "extend", "reason": ""})
        assert refused.status_code == 400
        assert (await kit.requests.get(request.id)).extended_to is None
        denied = await http.post(f"{ADMIN_PATH}/requests/{request.id}",
                                 data={"csrf": token(page.text), "action": "deny", "reason": "could not verify"})
        assert denied.status_code == 303
        after = await kit.requests.get(request.id)
        assert after.status == "denied" and after.steps[-1].actor == "admin:olga"
        assert (await http.get(f"{ADMIN_PATH}/requests/no-such-request")).status_code == 404
    actions = [r.extra["action"] for r in await audit_trail(kit)]
    assert "request_deny" in actions and "request_view" in actions
    await kit.requests.close()


async def test_parental_refusal_and_deletion_on_the_parents_behalf(make_kit, tmp_path):
    kit = make_kit(admin=admin(accounts(tmp_path)[0]))
    async with client(kit) as child_browser:
        child = await make_child(child_browser)
    async with client(kit) as http:
        await login(http, "olga")
        page = await http.get(f"{ADMIN_PATH}/parental", params={"child": child})
        assert page.status_code == 200 and "data-parental-status>-<" in page.text
        csrf = token(page.text)
        no_reason = await http.post(f"{ADMIN_PATH}/parental", data={"csrf": csrf, "child": child, "action": "refuse"})
        assert no_reason.status_code == 400
        done = await http.post(f"{ADMIN_PATH}/parental",
                               data={"csrf": csrf, "child": child, "action": "refuse", "reason": "parent phoned"})
        assert done.status_code == 303
        page = await http.get(f"{ADMIN_PATH}/parental", params={"child": child})
        assert "data-parental-status>denied<" in page.text
        records = await kit.ledger.for_visitor(child)
        assert records[-1].extra["by"] == "admin:olga" and records[-1].parental_consent == "denied"
        assert not any(v for c, v in records[-1].choices.items() if c != "necessary")
        await http.post(f"{ADMIN_PATH}/parental",
                        data={"csrf": csrf, "child": child, "action": "delete", "reason": "parent asked"})
        kept = await kit.ledger.for_visitor(child)
        assert [r.kind for r in kept] == ["proof"] and kept[0].parental_consent == "denied"
    actions = [r.extra["action"] for r in await audit_trail(kit)]
    assert "parental_refuse" in actions and "parental_delete" in actions


async def test_export_streams_the_period(make_kit, tmp_path, clock):
    kit = make_kit(admin=admin(accounts(tmp_path)[0]))
    async with client(kit) as visitor:
        await visitor.post("/consentkit/consent", json={"choices": {"analytics": True}, "source": "banner"})
    async with client(kit) as http:
        await login(http, "olga")
        assert (await http.get(f"{ADMIN_PATH}/export")).status_code == 200
        day = clock().date()
        params = {"since": day.isoformat(), "until": day.replace(day=day.day + 1).isoformat()}
        rows = list(csv.DictReader(io.StringIO((await http.get(f"{ADMIN_PATH}/export", params={
            **params, "format": "csv"})).text)))
        decisions = [r for r in rows if r["kind"] == "decision"]
        assert len(decisions) == 1 and json.loads(decisions[0]["choices"])["analytics"] is True
        jsonl = (await http.get(f"{ADMIN_PATH}/export", params={**params, "format": "jsonl"})).text
        assert len([line for line in jsonl.splitlines() if '"kind":"decision"' in line]) == 1
        assert (await http.get(f"{ADMIN_PATH}/export", params={**params, "format": "xml"})).status_code == 400
        assert (await http.get(f"{ADMIN_PATH}/export", params={"format": "csv", "since": "x"})).status_code == 400
        audit = await http.get(f"{ADMIN_PATH}/audit")
        assert audit.status_code == 200 and re.search(r"<td>olga</td><td>export</td>", audit.text)


async def test_policy_page(make_kit, tmp_path):
    kit = make_kit(admin=admin(accounts(tmp_path)[0]))
    async with client(kit) as http:
        await login(http, "ana")
        page = await http.get(f"{ADMIN_PATH}/policy")
    assert page.status_code == 200 and f"data-version>{kit.policy.version}<" in page.text
    assert "www.googletagmanager.com" in page.text


async def test_policy_versions_side_by_side(make_kit, tmp_path):
    """What changed since an earlier version (Admin(policy_history=...)): the mode and
    what follows from it, a service gone, its cookie; an unknown version is a 404."""
    current = make_policy(version="2026-11-01")
    ads = next(c for c in current.categories if c.id == "advertising")
    retarget = Service("retarget", vendor="Retarget Co", hosts=["rt.example-ads.test"], cookies={"_rt": "90 days"})
    older = Policy(version="2026-06-01", mode="opt_in", controller=current.controller, categories=[
        *(c for c in current.categories if c.id != "advertising"),
        Category("advertising", sale_or_sharing=True, services=[*ads.services, retarget]),
    ])
    toml = tmp_path / "older.toml"
    toml.write_text('version = "2026-01-01"\nmode = "opt_out"\n[[categories]]\nid = "necessary"\nrequired = true\n')
    kit = make_kit(policy=current, admin=admin(accounts(tmp_path)[0], policy_history=[older, toml]))
    async with client(kit) as http:
        await login(http, "ana")
        page = await http.get(f"{ADMIN_PATH}/policy")
        assert '<option value="2026-06-01">' in page.text and '<option value="2026-01-01">' in page.text
        compared = await http.get(f"{ADMIN_PATH}/policy", params={"compare": "2026-06-01"})
        assert compared.status_code == 200
        rows = re.findall(r'<tr><th scope="row" class="ck-start">([^<]+)</th><td class="ck-start">([^<]*)</td>'
                          r'<td class="ck-start">([^<]*)</td></tr>', compared.text)
        changes = {html.unescape(s): (html.unescape(b), html.unescape(a)) for s, b, a in rows}
        assert changes["mode"] == ("opt_in", "opt_out")
        assert changes["lifetime_days"] == (str(older.lifetime_days), str(current.lifetime_days))
        assert changes["category advertising · service retarget"] == ("Retarget Co: rt.example-ads.test", "(absent)")
        assert changes["category advertising · service retarget · cookie _rt"][1] == "(absent)"
        assert not any(s.startswith("category analytics") for s in changes)  # unchanged: not listed
        assert (await http.get(f"{ADMIN_PATH}/policy", params={"compare": "1999-01-01"})).status_code == 404
    with pytest.raises(ValueError, match="twice"):
        admin(accounts(tmp_path)[0], policy_history=[older, older])


async def test_spanish(make_kit, tmp_path):
    kit = make_kit(admin=admin(accounts(tmp_path)[0]))
    async with client(kit) as http:
        login_page = await http.get(f"{ADMIN_PATH}/login", headers={"Accept-Language": "es-MX,es;q=0.9"})
        assert 'lang="es"' in login_page.text and "Contraseña" in login_page.text
        await login(http, "ana")
        page = await http.get(f"{ADMIN_PATH}/", headers={"Accept-Language": "es"})
        assert "Panel de consentimiento" in page.text and page.headers["content-language"] == "es"


async def test_scan_reports_listed_and_shown(make_kit, tmp_path):
    """The saved `consentkit scan --json` reports: newest first with their result,
    one report's violations; a file that is not a report is listed as such, never
    shown; names outside the folder are 404."""
    from consentkit.scan.findings import Finding

    folder = tmp_path / "scan-reports"
    folder.mkdir()
    bad = Finding("reject-all", "set-after-reject", "_ga", "analytics", "<b>_ga</b> set after Reject all")
    (folder / "home-1.json").write_text(scan_report("https://shop.example/", "2026-11-30T10:00:00Z"))
    (folder / "home-2.json").write_text(scan_report("https://shop.example/", "2026-12-01T10:00:00Z", (bad,)))
    (folder / "site.json").write_text(scan_report("https://shop.example/", "2026-11-29T10:00:00Z", (bad,), pages=2))
    (folder / "notes.json").write_text('{"not": "a report"}')
    (tmp_path / "secret.json").write_text(scan_report("https://other.example/", "2026-12-01T11:00:00Z"))
    kit = make_kit(admin=admin(accounts(tmp_path)[0], scan_reports=folder))
    async with client(kit) as http:
        await login(http, "ana")
        listing = await http.get(f"{ADMIN_PATH}/scans")
        assert listing.status_code == 200 and f'href="{ADMIN_PATH}/scans"' in listing.text  # in the navigation
        order = re.findall(r'<tr data-report="([^"]+)">', listing.text)
        assert order[:3] == ["home-2.json", "home-1.json", "site.json"] and "notes.json" in order
        assert re.search(r'data-report="home-2.json">.*?data-ok="false">1 violations', listing.text, re.DOTALL)
        assert re.search(r'data-report="home-1.json">.*?data-ok="true">no violation', listing.text, re.DOTALL)
        one = await http.get(f"{ADMIN_PATH}/scans/home-2.json")
        assert one.status_code == 200 and "set-after-reject" in one.text
        assert "&lt;b&gt;_ga&lt;/b&gt; set after Reject all" in one.text and "<b>_ga</b>" not in one.text
        assert "clicked Accept all" in one.text
        assert re.search(r'data-report="site.json">.*?\(\+1\).*?data-ok="false">2 violations', listing.text, re.DOTALL)
        several = await http.get(f"{ADMIN_PATH}/scans/site.json")
        assert several.status_code == 200 and "https://shop.example/page-1 · reject-all" in several.text
        for name in ("notes.json", "secret.json", "..%2Fsecret.json", "nope.json", "home-1.txt"):
            assert (await http.get(f"{ADMIN_PATH}/scans/{name}")).status_code == 404, name
    bare = make_kit(admin=admin(accounts(tmp_path)[0]))
    async with client(bare) as http:
        await login(http, "ana")
        page = await http.get(f"{ADMIN_PATH}/scans")
        assert page.status_code == 200 and "scan_reports" in page.text and f'href="{ADMIN_PATH}/scans"' not in page.text
