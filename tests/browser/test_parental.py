"""The parental flow end to end: real Chromium, a real uvicorn server, a real SMTP
server (aiosmtpd). A child under 13 gets nothing optional, even after "accept all";
the parent, reached by e-mail, grants analytics but not advertising; the child's
next page loads analytics and not advertising; the parent refuses and deletes; the
child is denied again and the records are gone."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page, expect
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from consentkit import ConsentKit, ConsentMiddleware
from consentkit.minors import SmtpNotifier
from consentkit.testing import LiveServer, serve
from tests.minors.smtp import SmtpServer

from .site import SECRET, home, pixel, site_policy, tracker

pytestmark = pytest.mark.browser

Contexts = Callable[..., BrowserContext]
PARENT = "parent@example.com"
OPTIONAL = ("analytics", "captcha", "advertising")


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def site(smtp: SmtpServer) -> Iterator[LiveServer]:
    notifier = SmtpNotifier("127.0.0.1", smtp.port, "Example Insurance <privacy@example.test>",
                            site_url="http://127.0.0.1")
    kit = ConsentKit(site_policy("opt_out", True), secret_keys=[SECRET], store="memory://", notifier=notifier)
    routes = [Route("/", home), Route("/a.js", tracker), Route("/p.gif", pixel)]
    server = serve(Starlette(routes=routes, middleware=[Middleware(ConsentMiddleware, kit=kit)]))
    notifier.site_url = server.url.rstrip("/")
    yield server
    server.stop()


class Network:
    """The hosts a page requested, from the browser's own network log."""

    def __init__(self, context: BrowserContext) -> None:
        self.urls: list[str] = []
        context.on("request", lambda request: self.urls.append(request.url))

    def to(self, host: str) -> list[str]:
        return [u for u in self.urls if f"//{host}:" in u]


def open_site(page: Page, site: LiveServer) -> None:
    page.goto(site.url + "/")
    page.wait_for_function("() => window.consentkit && document.getElementById('consentkit')")


def state(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate("consentkit.state")
    return result


def serious_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']}" for v in results.response["violations"]
            if v.get("impact") in ("serious", "critical")]


def wait_for_mail(smtp: SmtpServer, count: int) -> None:
    deadline = time.monotonic() + 10
    while len(smtp.inbox.messages) < count:
        assert time.monotonic() < deadline, "no e-mail arrived"
        time.sleep(0.05)


def test_a_parent_grants_then_refuses_and_the_child_follows(
    site: LiveServer, smtp: SmtpServer, new_context: Contexts
) -> None:
    child_context = new_context()
    network = Network(child_context)
    child = child_context.new_page()
    open_site(child, site)

    # The age question, in the banner: a birth year that makes the child 9.
    age = child.locator("#consentkit-age")
    age.locator('input[name="birth_year"]').fill(str(date.today().year - 9))
    age.locator('input[name="birth_month"]').fill("1")
    age.locator('[data-consentkit-action="age-submit"]').click()
    child.wait_for_function("() => consentkit.state.age_band === 'under_13'")
    assert not any(state(child)["categories"][c] for c in OPTIONAL)
    # (Before the answer, opt_out mode's rule for an unknown age applied to that first page.)
    network.urls.clear()

    # "Accept all" grants nothing to a child under 13.
    child.locator('#consentkit-banner [data-consentkit-action="accept-all"]').click()
    expect(child.locator("#consentkit-banner")).to_have_count(0)
    assert not any(state(child)["categories"][c] for c in OPTIONAL)
    child.reload()
    child.wait_for_load_state("load")
    assert network.to("analytics.localhost") == [] and network.to("ads.localhost") == []
    assert child.evaluate("window.analyticsRuns") is None

    # The parent's address, in the widget's form (in the dialog once the banner is gone).
    child.locator('[data-consentkit-action="open"]').click()
    parental = child.locator("#consentkit-parental")
    parental.locator('input[name="parent_email"]').fill(PARENT)
    parental.locator('button[type="submit"]').click()
    child.wait_for_function("() => consentkit.state.parental_consent === 'pending'")

    wait_for_mail(smtp, 1)
    assert smtp.inbox.messages[-1]["To"] == PARENT
    link = smtp.inbox.link()
    assert link.startswith(site.url + "/consentkit/parental/") and PARENT not in link

    # The parent, in a browser of their own: collection of analytics yes, advertising no.
    parent = new_context().new_page()
    parent.goto(link)
    expect(parent.get_by_role("heading", name="Collection")).to_be_visible()
    expect(parent.get_by_role("heading", name="Disclosure to third parties")).to_be_visible()
    assert "_ga (2 years)" in (parent.text_content("body") or "")
    assert serious_violations(parent) == []
    parent.check('input[name="analytics"]')
    expect(parent.locator('input[name="advertising"]')).not_to_be_checked()
    parent.fill('input[name="parent_email"]', PARENT)
    parent.get_by_role("button", name="Allow only what I ticked").click()
    expect(parent.locator("#parental-done")).to_have_text("Your decision is recorded.")
    expect(parent.locator("#parental-status")).to_have_attribute("data-status", "granted")
    assert serious_violations(parent) == []

    wait_for_mail(smtp, 2)
    manage_link = smtp.inbox.link()
    assert manage_link == parent.locator("#parental-manage-link").get_attribute("href")

    # The child's next page: analytics loads, advertising does not.
    child.reload()
    child.wait_for_function("() => window.analyticsRuns === 1")
    current = state(child)
    assert current["parental_consent"] == "granted"
    assert current["categories"] == {"necessary": True, "analytics": True, "captcha": False, "advertising": False}
    assert network.to("analytics.localhost") and network.to("ads.localhost") == []

    # The parent refuses further collection and has the records deleted.
    parent.goto(manage_link)
    parent.locator("#parental-refuse button").click()
    expect(parent.locator("#parental-done")).to_contain_text("Further collection is refused")
    expect(parent.locator("#parental-status")).to_have_attribute("data-status", "denied")
    parent.locator("#parental-delete button").click()
    expect(parent.locator("#parental-done")).to_contain_text("records are deleted")

    loaded = len(network.to("analytics.localhost"))
    child.reload()
    child.wait_for_load_state("load")
    current = state(child)
    assert current["parental_consent"] == "denied"
    assert not any(current["categories"][c] for c in OPTIONAL)
    assert child.evaluate("window.analyticsRuns") is None
    assert len(network.to("analytics.localhost")) == loaded and network.to("ads.localhost") == []
    receipts = child.evaluate("fetch('/consentkit/receipts').then(r => r.json())")["receipts"]
    assert [(r["recordKind"], r["collectionMethod"], r["parentalConsent"]) for r in receipts] == [
        ("proof", "parent", "denied")
    ]
    assert PARENT not in str(receipts)
