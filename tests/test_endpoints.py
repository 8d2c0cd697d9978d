"""The consent endpoints (contract section 2), in-process through httpx."""

from __future__ import annotations

import json

import pytest

from consentkit import Policy
from consentkit.cookie import COOKIE_NAME

from .apps import client

pytestmark = pytest.mark.anyio
JSON = {"Content-Type": "application/json"}
SITE = "http://testserver"


async def test_new_visitor_gets_state_without_a_cookie(make_kit):
    async with client(make_kit()) as c:
        r = await c.get("/consentkit/state")
    assert r.status_code == 200
    body = r.json()
    assert body["decided"] is False and body["prompt"] is True
    assert body["categories"] == {"necessary": True, "analytics": True, "captcha": True, "advertising": True}
    assert body["usprivacy"] == "1YNN" and body["age_band"] == "unknown"
    assert COOKIE_NAME not in r.cookies
    assert "Cookie" in r.headers["vary"] and "Sec-GPC" in r.headers["vary"]
    assert r.headers["cache-control"] == "no-store"


async def test_consent_sets_cookie_records_and_sticks(make_kit):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        r = await c.post("/consentkit/consent", json={"choices": {"analytics": False}, "source": "banner"})
        assert r.status_code == 200
        assert r.json()["categories"]["analytics"] is False and r.json()["decided"] is True
        assert "httponly" in r.headers["set-cookie"].lower() and "samesite=lax" in r.headers["set-cookie"].lower()
        again = await c.get("/consentkit/state")
        assert again.json()["categories"]["analytics"] is False
        assert again.json()["visitor_id"] == r.json()["visitor_id"]
        page = await c.get("/whoami")
        assert page.json() == {"analytics": False, "visitor": r.json()["visitor_id"]}
    records = await kit.ledger.for_visitor(r.json()["visitor_id"])
    assert [rec.source for rec in records] == ["banner"]
    assert records[0].choices["analytics"] is False


@pytest.mark.parametrize(
    ("body", "headers", "status", "message"),
    [
        (b"{not json", JSON, 400, "not valid JSON"),
        (b"[1, 2]", JSON, 400, "JSON object"),
        (b'{"choices": {"analytics": "yes"}}', JSON, 400, "true/false"),
        (b'{"choices": ["analytics"]}', JSON, 400, "true/false"),
        (b'{"choices": {"tracking": true}}', JSON, 400, "unknown category"),
        (b'{"choices": {"necessary": false}}', JSON, 400, "required"),
        (b'{"age_band": "adult"}', JSON, 400, "age_band"),
        (b'{"source": "parent", "choices": {}}', JSON, 400, "source"),
        (b'{"surprise": 1}', JSON, 400, "unknown key"),
        (b'{"sale_opt_in": "yes"}', JSON, 400, "sale_opt_in"),
        (b"[" * 4000 + b"]" * 4000, JSON, 400, "nested"),
        (b"choices=analytics", {"Content-Type": "application/x-www-form-urlencoded"}, 415, "application/json"),
        (b'{"choices": {}}', {"Content-Type": "text/plain"}, 415, "application/json"),
        (b'{"choices": {"analytics": true}, "pad": "' + b"x" * 9000 + b'"}', JSON, 413, "larger than"),
        (b'{"choices": {}}', {**JSON, "Origin": "https://evil.test"}, 403, "cross-site"),
        (b'{"choices": {}}', {**JSON, "Origin": "null"}, 403, "cross-site"),
        (b'{"choices": {}}', {**JSON, "Referer": "https://evil.test/page"}, 403, "cross-site"),
        (b'{"choices": {}}', {**JSON, "Origin": "http://testserver.evil.test"}, 403, "cross-site"),
    ],
)
async def test_bad_input_gets_its_status_and_changes_nothing(make_kit, body, headers, status, message):
    kit = make_kit()
    async with client(kit) as c:
        r = await c.post("/consentkit/consent", content=body, headers=headers)
    assert r.status_code == status
    assert message in r.json()["error"]
    assert COOKIE_NAME not in r.cookies
    assert [rec async for rec in kit.ledger.store.iter_records()] == []


async def test_declared_length_over_limit_is_refused_before_reading(make_kit):
    async with client(make_kit()) as c:
        r = await c.post("/consentkit/consent", content=b"{}", headers={**JSON, "Content-Length": "100000"})
    assert r.status_code == 413


async def test_allowed_origins_and_same_origin_referer_pass(make_kit):
    kit = make_kit(allowed_origins=["https://shop.example.test"])
    async with client(kit) as c:
        r1 = await c.post("/consentkit/consent", json={"choices": {}}, headers={"Origin": "https://shop.example.test"})
        r2 = await c.post("/consentkit/consent", json={"choices": {}}, headers={"Referer": SITE + "/quote"})
    assert r1.status_code == 200 and r2.status_code == 200


