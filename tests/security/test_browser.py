"""Hostile input in real Chromium: the widget and the server pages of a policy whose
every text is an attack; a forged cross-site POST from another site; and ``next``
values read by the browser's own URL parser.

The site is served on ``127.0.0.1``; the attacker's server, on another port, is
reached both as ``evil.localhost`` (another site: SameSite=Lax keeps the consent
cookie home) and as ``127.0.0.1`` (the same site on another origin: the cookie goes
along with the forged POST, and the Origin check alone must refuse it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import BrowserContext, Dialog, Page
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from consentkit import ConsentKit
from consentkit.i18n import texts
from consentkit.testing.server import LiveServer, serve
from tests.browser.site import SECRET
from tests.kits import make_policy

from .hostile import XSS_CLOSE, hostile_policy, hostile_strings, site

pytestmark = pytest.mark.browser
Contexts = Callable[..., BrowserContext]


class Watch:
    """Everything on a page that would show an injection: dialogs opened, requests
    for ``/x`` (``<img src=x>``), and ``window.__xss``."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        page.on("dialog", self._dialog)
        page.on("request", lambda r: self.requests.append(r.url))

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def assert_nothing_ran(self) -> None:
        assert self.page.evaluate("window.__xss") is None, "an injected script ran"
        assert self.dialogs == []
        assert not [u for u in self.requests if urlsplit(u).path == "/x"], "an injected <img src=x> loaded"


def _forms(target: str) -> dict[str, str]:
    """The attacker's pages: each posts to the site's ``target`` (its consent prefix) on load."""
    submit = "<script>document.forms[0].submit()</script>"
    return {
        "opt-out": f'<form method="post" action="{target}/opt-out"><input name="next" value="/"></form>{submit}',
        "preferences": (f'<form method="post" action="{target}/preferences"><input name="all" value="reject">'
                        f'<input name="csrf_token" value="forged"></form>{submit}'),
        # The classic JSON CSRF: a text/plain form whose one field spells a JSON body.
        "consent": (f'<form method="post" enctype="text/plain" action="{target}/consent">'
                    "<input name='{\"choices\": {\"advertising\": false}, \"x\": \"' value='\"}'></form>"
                    + submit),
        "fetch": (f"<script>fetch('{target}/opt-out', {{method: 'POST', mode: 'no-cors', credentials: 'include', "
                  "headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: 'next=/'})</script>"),
    }


def attacker_app(target: str) -> Starlette:
    async def attack(request: Request) -> HTMLResponse:
        html = _forms(target)[request.path_params["kind"]]
        return HTMLResponse(f"<!doctype html><html><body><h1>Win a prize</h1>{html}</body></html>")

    return Starlette(routes=[Route("/attack/{kind}", attack)])


@pytest.fixture(scope="module")
def hostile_site() -> Iterator[tuple[LiveServer, ConsentKit]]:
    kit = ConsentKit(hostile_policy("opt_in"), secret_keys=[SECRET], store="memory://")
    with serve(site(kit), public_host="site.localhost") as live:
        yield live, kit


@pytest.fixture(scope="module")
def plain_site() -> Iterator[LiveServer]:
    kit = ConsentKit(make_policy("opt_out", age_gate=False), secret_keys=[SECRET], store="memory://")
    with serve(site(kit)) as live:
        yield live


@pytest.fixture(scope="module")
def attacker(plain_site: LiveServer) -> Iterator[LiveServer]:
    with serve(attacker_app(plain_site.url + "/consentkit")) as live:
        yield live


def _state(page: Page) -> Any:
    return page.evaluate("fetch('/consentkit/state', {credentials: 'same-origin'}).then(r => r.json())")


def test_the_widget_shows_hostile_policy_texts_as_text(hostile_site: tuple[LiveServer, ConsentKit], page: Page) -> None:
    live, kit = hostile_site
    words = texts("en", kit.policy.texts)
    watch = Watch(page)
    page.goto(live.url + "/")
    banner = page.locator("#consentkit-banner")
    banner.wait_for()
    assert words["banner.title"] in banner.text_content()  # type: ignore[operator]
    assert words["banner.opt_in"] in banner.text_content()  # type: ignore[operator]
    assert page.evaluate("window.consentkit.state.policy_version") == XSS_CLOSE
    page.click('[data-consentkit-action="preferences"]')
    dialog = page.locator("#consentkit-preferences")
    dialog.wait_for()
    shown = dialog.text_content() or ""
    for text in [*hostile_strings(kit.policy), words["prefs.title"], words["prefs.text"], words["action.save"]]:
        assert text in shown, f"{text!r} is not in the dialog as text"
    assert page.locator("#consentkit-preferences img, #consentkit-preferences svg").count() == 0
    page.click('[data-consentkit-action="save"]')
    page.wait_for_function("window.consentkit.state.decided === true")
    assert page.evaluate("window.consentkit.state.policy_version") == XSS_CLOSE
    page.reload()
    page.locator("#consentkit").wait_for(state="attached")
    watch.assert_nothing_ran()
    assert page.evaluate("document.querySelectorAll('script:not([type]), script[type=\"text/javascript\"]').length"
                         ) == 2  # the widget's own two scripts, nothing the texts opened


