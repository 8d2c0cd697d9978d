"""The no-JavaScript pages (``preferences``, ``do-not-sell``) and the unsupported-browser
notice, in-process through httpx."""

from __future__ import annotations

import re

import pytest

from consentkit import Category, Policy, Service
from consentkit.pages import csrf_token

from .apps import client
from .kits import make_policy

pytestmark = pytest.mark.anyio
SITE = "http://testserver"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
IE11 = "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko"
CHROME = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/140.0.0.0 Safari/537.36")


async def _form(c, path="/consentkit/preferences"):
    r = await c.get(path)
    assert r.status_code == 200
    match = TOKEN.search(r.text)
    assert match, "the form has no CSRF token"
    return r, match.group(1)


async def test_preferences_page_shows_every_category_and_service(make_kit):
    async with client(make_kit()) as c:
        r, _ = await _form(c)
    html = r.text
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["cache-control"] == "no-store"
    assert "script-src" not in r.headers["content-security-policy"]  # default-src 'none': no script at all
    assert '<html lang="en">' in html and "<main" in html
    for category in ("necessary", "analytics", "captcha", "advertising"):
        assert f'name="{category}"' in html
    assert re.search(r'name="necessary" value="1" checked disabled', html)
    # opt_out mode: the boxes show what applies now.
    assert re.search(r'name="analytics" value="1" checked>', html)
    assert "Google" in html and "_ga (2 years)" in html and "_ads (13 months)" in html
    assert '/consentkit/widget.css?v=' in html
    # A new visitor keeps the id the token is bound to.
    assert "consentkit=" in r.headers["set-cookie"]


async def test_opt_in_mode_ticks_nothing(make_kit):
    from .kits import make_policy

    async with client(make_kit(make_policy("opt_in"))) as c:
        r, _ = await _form(c)
    assert re.search(r'name="necessary" value="1" checked disabled', r.text)
    for category in ("analytics", "captcha", "advertising"):
        assert re.search(rf'name="{category}" value="1">', r.text)


async def test_post_saves_the_boxes_and_redirects_to_a_same_origin_next(make_kit):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        _, token = await _form(c)
        r = await c.post("/consentkit/preferences",
                         data={"csrf_token": token, "next": "/quote?step=2", "analytics": "1"})
        assert r.status_code == 303
        assert r.headers["location"] == "/quote?step=2"
        state = (await c.get("/consentkit/state")).json()
    # An unticked box is a "no".
    assert state["categories"] == {"necessary": True, "analytics": True, "captcha": False, "advertising": False}
    assert state["decided"] is True and state["sale_opt_out"] is True
    records = await kit.ledger.for_visitor(state["visitor_id"])
    assert [rec.source for rec in records] == ["preferences"]


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x", ""])
async def test_post_never_redirects_off_site(make_kit, target):
    async with client(make_kit(), Origin=SITE) as c:
        _, token = await _form(c)
        r = await c.post("/consentkit/preferences", data={"csrf_token": token, "next": target})
    assert r.status_code == 303
    assert r.headers["location"] == "/consentkit/preferences?saved=1"


@pytest.mark.parametrize(("button", "expected"), [("accept", True), ("reject", False)])
async def test_accept_and_reject_all_buttons(make_kit, button, expected):
    async with client(make_kit(), Origin=SITE) as c:
        _, token = await _form(c)
        await c.post("/consentkit/preferences", data={"csrf_token": token, "all": button, "analytics": "1"})
        state = (await c.get("/consentkit/state")).json()
    assert {k: v for k, v in state["categories"].items() if k != "necessary"} == {
        "analytics": expected, "captcha": expected, "advertising": expected}


@pytest.mark.parametrize("token", ["", "forged", "x" * 300])
async def test_bad_token_is_refused_and_changes_nothing(make_kit, token):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        await _form(c)
        r = await c.post("/consentkit/preferences", data={"csrf_token": token, "analytics": "1"})
        assert r.status_code == 403
        assert r.headers["content-type"].startswith("text/html")
        assert "expired" in r.text
        state = (await c.get("/consentkit/state")).json()
    assert state["decided"] is False
    await kit.startup()
    assert await kit.ledger.for_visitor(state["visitor_id"]) == []


async def test_a_token_is_bound_to_its_visitor_and_expires(make_kit, clock):
    kit = make_kit()
    other = csrf_token(kit, "someone-else-0123456789")
    async with client(kit, Origin=SITE) as c:
        _, token = await _form(c)
        assert (await c.post("/consentkit/preferences", data={"csrf_token": other})).status_code == 403
        clock.advance(hours=5)
        assert (await c.post("/consentkit/preferences", data={"csrf_token": token})).status_code == 403


async def test_cross_site_post_is_refused(make_kit):
    async with client(make_kit()) as c:
        _, token = await _form(c)
        r = await c.post("/consentkit/preferences", data={"csrf_token": token},
                         headers={"Origin": "https://evil.example"})
    assert r.status_code == 403