async def test_age_band_cannot_be_raised(make_kit):
    async with client(make_kit(), Origin=SITE) as c:
        assert (await c.post("/consentkit/consent", json={"age_band": "under_13"})).status_code == 200
        r = await c.post("/consentkit/consent", json={"age_band": "16_plus"})
        assert r.status_code == 409
        state = (await c.get("/consentkit/state")).json()
    assert state["age_band"] == "under_13"
    assert state["categories"]["analytics"] is False


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/consentkit/nope", 404),
    ("PUT", "/consentkit/state", 405),
    ("GET", "/consentkit/consent", 405),
    ("POST", "/.well-known/gpc.json", 405),
])
async def test_unknown_paths_and_methods(make_kit, method, path, status):
    async with client(make_kit(), Origin=SITE) as c:
        r = await c.request(method, path)
    assert r.status_code == status and "error" in r.json()


async def test_opt_out_json_and_form(make_kit):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        r = await c.post("/consentkit/opt-out", json={})
        assert r.status_code == 200
        state = r.json()
        assert state["sale_opt_out"] is True and state["categories"]["advertising"] is False
        assert state["usprivacy"] == "1YYN" and state["reprompt_not_before"].startswith("2027-11-27")
        form = await c.post("/consentkit/opt-out", data={"next": "/quote?x=1"})
        assert form.status_code == 303 and form.headers["location"] == "/quote?x=1"
        for evil in ("//evil.test/", "https://evil.test/", "/\\evil.test", "javascript:alert(1)", "/x\r\nSet-Cookie: a=b"):
            bad = await c.post("/consentkit/opt-out", data={"next": evil})
            assert bad.status_code == 303 and bad.headers["location"] == "/consentkit/do-not-sell?done=1", evil
        empty = await c.post("/consentkit/opt-out")
        assert empty.status_code == 200
        wrong = await c.post("/consentkit/opt-out", content=b"x", headers={"Content-Type": "text/plain"})
        assert wrong.status_code == 415
    sources = [rec.source async for rec in kit.ledger.store.iter_records()]
    assert sources and set(sources) == {"link"}


async def test_gpc_header_opts_out_once_and_only_for_exactly_1(make_kit):
    kit = make_kit()
    async with client(kit, **{"Sec-GPC": "1"}) as c:
        first = await c.get("/consentkit/state")
        second = await c.get("/")
    assert first.json()["gpc"] is True and first.json()["categories"]["advertising"] is False
    assert COOKIE_NAME in first.cookies
    records = [rec async for rec in kit.ledger.store.iter_records()]
    assert [rec.source for rec in records] == ["gpc"] and records[0].gpc is True
    assert second.status_code == 200
    for value in ("0", "true", "1, 1", " yes"):
        async with client(make_kit(), **{"Sec-GPC": value}) as c:
            assert (await c.get("/consentkit/state")).json()["gpc"] is False


async def test_navigator_gpc_through_the_api(make_kit):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        r = await c.post("/consentkit/consent", json={"gpc": True, "source": "gpc"})
    assert r.json()["gpc"] is True and r.json()["sale_opt_out"] is True
    assert [rec.source async for rec in kit.ledger.store.iter_records()] == ["gpc"]


async def test_gpc_json(make_kit):
    async with client(make_kit()) as c:
        r = await c.get("/.well-known/gpc.json")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.json() == {"gpc": True, "lastUpdate": "2026-11-01"}


async def test_receipts_access_and_erasure_keep_opt_out_proof(make_kit):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        await c.post("/consentkit/consent", json={"choices": {"analytics": True}, "source": "banner"})
        await c.post("/consentkit/opt-out", json={})
        got = await c.get("/consentkit/receipts")
        assert got.status_code == 200 and len(got.json()["receipts"]) == 2
        gone = await c.delete("/consentkit/receipts")
        assert gone.status_code == 200 and gone.json()["erased"] == 2
        after = (await c.get("/consentkit/receipts")).json()["receipts"]
    # The proofs of what is in force: the consent to analytics and the opt-out (R27).
    assert len(after) == gone.json()["kept"] == 2 and {r["recordKind"] for r in after} == {"proof"}


async def test_erasure_is_refused_cross_site(make_kit):
    async with client(make_kit(), Origin="https://evil.test") as c:
        assert (await c.delete("/consentkit/receipts")).status_code == 403


async def test_state_json_is_the_contract_shape(make_kit):
    async with client(make_kit()) as c:
        body = (await c.get("/consentkit/state")).json()
    expected = {"visitor_id", "policy_version", "mode", "categories", "decided", "prompt", "gpc", "sale_opt_out",
                "reprompt_not_before", "age_band", "parental_consent", "updated_at", "expires_at", "usprivacy"}
    assert expected <= set(body)
    json.dumps(body)