@pytest.mark.parametrize("path", ["/consentkit/preferences", "/consentkit/do-not-sell"])
def test_the_server_pages_show_hostile_texts_as_text(
    hostile_site: tuple[LiveServer, ConsentKit], page: Page, path: str
) -> None:
    live, kit = hostile_site
    watch = Watch(page)
    page.goto(live.url + path)
    shown = page.locator("body").text_content() or ""
    wanted = hostile_strings(kit.policy) if path.endswith("preferences") else [texts("en", kit.policy.texts)["dns"]]
    for text in wanted:
        assert text in shown
    watch.assert_nothing_ran()


@pytest.mark.parametrize("host", ["evil.localhost", "127.0.0.1"])
@pytest.mark.parametrize("kind", ["opt-out", "preferences", "consent", "fetch"])
def test_a_forged_cross_site_post_is_refused_and_changes_nothing(
    plain_site: LiveServer, attacker: LiveServer, page: Page, kind: str, host: str
) -> None:
    page.goto(plain_site.url + "/")
    page.click('[data-consentkit-action="accept-all"]')
    page.wait_for_function("window.consentkit.state.decided === true")
    before = _state(page)
    assert before["categories"]["advertising"] is True and before["sale_opt_out"] is False

    with page.expect_response(lambda r: "/consentkit/" in r.url and r.request.method == "POST") as forged:
        page.goto(attacker.url_for(host, f"/attack/{kind}"))
    assert forged.value.status == 403, f"the forged {kind} POST got {forged.value.status}"
    carried = "consentkit=" in (forged.value.request.all_headers().get("cookie") or "")
    assert carried is (host == "127.0.0.1"), "the test did not set up the case it claims"

    page.goto(plain_site.url + "/")
    after = _state(page)
    assert after == before
    receipts = page.evaluate("fetch('/consentkit/receipts').then(r => r.json())")
    assert len(receipts["receipts"]) == 1, "the forged POST left a record"


TRICKS = ["//evil.test/", "/\\evil.test/", "/\t/evil.test", "https://evil.test/", "javascript:window.__xss=1",
          "/%2F%2Fevil.test", "\\\\evil.test", " //evil.test", "/.//evil.test", "http:/\\evil.test"]


def test_next_never_takes_the_browser_off_the_site(plain_site: LiveServer, page: Page) -> None:
    """The links of both pages, resolved by Chromium, and the preferences form's
    redirect, followed by it."""
    here = urlsplit(plain_site.url).netloc
    watch = Watch(page)
    for target in TRICKS:
        for path in ("/consentkit/preferences", "/consentkit/do-not-sell"):
            page.goto(f"{plain_site.url}{path}?next={quote(target, safe='')}")
            hrefs: list[str] = page.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.href)")
            off = [h for h in hrefs if urlsplit(h).netloc != here]
            assert not off, f"{path}?next={target!r} links off the site: {off}"
        page.goto(f"{plain_site.url}/consentkit/preferences?next={quote(target, safe='')}")
        page.click('[data-consentkit-action="save"]')
        page.wait_for_load_state()
        assert urlsplit(page.url).netloc == here, f"next={target!r} sent the browser to {page.url}"
    watch.assert_nothing_ran()
    assert not [u for u in watch.requests if urlsplit(u).hostname == "evil.test"]


def test_the_checks_see_an_injection(plain_site: LiveServer, page: Page) -> None:
    """``Watch`` itself: an injected handler that runs is caught."""
    watch = Watch(page)
    page.goto(plain_site.url + "/")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=\"window.__xss=1\">')")
    page.wait_for_function("window.__xss === 1")
    with pytest.raises(AssertionError):
        watch.assert_nothing_ran()
    assert json.dumps(_state(page))
