"""The demo insurer end to end in real Chromium, in both modes: the flows a visitor
and a reviewer would try first (reject, accept, GPC, the opt-out link and no
re-ask, the quote form without reCAPTCHA, the age question at sign-up).

The demo's stand-in third parties run on ``analytics.localhost`` and
``pixel.localhost``; the real Google tags cannot load offline, so the browser
fixtures abort them at once (their requests are still seen, which is what counts)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Response, expect

from consentkit.testing import LiveServer, serve
from demo_site import create_app

pytestmark = pytest.mark.browser

SECRET = "demo-browser-secret-0123456789abcdef"
TRACKERS = ("analytics.localhost", "pixel.localhost", "www.googletagmanager.com", "www.google.com/recaptcha")
MIN_FILL_SECONDS = 1.0
BANNER = "#consentkit-banner"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], LiveServer]]:
    """``demo(mode)``: the demo in that mode, on http://127.0.0.1:<port> (the browser
    fixtures let only 127.0.0.1 and *.localhost through)."""
    running: dict[str, LiveServer] = {}

    def get(mode: str) -> LiveServer:
        if mode not in running:
            db = tmp_path_factory.mktemp(mode) / "ledger.db"
            app = create_app(f"sqlite:///{db}", mode=mode, secret_keys=[SECRET], quote_min_seconds=MIN_FILL_SECONDS)
            running[mode] = serve(app)
        return running[mode]

    yield get
    for server in running.values():
        server.stop()


@dataclass
class Visitor:
    """A browser profile on the demo, with what it requested and any CSP complaint."""

    context: BrowserContext
    page: Page
    base: str
    requests: list[str] = field(default_factory=list)
    csp_errors: list[str] = field(default_factory=list)

    def trackers(self) -> list[str]:
        return [u for u in self.requests if any(t in u for t in TRACKERS)]

    def state(self) -> dict[str, object]:
        return self.context.request.get(self.base + "/consentkit/state").json()  # type: ignore[no-any-return]

    def cookie_names(self) -> set[str]:
        return {c["name"] for c in self.context.cookies(self.base)}

    def choose(self, action: str) -> None:
        """Click a banner button and wait until the server has the choice."""
        def is_consent(response: Response) -> bool:
            return response.url.endswith("/consentkit/consent") and response.request.method == "POST"

        with self.page.expect_response(is_consent) as answer:
            self.page.click(f'{BANNER} [data-consentkit-action="{action}"]')
        assert answer.value.ok


@pytest.fixture
def visitor(demo, new_context) -> Callable[..., Visitor]:
    def make(mode: str, **options: object) -> Visitor:
        server = demo(mode)
        gpc = options.pop("gpc", False)
        if gpc:
            options["extra_http_headers"] = {"Sec-GPC": "1"}
        context = new_context(base_url=server.url, **options)
        if gpc:
            context.add_init_script("Object.defineProperty(navigator, 'globalPrivacyControl', {get: () => true})")
        found = Visitor(context, context.new_page(), server.url)
        context.on("request", lambda request: found.requests.append(request.url))

        def on_console(message: ConsoleMessage) -> None:
            if "Content Security Policy" in message.text:
                found.csp_errors.append(message.text)

        found.page.on("console", on_console)
        return found

    return make


def test_opt_in_reject_all_loads_nothing_and_the_site_still_works(visitor):
    v = visitor("opt_in")
    v.page.goto("/")
    expect(v.page.locator(BANNER)).to_be_visible()
    v.page.wait_for_load_state("networkidle")
    assert v.trackers() == []
    v.choose("reject-all")
    expect(v.page.locator(BANNER)).to_be_hidden()
    v.page.reload()
    v.page.wait_for_load_state("networkidle")
    expect(v.page.locator(BANNER)).to_be_hidden()
    assert v.trackers() == []
    assert v.cookie_names() & {"_ga", "_px"} == set()
    assert v.state()["categories"] == {"necessary": True, "analytics": False, "captcha": False, "advertising": False}
    expect(v.page.locator("#analytics-status")).to_have_text("Analytics: off.")
    assert v.csp_errors == []


def test_opt_in_accept_all_runs_every_tracker_in_place_then_live(visitor):
    v = visitor("opt_in")
    v.page.goto("/")
    with v.page.expect_request(re.compile(r"^http://analytics\.localhost:\d+/a\.js$")):
        v.page.click(f'{BANNER} [data-consentkit-action="accept-all"]')
    expect(v.page.locator("html")).to_have_attribute("data-demo-analytics", "loaded")
    v.page.wait_for_load_state("networkidle")
    hosts = {u.split("/")[2].split(":")[0] for u in v.trackers()}
    assert {"analytics.localhost", "pixel.localhost", "www.googletagmanager.com"} <= hosts
    assert "_ga" in v.cookie_names()
    v.page.reload()
    # After consent the server serves the tags live: no script needed to run them.
    expect(v.page.locator('script[src^="http://analytics.localhost"]')).to_have_count(1)
    expect(v.page.locator(BANNER)).to_be_hidden()
    expect(v.page.locator("#analytics-status")).to_have_text("Analytics: allowed.")
    assert v.csp_errors == []


def test_opt_out_notice_then_reject_withdraws_and_expires_cookies(visitor):
    v = visitor("opt_out")
    with v.page.expect_request(re.compile(r"pixel\.localhost:\d+/p\.gif")):
        v.page.goto("/")
    expect(v.page.locator(BANNER)).to_be_visible()  # the notice at collection
    expect(v.page.locator("html")).to_have_attribute("data-demo-analytics", "loaded")
    assert "_ga" in v.cookie_names()
    v.choose("reject-all")
    expect(v.page.locator(BANNER)).to_be_hidden()
    v.requests.clear()
    v.page.reload()
    v.page.wait_for_load_state("networkidle")
    assert v.trackers() == []
    assert "_ga" not in v.cookie_names()
    assert v.csp_errors == []


@pytest.mark.parametrize("mode", ["opt_in", "opt_out"])
def test_gpc_is_honored_and_said_so(visitor, mode):
    v = visitor(mode, gpc=True)
    v.page.goto("/")
    expect(v.page.locator(BANNER)).to_contain_text("Opt-Out Request Honored")
    v.page.wait_for_load_state("networkidle")
    assert not any("pixel.localhost" in u for u in v.trackers())
    # GPC is about sale and sharing only: opt_out analytics still runs.
    assert any("analytics.localhost" in u for u in v.trackers()) == (mode == "opt_out")
    state = v.state()
    assert state["gpc"] is True and state["sale_opt_out"] is True and state["usprivacy"] == "1YYN"
    assert v.page.evaluate("new Promise(r => __uspapi('getUSPData', 1, d => r(d.uspString)))") == "1YYN"


def test_do_not_sell_link_opts_out_and_nothing_asks_again(visitor):
    v = visitor("opt_out")
    v.page.goto("/")
    v.page.click('footer a[data-consentkit-action="do-not-sell"]')
    expect(v.page).to_have_url(re.compile(r"/consentkit/do-not-sell"))
    v.page.click('form[action$="/opt-out"] button[type="submit"]')
    expect(v.page.get_by_role("status")).to_have_text("Opt-Out Request Honored")
    state = v.state()
    assert state["sale_opt_out"] is True and state["reprompt_not_before"]
    # Back on the site, the banner asks only the age question (R8): nothing offers sale back.
    v.requests.clear()
    v.page.goto("/")
    expect(v.page.locator(f"{BANNER} #consentkit-age")).to_be_visible()
    expect(v.page.locator(f'{BANNER} [data-consentkit-action="accept-all"]')).to_have_count(0)
    v.page.fill('input[name="birth_year"]', "1980")
    v.page.fill('input[name="birth_month"]', "1")
    with v.page.expect_response(lambda r: r.url.endswith("/consentkit/consent")):
        v.page.click('[data-consentkit-action="age-submit"]')
    v.page.reload()
    v.page.wait_for_load_state("networkidle")
    assert v.state()["categories"]["advertising"] is False
    assert not any("pixel.localhost" in u for u in v.trackers())
    expect(v.page.locator(BANNER)).to_be_hidden()


@pytest.mark.parametrize("mode", ["opt_in", "opt_out"])
def test_quote_with_captcha_refused_goes_through_the_fallback(visitor, mode):
    v = visitor(mode)
    v.page.goto("/quote")
    v.choose("reject-all")
    v.page.reload()
    v.requests.clear()
    expect(v.page.locator('[data-consentkit-placeholder="captcha"]')).to_be_visible()
    expect(v.page.locator("[data-captcha-notice]")).to_be_hidden()
    v.page.fill("#zip", "94105")
    v.page.check('input[name="coverage"][value="individual"]')
    v.page.select_option("#age", "18_29")
    v.page.check('input[name="tobacco"][value="no"]')
    v.page.wait_for_timeout(MIN_FILL_SECONDS * 1000 + 200)  # a person takes longer than a bot
    v.page.click('#quote-form button[type="submit"]')
    expect(v.page.locator("h1")).to_have_text("Your estimate")
    expect(v.page.locator("#quote-result tbody tr")).to_have_count(3)
    assert not any("google.com/recaptcha" in u for u in v.requests)


def test_quote_with_captcha_allowed_says_it_is_protected(visitor):
    v = visitor("opt_in")
    v.page.goto("/quote")
    v.choose("accept-all")
    with v.page.expect_request("https://www.google.com/recaptcha/api.js"):
        v.page.reload()
    expect(v.page.locator("[data-captcha-notice]")).to_be_visible()
    expect(v.page.locator("[data-captcha-notice]")).to_contain_text("This site is protected by reCAPTCHA.")


def test_privacy_choices_reopen_from_the_footer(visitor):
    v = visitor("opt_in")
    v.page.goto("/privacy")
    v.choose("reject-all")
    v.page.click('footer [data-consentkit-action="open"]')
    dialog = v.page.locator("#consentkit-preferences")
    expect(dialog).to_be_visible()
    expect(dialog.locator('input[name="analytics"]')).not_to_be_checked()
    expect(v.page.locator("#ccpa-categories tbody tr")).to_have_count(11)


@pytest.mark.parametrize(("years_old", "band"), [(30, "16_plus"), (10, "under_13")])
def test_signup_sends_only_the_age_band(visitor, years_old, band):
    v = visitor("opt_out")
    v.page.goto("/signup")
    posted: list[str] = []
    v.context.on("request", lambda r: posted.append(r.post_data or "") if r.method == "POST" else None)
    v.page.fill("#email", "pat@example.test")
    v.page.fill("#password", "correct horse battery")
    year = v.page.evaluate("new Date().getFullYear()") - years_old
    v.page.select_option("#signup-birth-month", "1")
    v.page.fill("#signup-birth-year", str(year))
    v.page.click('#signup-form button[type="submit"]')
    expect(v.page.locator("#signup-outcome")).to_have_attribute("data-band", band)
    assert v.state()["age_band"] == band
    assert all(str(year) not in body for body in posted)  # the birth year never left the browser
    if band == "under_13":
        expect(v.page.locator('#signup-parental input[name="parent_email"]')).to_be_visible()
