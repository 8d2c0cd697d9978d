"""One visit of a site in a fresh browser profile, optionally making the consent
choice, with the requests it made and the cookies it ended with. ``consentkit
scan`` is three of these; a test can make its own."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from ..visit import TEST_HEADER

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

Choice = Literal["reject-all", "accept-all"]

_SETTLE_MS = 400
_BUTTON_WAIT_MS = 3000
# The policy as the widget loaded it (its deferred part's config, with the prefix and
# mode of its synchronous part), and the state block the middleware wrote.
_READ_BLOCKS = """() => {
  const core = window.__consentkitCore;
  const state = document.getElementById("consentkit-state");
  const config = core && core.details ? {...core.details, prefix: core.policy.prefix, mode: core.policy.mode} : null;
  return [config && JSON.stringify(config), state && state.textContent];
}"""


class VisitError(Exception):
    """The visit could not be made: the page did not load, or the choice failed."""


@dataclass
class VisitLog:
    """What one visit saw. ``requests`` are (url, resource type) from the choice on
    (from the start when no choice is made); ``cookies_before`` are the cookies just
    before the choice; ``config`` is the policy as the page's widget loaded it, ``state`` the
    page's state block; ``banner`` whether the page showed consentkit's banner when
    it loaded."""

    url: str
    how: str = ""
    requests: list[tuple[str, str]] = field(default_factory=list)
    cookies: list[dict[str, Any]] = field(default_factory=list)
    cookies_before: list[dict[str, Any]] = field(default_factory=list)
    config: dict[str, Any] | None = None
    state: dict[str, Any] | None = None
    banner: bool = False


def _mark_as_test(context: BrowserContext, url: str, token: str) -> None:
    """Send the test marker to the scanned site's origin alone, never to a third party."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"

    def add_marker(route: Any) -> None:
        route.continue_(headers={**route.request.headers, TEST_HEADER: token})

    context.route(lambda seen: seen == origin or seen.startswith(origin + "/"), add_marker)


def _json_object(text: Any) -> dict[str, Any] | None:
    if not isinstance(text, str):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def settle(page: Page, timeout_ms: float) -> None:
    """Wait until the page's network is idle (or ``timeout_ms``), then a little more
    for scripts that set cookies once loaded."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        page.wait_for_load_state("networkidle", timeout=timeout_ms)
    except PlaywrightError:
        pass  # A page that keeps polling never idles; what it did so far is enough.
    page.wait_for_timeout(_SETTLE_MS)


def load(page: Page, url: str, timeout_ms: float) -> None:
    from playwright.sync_api import Error as PlaywrightError

    try:
        response = page.goto(url, wait_until="load", timeout=timeout_ms)
    except PlaywrightError as exc:
        raise VisitError(f"could not load {url}: {exc.message.splitlines()[0]}") from None
    if response is not None and response.status >= 400:
        raise VisitError(f"{url} answered HTTP {response.status}")
    settle(page, timeout_ms)


def choose(page: Page, context: BrowserContext, choice: Choice, categories: Sequence[str], prefix: str,
           test_token: str | None = None) -> str:
    """Click the banner's button for ``choice``; without a visible one, POST the
    choice for ``categories`` to the consent API. Answers how it was made."""
    from playwright.sync_api import Error as PlaywrightError

    button = page.locator(f'[data-consentkit-action="{choice}"]').first
    try:
        button.wait_for(state="visible", timeout=_BUTTON_WAIT_MS)
        button.click(timeout=_BUTTON_WAIT_MS)
        return f'clicked the banner\'s [data-consentkit-action="{choice}"] button'
    except PlaywrightError:
        pass
    grant = choice == "accept-all"
    parts = urlsplit(page.url)
    endpoint = f"{parts.scheme}://{parts.netloc}{prefix}/consent"
    body = {"choices": {c: grant for c in categories}, "source": "api"}
    headers = {"Content-Type": "application/json", **({TEST_HEADER: test_token} if test_token else {})}
    answer = context.request.post(endpoint, data=json.dumps(body), headers=headers)
    if not answer.ok:
        raise VisitError(f"no visible {choice} button, and POST {endpoint} answered HTTP {answer.status}")
    return f"found no banner button, so POSTed {prefix}/consent with every optional category {str(grant).lower()}"


def visit(
    browser: Browser,
    url: str,
    choice: Choice | None = None,
    *,
    categories: Sequence[str] | None = None,
    timeout: float = 30.0,
    test_token: str | None = None,
) -> VisitLog:
    """Load ``url`` in a fresh context; with a ``choice``, make it and load the page
    again. ``categories``: the optional categories to name if the choice goes through
    the API (by default those of the widget's config). ``test_token``: the site's
    ``kit.test_token``, sent to the site alone, so that its ledger records the visit's
    decisions as a test's (out of its statistics)."""
    timeout_ms = timeout * 1000
    log = VisitLog(url)
    context = browser.new_context()
    context.on("request", lambda request: log.requests.append((request.url, request.resource_type)))
    if test_token:
        _mark_as_test(context, url, test_token)
    try:
        page = context.new_page()
        load(page, url, timeout_ms)
        config_text, state_text = page.evaluate(_READ_BLOCKS)
        log.config, log.state = _json_object(config_text), _json_object(state_text)
        log.banner = page.locator("#consentkit-banner").is_visible()
        log.how = "loaded the page and made no choice"
        if choice is not None:
            log.cookies_before = [dict(c) for c in context.cookies()]
            log.requests.clear()
            if categories is None:
                found = (log.config or {}).get("categories") or []
                categories = [str(c["id"]) for c in found if isinstance(c, dict) and not c.get("required")]
            prefix = str((log.config or {}).get("prefix") or "/consentkit")
            log.how = choose(page, context, choice, categories, prefix, test_token)
            settle(page, timeout_ms)
            load(page, url, timeout_ms)
            log.how += ", then loaded the page again"
        log.cookies = [dict(c) for c in context.cookies()]
    finally:
        context.close()
    return log
