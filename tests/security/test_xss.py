"""XSS through the policy's texts and the state, on every server page, in-process.

The policy's labels, descriptions, vendors, storage names, controller and every
translation are attacks (``conftest.hostile_policy``), and so is its version, which
travels in the state. Each page is parsed as a browser would: nothing the texts hold
may become markup, and each text must come out as the visitor should read it.
(``tests/test_pages.py::test_policy_text_is_escaped`` checks the preferences page
for a few of these; here it is every page, every text, and the JSON blocks.)
"""

from __future__ import annotations

import json

import httpx
import pytest

from consentkit import ConsentKit, Policy
from consentkit.i18n import texts
from tests.browser.site import IE11
from tests.minors.flow import ask_parent, csrf, decide, make_child

from .hostile import XSS_ATTR, XSS_CLOSE, XSS_IMG, hostile_policy, hostile_strings, site
from .markup import Page, assert_inert, parse

pytestmark = pytest.mark.anyio
SITE = "http://testserver"
HTML = {"Accept": "text/html"}


def _client(kit: ConsentKit, **headers: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=site(kit))
    return httpx.AsyncClient(transport=transport, base_url=SITE, headers={"Origin": SITE, **headers})


async def _page(r: httpx.Response, status: int = 200) -> Page:
    assert r.status_code == status, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    page = parse(r.text)
    assert_inert(page)
    return page


def _assert_shown(page: Page, *strings: str) -> None:
    for text in strings:
        assert text in page.text, f"{text!r} is not shown as text"


@pytest.fixture
def kit(make_kit) -> ConsentKit:  # type: ignore[no-untyped-def]
    return make_kit(hostile_policy())  # type: ignore[no-any-return]


@pytest.mark.parametrize("lang", ["en", "es", "xx"])
async def test_the_preferences_page_shows_every_hostile_text_as_text(kit: ConsentKit, lang: str) -> None:
    words = texts(lang, kit.policy.texts)
    async with _client(kit, **{"Accept-Language": lang}) as c:
        page = await _page(await c.get("/consentkit/preferences"))
    _assert_shown(page, *hostile_strings(kit.policy), words["prefs.title"], words["prefs.text"],
                  words["action.save"], words["page.accept_all"], words["page.reject_all"], words["page.back"],
                  words["dns"], words["prefs.required"], words["prefs.sale"])
    assert [e.attrs.get("lang") for e in page.elements if e.tag == "html"] == [lang]


async def test_the_do_not_sell_page_and_its_confirmation(make_kit) -> None:  # type: ignore[no-untyped-def]
    kit = make_kit(hostile_policy("opt_out"))  # a visitor who has not opted out gets the button
    words = texts("en", kit.policy.texts)
    async with _client(kit) as c:
        page = await _page(await c.get("/consentkit/do-not-sell"))
        _assert_shown(page, words["dns"], words["dns.text"], words["dns.button"], words["page.back"])
        done = await c.post("/consentkit/opt-out", data={"from": "page"})
        page = await _page(await c.get(done.headers["location"]))
    _assert_shown(page, words["gpc.honored"])


async def test_the_error_page(kit: ConsentKit) -> None:
    async with _client(kit) as c:
        await c.get("/consentkit/preferences")
        page = await _page(await c.post("/consentkit/preferences", data={"csrf_token": "forged"}), status=403)
    _assert_shown(page, texts("en", kit.policy.texts)["page.forbidden"])


async def test_the_site_page_carries_the_texts_and_the_state_as_whole_json(kit: ConsentKit) -> None:
    async with _client(kit) as c:
        r = await c.get("/")
        state = (await c.get("/consentkit/state")).json()
        config = (await c.get("/consentkit/config.json?lang=xx")).json()
        script = (await c.get("/consentkit/widget.js?lang=xx")).text
    page = await _page(r)
    block = page.json_block("consentkit-state")
    assert {k: v for k, v in block.items() if k != "visitor_id"} == {k: v for k, v in state.items() if k != "visitor_id"}
    assert state["policy_version"] == XSS_CLOSE
    # The texts reach the widget as JSON ahead of its code: whole, ASCII, no '<'.
    prelude, _, _ = script.partition(";\n")
    assert prelude.startswith("self.__consentkitConfig=") and "<" not in prelude and prelude.isascii()
    assert json.loads(prelude.removeprefix("self.__consentkitConfig=")) == config
    sent = [c["label"] for c in config["categories"]] + [c["description"] for c in config["categories"]]
    sent += [s[k] for c in config["categories"] for s in c["services"] for k in ("vendor", "description")]
    sent += [name for c in config["categories"] for s in c["services"] for name in s["local_storage"]]
    assert set(hostile_strings(kit.policy)) <= set(sent)
    assert config["texts"]["banner.title"] == kit.policy.texts["xx"]["banner.title"]


async def test_a_decided_state_with_a_hostile_version_round_trips_through_the_cookie(kit: ConsentKit) -> None:
    async with _client(kit) as c:
        decided = await c.post("/consentkit/consent", json={"choices": {"analytics": True}, "source": "banner"})
        page = await _page(await c.get("/"))
    assert decided.status_code == 200
    block = page.json_block("consentkit-state")
    assert block["policy_version"] == XSS_CLOSE and block["decided"] is True
    assert block == decided.json()


async def test_the_unsupported_browser_notice(kit: ConsentKit) -> None:
    words = texts("en", kit.policy.texts)
    async with _client(kit, **{"User-Agent": IE11}) as c:
        page = await _page(await c.get("/"))
    _assert_shown(page, words["notice.unsupported"], words["prefs.title"])


async def test_the_parents_pages(make_kit) -> None:  # type: ignore[no-untyped-def]
    kit = make_kit(hostile_policy())
    policy: Policy = kit.policy
    async with _client(kit) as child, _client(kit, **HTML) as parent:
        await make_child(child)
        path = await ask_parent(child, kit)
        opened = await parent.get(path, headers=HTML)
        consent_page = await _page(opened)
        assert csrf(opened.text)
        decided = await decide(parent, path, grant=["analytics"])
        assert decided.status_code == 303
        manage_page = await _page(await parent.get(decided.headers["location"], headers=HTML))
        gone = await _page(await parent.get(path, headers=HTML), status=404)
    _assert_shown(consent_page, *hostile_strings(policy), policy.controller.name)
    _assert_shown(manage_page, policy.category("analytics").label, policy.controller.name)
    assert gone.text


@pytest.mark.parametrize("html", [
    f"<p>{XSS_IMG}</p>",
    f'<p title="{XSS_ATTR}">',
    f'<script type="application/json">{{"version": "{XSS_CLOSE}"}}</script>',
    '<a href=" JavaScript:alert(1)">x</a>',
    "<script>alert(1)</script>",
])
def test_the_page_checker_sees_each_attack_that_gets_through(html: str) -> None:
    with pytest.raises(AssertionError):
        assert_inert(parse(html))