async def test_withdrawal_expires_the_categorys_cookies_and_nothing_else(make_kit):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        c.cookies.set("_ga_ABC", "1")
        c.cookies.set("_ga", "1")
        r = await c.post("/consentkit/consent", json={"choices": {"analytics": False}, "source": "banner"})
        expired = [v for v in r.headers.get_list("set-cookie") if "Max-Age=0" in v]
        assert {v.split("=", 1)[0] for v in expired} == {"_ga", "_gid", "_ga_ABC"}
        # Still carried (a vendor script may set them again): expired on every page view...
        again = await c.get("/")
        expired = [v for v in again.headers.get_list("set-cookie") if "Max-Age=0" in v]
        assert {v.split("=", 1)[0] for v in expired} == {"_ga", "_ga_ABC"}
        # ...and once gone, nothing more is sent.
        c.cookies.delete("_ga_ABC")
        c.cookies.delete("_ga")
        gone = await c.get("/")
        assert not [v for v in gone.headers.get_list("set-cookie") if "Max-Age=0" in v]


async def test_a_denied_categorys_cookies_are_expired_on_every_page_view_they_come_back_on(make_kit):
    """Issue 12 part 2, server side: a vendor script still running in an open page may
    set a cookie again after the withdrawal; each page view that carries it expires it."""
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        await c.post("/consentkit/consent", json={"choices": {"analytics": False}, "source": "banner"})
        for _ in range(3):
            c.cookies.set("_ga", "GA1.1.again")
            page = await c.get("/")
            expired = [v for v in page.headers.get_list("set-cookie") if v.startswith("_ga=;")]
            assert expired and all("Max-Age=0" in v for v in expired)
            assert "Cookie" in page.headers["vary"]
        # Not on what a page view is not: a JSON answer of the app, a HEAD.
        c.cookies.set("_ga", "GA1.1.again")
        assert "set-cookie" not in (await c.get("/whoami")).headers
        assert "set-cookie" not in (await c.head("/")).headers


async def test_a_gpc_visit_expires_sale_cookies_on_that_response(make_kit):
    async with client(make_kit(), **{"Sec-GPC": "1"}) as c:
        c.cookies.set("_ads", "1")
        r = await c.get("/")
    expired = {v.split("=", 1)[0] for v in r.headers.get_list("set-cookie") if "Max-Age=0" in v}
    assert expired == {"_ads"}


@pytest.mark.parametrize("name", ["boot.js", "widget.js", "widget.css", "config.json"])
async def test_widget_assets_are_cacheable_and_carry_no_cookie(make_kit, name):
    kit = make_kit()
    found = kit.head.assets.get(name)
    async with client(kit, **{"Sec-GPC": "1"}) as c:
        r = await c.get(f"/consentkit/{name}?v={found.version}")
        assert r.status_code == 200 and r.content == found.body
        assert r.headers["etag"] == found.etag and "immutable" in r.headers["cache-control"]
        assert "set-cookie" not in r.headers
        unversioned = await c.get(f"/consentkit/{name}")
        assert "immutable" not in unversioned.headers["cache-control"]
        again = await c.get(f"/consentkit/{name}", headers={"If-None-Match": found.etag})
        assert again.status_code == 304 and not again.content
        assert (await c.head(f"/consentkit/{name}")).status_code == 200


async def test_the_policy_travels_in_the_widgets_scripts_keyed_by_its_content_and_language(make_kit):
    from consentkit.assets import asset

    kit = make_kit()
    boot, english, spanish = (kit.head.assets.get("boot.js"), kit.head.assets.get("widget.js", "en"),
                              kit.head.assets.get("widget.js", "es"))
    assert boot.body.startswith(b"self.__consentkitPolicy={") and boot.body.endswith(asset("boot.js").body)
    assert english.body.endswith(asset("widget.js").body) and english.version != spanish.version
    assert kit.head.assets.get("widget.js", "xx") == english  # a language not offered: the default
    async with client(kit) as c:
        es = (await c.get("/consentkit/config.json?lang=es")).json()
    assert es["lang"] == "es" and es["texts"]["action.reject"] == "Rechazar todo"
    assert "Reject all" not in (await _body(kit, "/consentkit/widget.js?lang=es"))
    # Another policy, another URL: a cached copy of the old one is never used for it.
    changed = make_kit(Policy("v2", [*kit.policy.categories]))
    assert changed.head.assets.url("widget.js") != kit.head.assets.url("widget.js")
    assert kit.head.assets.url("boot.js") == f"/consentkit/boot.js?v={boot.version}"


async def _body(kit, path):
    async with client(kit) as c:
        return (await c.get(path)).text
