"""Click-to-load placeholders (#12 part 5) in real Chromium, with JavaScript on and
off: a YouTube and a Google Maps embed, pasted as their vendors publish them
(``corpus/youtube.html``, ``corpus/google_maps.html``), served through
``ConsentMiddleware`` in opt_in mode. The vendors' hosts are answered by Playwright
(the sandbox has no internet), and every request to them is counted.

Before any choice each shows a placeholder (its service, vendor, purpose and cookies)
and nothing reaches the vendor. "Load once" loads that one embed and records nothing:
after a reload the placeholder is back. "Always allow YouTube" grants YouTube alone
(the state, the consent cookie and the ledger say so): Google Maps stays held. Without
JavaScript "Always allow YouTube" goes through the preferences page and back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page, Route, expect
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route as Path_

from consentkit import ConsentKit, ConsentMiddleware
from consentkit.cookie import CookieCodec
from consentkit.testing.server import LiveServer, serve

from ..kits import embeds_policy
from .site import SECRET

pytestmark = pytest.mark.browser

CORPUS = Path(__file__).parent / "corpus"
POLICY = embeds_policy("opt_in")
YOUTUBE = '[data-consentkit-placeholder="youtube"]'
MAPS = '[data-consentkit-placeholder="maps"]'


async def page_of(request: Request) -> HTMLResponse:
    snippets = "".join((CORPUS / f"{name}.html").read_text() for name in ("youtube", "google_maps"))
    return HTMLResponse('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Embeds</title></head>'
                        f"<body><main><h1>Embeds</h1><p>A video:</p>{snippets}<p>the end</p></main></body></html>")


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[LiveServer, ConsentKit]]:
    kit = ConsentKit(POLICY, secret_keys=[SECRET], store="memory://")
    app = Starlette(routes=[Path_("/embeds", page_of)], middleware=[Middleware(ConsentMiddleware, kit=kit)])
    server = serve(app, public_host="localhost")
    yield server, kit
    server.stop()


class Visitor:
    """One browser profile: the requests it made to each vendor service."""

    def __init__(self, context: BrowserContext, server: LiveServer) -> None:
        self.context = context
        self.server = server
        self.requests: list[tuple[str, str]] = []  # (service, url)
        context.on("request", self._count)
        context.route(re.compile(r"^https?://"), self._answer)
        self.page = context.new_page()

    def _count(self, request: Any) -> None:
        service = POLICY.category_for_url(request.url)
        if service is not None:
            self.requests.append((_service(request.url), request.url))

    def _answer(self, route: Route) -> None:
        if POLICY.category_for_url(route.request.url) is None:
            route.fallback()
            return
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>embed</title><p>the embed</p>")

    def open(self) -> Page:
        self.page.goto(f"{self.server.url}/embeds", wait_until="load")
        self.page.wait_for_timeout(200)
        return self.page

    def to(self, service: str) -> list[str]:
        return [url for s, url in self.requests if s == service]

    def services_in_cookie(self) -> dict[str, bool] | None:
        """The services the consent cookie grants or refuses on their own (its "s")."""
        value = next((c["value"] for c in self.context.cookies() if c["name"] == "consentkit"), None)
        loaded = CookieCodec([SECRET]).loads(value, datetime.now(UTC))
        return None if loaded is None else dict(loaded.choices.services)


def _service(url: str) -> str:
    return "youtube" if "youtube" in url else "maps"


@pytest.fixture
def visitor(new_context: Callable[..., BrowserContext], site: tuple[LiveServer, ConsentKit]) -> Callable[..., Visitor]:
    # Tall enough that the banner (a fixed overlay at the bottom) covers neither embed.
    return lambda **options: Visitor(new_context(viewport={"width": 1280, "height": 1800}, **options), site[0])


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_placeholders_show_and_nothing_reaches_the_vendor(visitor, javascript):
    v = visitor(java_script_enabled=javascript)
    page = v.open()
    for selector, name, cookie in ((YOUTUBE, "YouTube", "VISITOR_INFO1_LIVE (6 months)"),
                                   (MAPS, "Google Maps", "NID (6 months)")):
        placeholder = page.locator(selector)
        expect(placeholder).to_be_visible()
        expect(placeholder).to_contain_text(name)
        expect(placeholder).to_contain_text("(Google)")
        expect(placeholder).to_contain_text(cookie)
        expect(placeholder.locator('[data-consentkit-action="allow"]')).to_have_text(f"Always allow {name}")
        # "Load once" needs JavaScript: without it, it is not offered.
        expect(placeholder.locator('[data-consentkit-action="once"]')).to_be_visible(visible=javascript)
        expect(page.locator(f"{selector} + iframe")).to_be_hidden()
    # The YouTube placeholder takes the embed's 560x315.
    box = page.locator(YOUTUBE).bounding_box()
    assert box and abs(box["width"] - 560) <= 4 and abs(box["height"] - 315) <= 4, box
    assert v.requests == []


def test_load_once_loads_that_embed_once_and_records_nothing(visitor):
    v = visitor()
    page = v.open()
    page.locator(YOUTUBE).get_by_role("button", name="Load once").click()
    expect(page.frame_locator(f"{YOUTUBE} iframe").locator("p")).to_have_text("the embed")
    assert v.to("youtube") and v.to("maps") == []
    page.wait_for_timeout(300)
    # Loaded, and it stays loaded: the guard does not take it back.
    assert page.locator(f"{YOUTUBE} iframe").get_attribute("src", timeout=1000).startswith("https://www.youtube.com/")
    assert page.evaluate("consentkit.allows('youtube')") is False
    assert not v.services_in_cookie()
    state = page.evaluate("fetch('/consentkit/state').then(r => r.json())")
    assert state["services"]["youtube"] is False and state["categories"]["media"] is False
    v.requests.clear()
    page.reload(wait_until="load")
    page.wait_for_timeout(300)
    expect(page.locator(YOUTUBE)).to_be_visible()
    assert v.requests == []


def test_always_allow_youtube_grants_youtube_alone(visitor):
    v = visitor()
    page = v.open()
    page.locator(YOUTUBE).get_by_role("link", name="Always allow YouTube").click()
    expect(page.locator(YOUTUBE)).to_be_hidden()
    expect(page.frame_locator('iframe[src^="https://www.youtube.com/embed/"]').locator("p")).to_have_text("the embed")
    expect(page.locator(MAPS)).to_be_visible()
    assert v.to("youtube") and v.to("maps") == []
    assert page.url.endswith("/embeds")  # no navigation: the widget posted the choice
    state = page.evaluate("consentkit.state")
    assert state["services"]["youtube"] is True and state["services"]["maps"] is False
    assert state["categories"]["media"] is False
    assert v.services_in_cookie() == {"youtube": True}
    receipts = page.evaluate("fetch('/consentkit/receipts').then(r => r.json())")
    _assert_ledger_grants_youtube_alone(receipts)
    # The next page comes with YouTube live from the server and Maps still held.
    v.requests.clear()
    page.reload(wait_until="load")
    page.wait_for_timeout(300)
    assert page.locator(YOUTUBE).count() == 0
    expect(page.locator(MAPS)).to_be_visible()
    assert v.to("youtube") and v.to("maps") == []


def test_the_dialog_has_a_box_per_service(visitor):
    v = visitor()
    page = v.open()
    page.click('[data-consentkit-action="preferences"]')
    dialog = page.locator("#consentkit-preferences")
    dialog.locator("summary").last.click()  # Media's services
    expect(dialog.locator('input[name="media/maps"]')).not_to_be_checked()
    with page.expect_request(lambda r: r.url.endswith("/consentkit/consent")) as sent:
        dialog.get_by_label("YouTube").check()
        page.click('#consentkit-preferences [data-consentkit-action="save"]')
    body = sent.value.post_data_json
    assert body["services"] == {"youtube": True} and body["choices"]["media"] is False
    expect(page.locator(YOUTUBE)).to_be_hidden()
    expect(page.frame_locator('iframe[src^="https://www.youtube.com/embed/"]').locator("p")).to_have_text("the embed")
    expect(page.locator(MAPS)).to_be_visible()
    assert v.to("maps") == [] and v.services_in_cookie() == {"youtube": True}
    # Media ticked, no service box touched: the category covers them all.
    page.click('[data-consentkit-action="open"]')
    dialog.locator('input[name="media"]').check()
    with page.expect_request(lambda r: r.url.endswith("/consentkit/consent")) as sent:
        page.click('#consentkit-preferences [data-consentkit-action="save"]')
    assert sent.value.post_data_json["services"] == {}
    expect(page.locator(MAPS)).to_be_hidden()
    expect(page.frame_locator('iframe[src^="https://www.google.com/maps/"]').locator("p")).to_have_text("the embed")
    assert v.to("maps")


def test_always_allow_youtube_without_javascript(visitor):
    v = visitor(java_script_enabled=False)
    page = v.open()
    page.locator(YOUTUBE).get_by_role("link", name="Always allow YouTube").click()
    expect(page.get_by_role("heading", name="Always allow YouTube")).to_be_visible()
    assert "/consentkit/preferences?service=youtube" in page.url
    page.get_by_role("button", name="Always allow YouTube").click()
    page.wait_for_url(re.compile(r"/embeds$"))
    page.wait_for_timeout(300)
    assert page.locator(YOUTUBE).count() == 0
    expect(page.locator('iframe[src^="https://www.youtube.com/embed/"]')).to_be_visible()
    expect(page.locator(MAPS)).to_be_visible()
    assert v.to("youtube") and v.to("maps") == []
    assert v.services_in_cookie() == {"youtube": True}


def test_axe_on_the_placeholder(visitor):
    # (axe runs in the page: JavaScript on. The markup is the server's either way.)
    page = visitor().open()
    results = Axe().run(page, context=".ck-ph")
    serious = [f"{x['id']}: {x['help']}" for x in results.response["violations"]
               if x.get("impact") in ("serious", "critical")]
    assert serious == []


def _assert_ledger_grants_youtube_alone(receipts: dict[str, Any]) -> None:
    """One record, from the ledger: media denied, YouTube granted in it, Maps not."""
    (receipt,) = receipts["receipts"]
    purposes = {p["purpose"]: p for p in receipt["services"][0]["purposes"]}
    assert purposes["media"]["state"] == "denied"
    assert {s["id"]: s["granted"] for s in purposes["media"]["services"]} == {"youtube": True, "maps": False}