async def test_a_minor_opts_in_by_ticking_and_is_told_they_can_opt_out(make_kit):
    async with client(make_kit(), Origin=SITE) as c:
        await c.post("/consentkit/consent", json={"age_band": "13_15", "source": "banner"})
        page, token = await _form(c)
        assert "you can opt out at any time" in page.text
        # "Accept all" is not a minor's opt-in to sale.
        await c.post("/consentkit/preferences", data={"csrf_token": token, "all": "accept"})
        assert (await c.get("/consentkit/state")).json()["categories"]["advertising"] is False
        step1 = await c.post("/consentkit/preferences",
                             data={"csrf_token": token, "advertising": "1", "next": "/quote"})
        # The tick is the request; the confirmation (R38) its second step.
        assert step1.status_code == 200 and (await c.get("/consentkit/state")).json()["sale_opt_in"] is False
        confirm = re.search(r'name="confirm" value="([^"]+)"', step1.text).group(1)
        r = await c.post("/consentkit/preferences", data={"csrf_token": token, "confirm": confirm, "next": "/quote"})
        assert r.status_code == 303
        assert r.headers["location"] == "/consentkit/preferences?saved=1&next=/quote"
        state = (await c.get("/consentkit/state")).json()
        assert state["sale_opt_in"] is True and state["categories"]["advertising"] is True
        confirmation = await c.get(r.headers["location"])
    assert "You can opt out at any time: use the" in confirmation.text
    assert 'href="/quote"' in confirmation.text


async def test_do_not_sell_page_and_its_button(make_kit):
    async with client(make_kit(), Origin=SITE) as c:
        page = await c.get("/consentkit/do-not-sell")
        assert page.status_code == 200
        assert "<h1>Do Not Sell or Share My Personal Information</h1>" in page.text
        assert 'action="/consentkit/opt-out"' in page.text
        assert "Opt-Out Request Honored" not in page.text
        # What the page's form sends: an empty urlencoded body.
        r = await c.post("/consentkit/opt-out", content=b"",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert r.status_code == 303
        done = await c.get(r.headers["location"])
    assert "Opt-Out Request Honored" in done.text
    # Already opted out: nothing left to press, and no text that speaks of a button (issue 19, 6).
    assert 'action="/consentkit/opt-out"' not in done.text
    assert "Use the button" not in done.text and "stays in effect" in done.text


async def test_do_not_sell_page_in_opt_in_mode_offers_no_missing_button(make_kit):
    async with client(make_kit(make_policy("opt_in"))) as c:
        page = await c.get("/consentkit/do-not-sell")
    assert "<form" not in page.text and "Use the button" not in page.text
    assert "only with your consent, and you have not given it" in page.text


async def test_do_not_sell_page_after_gpc(make_kit):
    async with client(make_kit(), **{"Sec-GPC": "1"}) as c:
        page = await c.get("/consentkit/do-not-sell")
    assert "Opt-Out Request Honored" in page.text


async def test_do_not_sell_page_without_sale_categories(make_kit):
    policy = Policy("2026-11-01", [Category("necessary", required=True), Category("analytics")])
    async with client(make_kit(policy)) as c:
        page = await c.get("/consentkit/do-not-sell")
    assert "does not sell or share" in page.text
    assert "<form" not in page.text


async def test_pages_speak_the_visitors_language(make_kit):
    async with client(make_kit(), **{"Accept-Language": "ja-JP;q=1, es-MX;q=0.9, en;q=0.5"}) as c:
        page = await c.get("/consentkit/preferences")
    assert '<html lang="es">' in page.text
    assert "Preferencias de privacidad" in page.text
    assert page.headers["content-language"] == "es"


async def test_policy_text_is_escaped(make_kit):
    policy = Policy("2026-11-01", [
        Category("necessary", required=True),
        Category("analytics", label="<script>alert(1)</script>", description='"><img src=x onerror=alert(1)>',
                 services=[Service("tool", vendor="<b>Vendor</b>", cookies={"_t": "1 day"})]),
    ], texts={"en": {"prefs.title": "<i>Choices</i>"}})
    async with client(make_kit(policy)) as c:
        page = await c.get("/consentkit/preferences")
    assert "<script>alert" not in page.text and "<img src=x" not in page.text and "<b>Vendor" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "&lt;i&gt;Choices" in page.text


def test_unsupported_browser_gets_a_notice_instead_of_the_widget(make_kit):
    kit = make_kit()
    notice = kit.head.tags(user_agent=IE11)
    assert "widget.js" not in notice and "boot.js" not in notice
    assert 'class="ck-notice"' in notice and 'href="/consentkit/preferences"' in notice
    widget = kit.head.tags(user_agent=CHROME)
    assert '<script src="/consentkit/boot.js?v=' in widget and '<script src="/consentkit/widget.js?v=' in widget
    assert "widget.js" in kit.head.tags(user_agent=None)


async def test_internet_explorer_page_carries_the_notice(make_kit):
    async with client(make_kit(), **{"User-Agent": IE11}) as c:
        page = await c.get("/")
    assert "ck-notice" in page.text and "widget.js" not in page.text
