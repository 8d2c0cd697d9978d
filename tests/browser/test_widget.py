"""The widget in real Chromium: its DOM hooks, API, signals, activation, keyboard,
fairness of choice, accessibility, CSP, small screens and unsupported browsers."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page, expect

from consentkit.testing import LiveServer

from .site import IE11

pytestmark = pytest.mark.browser

Sites = Callable[..., LiveServer]
Contexts = Callable[..., BrowserContext]
CATEGORIES = ("necessary", "analytics", "captcha", "advertising")
OPTIONAL = CATEGORIES[1:]
HONORED = "Opt-Out Request Honored"
DNS_TITLE = "Do Not Sell or Share My Personal Information"
GCM_TYPES = {"ad_storage", "ad_user_data", "ad_personalization", "analytics_storage",
             "functionality_storage", "personalization_storage", "security_storage"}
# Collected from the first script on: the widget's events and any CSP violation.
RECORDER = """
window.__events = [];
for (const name of ['consentkit:ready', 'consentkit:change'])
  document.addEventListener(name, e => window.__events.push([name, e.detail]));
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
document.addEventListener('DOMContentLoaded', () => { window.__bannerAtDcl = !!document.getElementById('consentkit-banner') });
window.__cls = 0;
new PerformanceObserver(list => list.getEntries().forEach(e => { if (!e.hadRecentInput) window.__cls += e.value }))
  .observe({type: 'layout-shift', buffered: true});
"""


def visit(page: Page, site: LiveServer, path: str = "/") -> Page:
    page.add_init_script(RECORDER)
    page.goto(site.url + path)
    page.wait_for_function("() => window.consentkit && document.getElementById('consentkit')")
    return page


def state(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate("consentkit.state")
    return result


def action(page: Page, name: str) -> Any:
    return page.locator(f'[data-consentkit-action="{name}"]')


def consent_calls(page: Page) -> list[list[Any]]:
    calls: list[list[Any]] = page.evaluate(
        "dataLayer.map(a => Array.from(a)).filter(a => a[0] === 'consent')"
    )
    return calls


@pytest.mark.parametrize("mode", ["opt_in", "opt_out"])
def test_every_dom_hook_and_the_api(sites: Sites, page: Page, mode: str) -> None:
    site = sites(mode)
    visit(page, site)
    banner = page.locator("#consentkit-banner")
    expect(page.get_by_role("region", name="Your privacy choices")).to_be_visible()
    for name in ("accept-all", "reject-all", "preferences"):
        expect(banner.locator(f'[data-consentkit-action="{name}"]')).to_be_visible()
    # Fixed order: accept, reject, then the way to choose.
    order = banner.locator(".ck-btns [data-consentkit-action]").evaluate_all(
        "els => els.map(e => e.dataset.consentkitAction)")
    assert order == ["accept-all", "reject-all", "preferences"]
    expect(action(page, "open")).to_have_count(1)
    link = page.locator('a[data-consentkit-action="do-not-sell"]')
    expect(link).to_have_count(1)
    expect(link).to_have_attribute("title", DNS_TITLE)
    assert urlsplit(link.get_attribute("href") or "").path == "/consentkit/do-not-sell"

    api = page.evaluate("""Object.fromEntries(['allows', 'acceptAll', 'rejectAll', 'save', 'optOut',
        'showPreferences', 'on'].map(k => [k, typeof consentkit[k]]))""")
    assert set(api.values()) == {"function"}
    current = state(page)
    assert current["mode"] == mode and current["prompt"] is True
    assert page.evaluate("window.__events.map(e => e[0])") == ["consentkit:ready"]
    assert page.evaluate("window.__events[0][1].visitor_id") == current["visitor_id"]
    assert page.evaluate("consentkit.allows('necessary')") is True
    assert page.evaluate("consentkit.allows('analytics')") is (mode == "opt_out")

    action(page, "preferences").click()
    dialog = page.locator("#consentkit-preferences")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("role", "dialog")
    expect(dialog).to_have_attribute("aria-modal", "true")
    for category in CATEGORIES:
        expect(dialog.locator(f'input[name="{category}"]')).to_have_count(1)
    necessary = dialog.locator('input[name="necessary"]')
    expect(necessary).to_be_checked()
    expect(necessary).to_be_disabled()
    for category in OPTIONAL:
        box = dialog.locator(f'input[name="{category}"]')
        # opt_in: nothing pre-ticked; opt_out: the boxes show what applies now.
        if mode == "opt_in":
            expect(box).not_to_be_checked()
        else:
            expect(box).to_be_checked()
    text = dialog.text_content() or ""
    assert "Example Analytics" in text and "_ga (2 years)" in text and "_ads (13 months)" in text
    expect(dialog.locator('[data-consentkit-action="save"]')).to_have_count(1)


def test_save_from_the_dialog_sends_exactly_the_boxes(sites: Sites, page: Page) -> None:
    visit(page, sites("opt_in"))
    action(page, "preferences").click()
    page.check('#consentkit-preferences input[name="analytics"]')
    with page.expect_request(lambda r: r.url.endswith("/consentkit/consent")) as sent:
        action(page, "save").click()
    body = json.loads(sent.value.post_data or "{}")
    # A service's box that says what its category's says is no exception: none sent.
    assert body == {"choices": {"analytics": True, "captcha": False, "advertising": False}, "services": {},
                    "source": "preferences"}
    expect(page.locator("#consentkit-preferences")).to_have_count(0)
    expect(page.locator("#consentkit-banner")).to_have_count(0)
    assert state(page)["categories"] == {"necessary": True, "analytics": True, "captcha": False, "advertising": False}
    assert page.evaluate("window.__events.map(e => e[0])") == ["consentkit:ready", "consentkit:change"]
    expect(page.locator(".ck-t")).to_have_text("Your choices were saved.")


@pytest.mark.parametrize(("mode", "granted"), [("opt_in", False), ("opt_out", True)])
def test_closing_the_banner(sites: Sites, page: Page, mode: str, granted: bool) -> None:
    visit(page, sites(mode))
    action(page, "close").click()
    expect(page.locator("#consentkit-banner")).to_have_count(0)
    current = state(page)
    assert current["decided"] is True
    # opt_in: closing is a refusal; opt_out: closing leaves the defaults.
    assert current["categories"]["analytics"] is granted


def test_nothing_loads_from_a_third_party_before_consent_and_accept_activates_in_place(
    sites: Sites, page: Page
) -> None:
    site = sites("opt_in")
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    visit(page, site)
    page.wait_for_load_state("networkidle")
    assert {urlsplit(u).netloc for u in requested} == {f"127.0.0.1:{site.port}"}
    page.evaluate("window.sameDocument = true")

    with page.expect_request(f"http://analytics.localhost:{site.port}/a.js"):
        action(page, "accept-all").click()
    page.wait_for_function("() => window.inlineRuns === 1")
    # Document order: the external script ran before the inline one after it.
    assert page.evaluate("window.order") == ["external", "inline"]
    assert page.evaluate("window.analyticsRuns") == 1
    assert page.evaluate("window.sameDocument") is True
    page.wait_for_function("() => document.querySelector('img[data-consent=advertising]').complete")
    assert f"http://ads.localhost:{site.port}/p.gif" in requested
    expect(page.locator('[data-consentkit-placeholder="captcha"]')).to_be_hidden()
    assert any(u.startswith("https://www.google.com/recaptcha/") for u in requested)
    # A second change activates nothing twice.
    page.evaluate("consentkit.save({captcha: true})")
    assert page.evaluate("window.analyticsRuns") == 1


def test_consent_mode_default_then_update(sites: Sites, page: Page) -> None:
    visit(page, sites("opt_in"))
    calls = consent_calls(page)
    kind, how, values = calls[0]
    assert (kind, how) == ("consent", "default")
    assert set(values) == GCM_TYPES
    assert values["security_storage"] == "granted" and values["analytics_storage"] == "denied"
    assert values["ad_storage"] == values["ad_user_data"] == values["ad_personalization"] == "denied"
    action(page, "accept-all").click()
    page.wait_for_function("() => consentkit.state.decided")
    last = consent_calls(page)[-1]
    assert last[1] == "update"
    assert last[2]["analytics_storage"] == last[2]["ad_storage"] == last[2]["ad_personalization"] == "granted"


def test_consent_mode_mapping_is_the_policys(sites: Sites, page: Page) -> None:
    visit(page, sites("opt_in", mapped=True))
    assert consent_calls(page)[0][2]["personalization_storage"] == "denied"
    page.evaluate("consentkit.save({analytics: true})")
    page.wait_for_function("() => consentkit.allows('analytics')")
    last = consent_calls(page)[-1][2]
    assert last["personalization_storage"] == last["analytics_storage"] == "granted"
    assert last["ad_storage"] == "denied"


def test_withdrawal_removes_the_categorys_cookies_and_storage(sites: Sites, page: Page) -> None:
    visit(page, sites("opt_out"))
    page.wait_for_function("() => window.analyticsRuns === 1")
    assert "_ga=" in page.evaluate("document.cookie")
    assert page.evaluate("localStorage.getItem('ga_client')") == "42"
    action(page, "reject-all").click()
    page.wait_for_function("() => !consentkit.allows('analytics')")
    cookies = page.evaluate("document.cookie")
    assert "_ga=" not in cookies and "_ga_XYZ=" not in cookies
    assert page.evaluate("localStorage.getItem('ga_client')") is None
    assert consent_calls(page)[-1][2]["analytics_storage"] == "denied"


def test_gpc_header_is_honoured_and_said(sites: Sites, new_context: Contexts) -> None:
    page = new_context(extra_http_headers={"Sec-GPC": "1"}).new_page()
    visit(page, sites("opt_out"))
    # Nothing left to ask (R8): no banner, and the bar says the signal was honoured (R4).
    expect(page.get_by_text(HONORED)).to_be_visible()
    expect(page.locator("#consentkit-banner")).to_have_count(0)
    current = state(page)
    assert current["gpc"] is True and current["categories"]["advertising"] is False
    assert current["usprivacy"] == "1YYN"
    assert "usprivacy=1YYN" in page.evaluate("document.cookie")
    usp = page.evaluate("new Promise(r => __uspapi('getUSPData', 1, (d, ok) => r([d, ok])))")
    assert usp == [{"version": 1, "uspString": "1YYN"}, True]


def test_navigator_gpc_is_applied_when_the_header_was_stripped(sites: Sites, page: Page) -> None:
    page.add_init_script("Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true})")
    with page.expect_request(lambda r: r.url.endswith("/consentkit/consent")) as sent:
        visit(page, sites("opt_out"))
    assert json.loads(sent.value.post_data or "{}") == {"gpc": True, "source": "gpc"}
    page.wait_for_function("() => consentkit.state.gpc === true")
    expect(page.get_by_text(HONORED)).to_be_visible()
    expect(page.locator("#consentkit-banner")).to_have_count(0)
    assert state(page)["categories"]["advertising"] is False
    # Consent Mode started denied for advertising, before the server answered.
    assert consent_calls(page)[0][2]["ad_storage"] == "denied"
    assert page.evaluate("new Promise(r => __uspapi('getUSPData', 1, d => r(d.uspString)))") == "1YYN"


def test_keyboard_only(sites: Sites, page: Page) -> None:
    visit(page, sites("opt_out"))
    focused = "document.activeElement.dataset.consentkitAction || ''"
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate(focused) == "accept-all":
            break
    assert page.evaluate(focused) == "accept-all"
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "reject-all"
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "preferences"
    page.keyboard.press("Enter")
    dialog = page.locator("#consentkit-preferences")
    expect(dialog).to_be_visible()
    inside = "document.getElementById('consentkit-preferences').contains(document.activeElement)"
    for key in ["Tab"] * 12 + ["Shift+Tab"] * 12:
        page.keyboard.press(key)
        assert page.evaluate(inside), key
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    assert page.evaluate(focused) == "preferences"
    # Choose with the keyboard: reject is one key press away.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_function("() => consentkit.state.decided")
    assert state(page)["categories"]["analytics"] is False
    # Focus went to the control that reopens the choices.
    assert page.evaluate(focused) == "open"
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()


@pytest.mark.parametrize("width", [1280, 320])
def test_accept_and_reject_look_and_weigh_the_same(sites: Sites, new_context: Contexts, width: int) -> None:
    page = new_context(viewport={"width": width, "height": 720}).new_page()
    visit(page, sites("opt_in"))
    accept, reject = action(page, "accept-all"), action(page, "reject-all")
    a, r = accept.bounding_box(), reject.bounding_box()
    assert a and r
    assert abs(a["width"] - r["width"]) < 0.5 and abs(a["height"] - r["height"]) < 0.5
    style = "e => ['fontWeight', 'fontSize', 'backgroundColor', 'color', 'borderWidth']" \
            ".map(k => getComputedStyle(e)[k])"
    assert accept.evaluate(style) == reject.evaluate(style)


def _serious(results: Any) -> list[str]:
    return [f"{v['id']}: {v['help']}" for v in results.response["violations"]
            if v.get("impact") in ("serious", "critical")]


def test_axe_banner_and_dialog(sites: Sites, page: Page) -> None:
    visit(page, sites("opt_out", age_gate=True))
    axe = Axe()
    assert _serious(axe.run(page, context="#consentkit")) == []
    action(page, "preferences").click()
    expect(page.locator("#consentkit-preferences")).to_be_visible()
    assert _serious(axe.run(page, context="#consentkit-preferences")) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_pages(sites: Sites, new_context: Contexts, scheme: str) -> None:
    page = new_context(color_scheme=scheme).new_page()
    site = sites("opt_out")
    axe = Axe()
    for path in ("/consentkit/preferences", "/consentkit/do-not-sell"):
        page.goto(site.url + path)
        assert _serious(axe.run(page)) == [], path


def test_strict_csp_shows_the_banner_without_violation(sites: Sites, page: Page) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    visit(page, sites("opt_in"), "/csp")
    expect(page.locator("#consentkit-banner")).to_be_visible()
    action(page, "preferences").click()
    expect(page.locator("#consentkit-preferences")).to_be_visible()
    page.keyboard.press("Escape")
    # The gated script runs under the page's nonce once analytics is granted.
    page.evaluate("consentkit.save({analytics: true})")
    page.wait_for_function("() => window.analyticsRuns === 1")
    assert page.evaluate("window.__csp") == []
    assert [e for e in errors if "Content Security Policy" in e] == []


def test_placeholder_button_grants_its_category(sites: Sites, page: Page) -> None:
    visit(page, sites("opt_in"))
    page.click('[data-consentkit-action="allow"][data-category="captcha"]')
    page.wait_for_function("() => consentkit.allows('captcha')")
    expect(page.locator('[data-consentkit-placeholder="captcha"]')).to_be_hidden()
    assert state(page)["categories"]["analytics"] is False


def test_R8_after_an_opt_out_the_banner_goes_and_asks_only_what_is_left(sites: Sites, page: Page) -> None:
    # opt_out mode without an age question: nothing is left to ask, the banner goes.
    visit(page, sites("opt_out"))
    expect(page.locator("#consentkit-banner")).to_be_visible()
    page.evaluate("consentkit.optOut()")
    page.wait_for_function("() => consentkit.state.sale_opt_out")
    expect(page.locator("#consentkit-banner")).to_have_count(0)
    page.reload()
    page.wait_for_function("() => window.consentkit && document.getElementById('consentkit')")
    expect(page.locator("#consentkit-banner")).to_have_count(0)
    expect(action(page, "open")).to_be_visible()
    # With the age question unanswered, the banner asks that alone: no accept, reject or choose.
    page.context.clear_cookies()
    visit(page, sites("opt_out", age_gate=True))
    page.evaluate("consentkit.optOut()")
    page.wait_for_function("() => consentkit.state.sale_opt_out")
    page.reload()
    banner = page.locator("#consentkit-banner")
    expect(banner.locator("#consentkit-age")).to_be_visible()
    expect(banner).to_contain_text("stays in effect")
    expect(banner.locator(".ck-btns")).to_have_count(0)


def test_after_an_opt_out_accept_all_keeps_it(sites: Sites, page: Page) -> None:
    # opt_in mode: the other categories still need an answer; "accept all" leaves sale off.
    visit(page, sites("opt_in"))
    page.evaluate("consentkit.optOut()")
    page.wait_for_function("() => consentkit.state.sale_opt_out")
    banner = page.locator("#consentkit-banner")
    expect(banner).to_contain_text("stays in effect")
    with page.expect_request(lambda r: r.url.endswith("/consentkit/consent")) as sent:
        action(page, "accept-all").click()
    assert "advertising" not in json.loads(sent.value.post_data or "{}")["choices"]
    page.wait_for_function("() => consentkit.state.decided")
    assert state(page)["categories"]["advertising"] is False
    assert state(page)["categories"]["analytics"] is True


def _birth(page: Page, years_ago: int) -> None:
    today = date.today()
    page.fill('input[name="birth_year"]', str(today.year - years_ago))
    page.fill('input[name="birth_month"]', str(today.month))


def test_age_question_sends_only_the_band_and_a_minor_opts_in_affirmatively(sites: Sites, page: Page) -> None:
    visit(page, sites("opt_out", age_gate=True))
    expect(page.locator("#consentkit-age")).to_be_visible()
    _birth(page, 14)
    with page.expect_request(lambda r: r.url.endswith("/consentkit/consent")) as sent:
        action(page, "age-submit").click()
    # Birthday month counts as not yet reached: 14 years ago this month is 13.
    assert json.loads(sent.value.post_data or "{}") == {"age_band": "13_15", "source": "banner"}
    page.wait_for_function("() => consentkit.state.age_band === '13_15'")
    expect(page.locator("#consentkit-age")).to_have_count(0)
    assert state(page)["categories"]["advertising"] is False
    action(page, "sale-opt-in").click()
    action(page, "confirm").click()  # the second step (R38)
    page.wait_for_function("() => consentkit.state.sale_opt_in")
    assert state(page)["categories"]["advertising"] is True
    expect(page.locator(".ck-t")).to_contain_text("You can opt out at any time")


def test_under_13_gets_the_parents_form(sites: Sites, page: Page) -> None:
    visit(page, sites("opt_in", age_gate=True))
    _birth(page, 9)
    action(page, "age-submit").click()
    form = page.locator("#consentkit-parental")
    expect(form).to_be_visible()
    page.fill('input[name="parent_email"]', "parent@example.test")
    form.locator("button[type=submit]").click()
    toast = page.locator(".ck-t")
    expect(toast).not_to_be_empty()
    assert toast.text_content() in ("We have sent the request.", "This is not available yet.")


def test_language_from_the_page(sites: Sites, page: Page) -> None:
    visit(page, sites("opt_in"), "/?lang=es")
    expect(page.locator("#consentkit-banner h2")).to_have_text("Sus opciones de privacidad")
    expect(action(page, "reject-all")).to_have_text("Rechazar todo")


@pytest.mark.parametrize(("scheme", "html_class", "background"), [
    ("light", "", "rgb(255, 255, 255)"),
    ("dark", "", "rgb(31, 31, 31)"),
    ("light", "consentkit-dark", "rgb(31, 31, 31)"),
])
def test_colour_schemes(sites: Sites, new_context: Contexts, scheme: str, html_class: str, background: str) -> None:
    page = new_context(color_scheme=scheme).new_page()
    visit(page, sites("opt_in"))
    if html_class:
        page.evaluate(f"document.documentElement.classList.add('{html_class}')")
    assert page.locator("#consentkit-banner").evaluate("e => getComputedStyle(e).backgroundColor") == background


@pytest.mark.parametrize("viewport", [{"width": 320, "height": 640}, {"width": 320, "height": 180}])
def test_small_screens_and_400_percent_zoom(sites: Sites, new_context: Contexts, viewport: dict[str, int]) -> None:
    # 1280x720 at 400 % zoom is a 320x180 CSS viewport.
    page = new_context(viewport=viewport).new_page()
    visit(page, sites("opt_in"))
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    box = page.locator("#consentkit-banner").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    action(page, "reject-all").click()
    page.wait_for_function("() => consentkit.state.decided")
    action(page, "open").click()
    page.locator('#consentkit-preferences [data-consentkit-action="save"]').click()
    expect(page.locator("#consentkit-preferences")).to_have_count(0)


def test_no_layout_shift_and_the_banner_is_there_before_domcontentloaded(sites: Sites, page: Page) -> None:
    visit(page, sites("opt_in"))
    expect(page.locator("#consentkit-banner")).to_be_visible()
    # In the DOM as soon as <body> is: it is part of the page's first paint.
    assert page.evaluate("window.__bannerAtDcl") is True
    action(page, "accept-all").click()
    page.wait_for_function("() => window.inlineRuns === 1")
    page.wait_for_timeout(100)
    assert page.evaluate("window.__cls") == 0


def test_a_page_with_its_own_link_gets_no_second(sites: Sites, page: Page) -> None:
    visit(page, sites("opt_out"), "/with-link")
    expect(page.locator('a[data-consentkit-action="do-not-sell"]')).to_have_count(1)


def test_change_listeners_and_promises(sites: Sites, page: Page) -> None:
    visit(page, sites("opt_in"))
    result = page.evaluate("""async () => {
        const seen = [];
        consentkit.on('change', s => seen.push(s.categories.analytics));
        const s = await consentkit.save({analytics: true});
        const r = await consentkit.rejectAll();
        return {returned: [s.categories.analytics, r.categories.analytics], seen,
                detail: window.__events.at(-1)[1].categories.analytics};
    }""")
    assert result == {"returned": [True, False], "seen": [True, False], "detail": False}
    failed = page.evaluate("consentkit.save({nope: true}).then(() => 'resolved', () => 'rejected')")
    assert failed == "rejected"


def test_internet_explorer_gets_the_notice(sites: Sites, new_context: Contexts) -> None:
    page = new_context(user_agent=IE11).new_page()
    site = sites("opt_out")
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(site.url + "/")
    notice = page.locator(".ck-notice")
    expect(notice).to_be_visible()
    expect(notice.locator("a")).to_have_attribute("href", "/consentkit/preferences")
    assert page.evaluate("typeof window.consentkit") == "undefined"
    assert not any("/consentkit/widget.js" in u for u in requested)


# -- what the widget must never turn live (#13 L3, M2) -------------------------------------

INHERITED_NAMES = ("constructor", "__proto__", "toString", "hasOwnProperty")


def test_a_category_id_never_reaches_inherited_properties(sites: Sites, page: Page) -> None:
    site = sites("opt_in")
    markup = "".join(
        f'<script type="text/plain" data-consent="{name}">window.inherited=(window.inherited||[]).concat("{name}")'
        f'</script><img data-consent="{name}" data-src="/p.gif?{name}" alt="">'
        for name in INHERITED_NAMES
    )
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    visit(page, site, "/reflect?q=" + quote(markup))
    page.wait_for_load_state("networkidle")
    page.evaluate("consentkit.save({analytics: true})")
    page.wait_for_function("() => window.inlineRuns === 1")
    assert page.evaluate("window.inherited") is None
    assert not [u for u in requested if "/p.gif?" in u]
    allowed = page.evaluate(f"{list(INHERITED_NAMES)}.map(n => consentkit.allows(n))")
    assert allowed == [False] * len(INHERITED_NAMES)


@pytest.mark.parametrize("injected", [
    '<script type="text/plain" data-consent="analytics">window.pwned = "inline"</script>',
    '<script type="text/plain" data-consent="analytics" data-src="/a.js" onload="window.pwned=1"></script>',
])
def test_an_injected_inert_script_gets_no_nonce(sites: Sites, page: Page, injected: str) -> None:
    # Under the page's strict nonce CSP an injected script cannot run; the widget must
    # not lend it the nonce when it activates the category.
    visit(page, sites("opt_in"), "/reflect?csp=1&q=" + quote(injected))
    page.evaluate("consentkit.save({analytics: true})")
    page.wait_for_function("() => window.analyticsRuns === 1")  # the app's own nonce'd tag ran
    page.wait_for_timeout(100)
    assert page.evaluate("window.pwned") is None
    assert page.evaluate("[...document.scripts].filter(s => s.nonce && !s.src.includes('/consentkit/')"
                         " && !s.src.includes('analytics.localhost')).length") == 0


@pytest.mark.parametrize("injected", [
    '<iframe data-consent="analytics" data-src="javascript:parent.pwned=1"></iframe>',
    '<a id="bait" data-consent="analytics" data-href="javascript:window.pwned=2">next</a>',
    '<script type="text/plain" data-consent="analytics" src="data:text/javascript,window.pwned=3"></script>',
    '<script type="text/plain" data-consent="analytics" data-src="data:text/javascript,window.pwned=4"></script>',
    '<iframe data-consent="analytics" data-src="data:text/html,<script>parent.pwned=5</script>"></iframe>',
    '<img data-consent="analytics" data-srcset="/p.gif 1x,javascript:window.pwned=6 2x" alt="">',
    # Commas inside a descriptor's parentheses part no candidate; after them, one does.
    '<img data-consent="analytics" data-srcset="/p.gif 1x (a,b),javascript:window.pwned=7 2x" alt="">',
    # A URL that ends with commas ends its candidate there.
    '<img data-consent="analytics" data-srcset="/p.gif,, javascript:window.pwned=8 2x" alt="">',
])
def test_no_javascript_or_data_url_goes_live(sites: Sites, page: Page, injected: str) -> None:
    visit(page, sites("opt_in"), "/reflect?q=" + quote(injected))
    page.evaluate("consentkit.save({analytics: true})")
    page.wait_for_function("() => window.inlineRuns === 1")
    if page.locator("#bait").count():
        page.click("#bait")
    page.wait_for_timeout(200)
    assert page.evaluate("window.pwned") is None
    live = page.evaluate("""[...document.querySelectorAll('[data-consent]')]
        .flatMap(e => ['src', 'href', 'srcset'].map(a => e.getAttribute(a) || ''))
        .filter(v => /(^|,)\\s*(javascript|data):/i.test(v))""")
    assert live == []


def test_a_srcset_of_web_urls_goes_live_whole(sites: Sites, page: Page) -> None:
    # Split as the HTML Standard splits a srcset: a comma inside a URL or inside a
    # descriptor's parentheses parts no candidate, so nothing here is a javascript: URL.
    srcset = "/p.gif?javascript:a,b 1x (c, javascript:d), /p.gif?e,, /p.gif 2x"
    injected = f'<img id="set" data-consent="analytics" data-srcset="{srcset}" alt="">'
    visit(page, sites("opt_in"), "/reflect?q=" + quote(injected))
    page.evaluate("consentkit.save({analytics: true})")
    page.wait_for_function("() => document.getElementById('set').hasAttribute('srcset')")
    assert page.evaluate("document.getElementById('set').getAttribute('srcset')") == srcset


# -- GPC in the navigator only, on a visitor's first page (#12 part 4, #15 fix 1) -----------

NAVIGATOR_GPC = "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true})"


def _first_page(new_context: Contexts, site: LiveServer, *, gpc: bool) -> tuple[Page, list[str]]:
    page = new_context().new_page()  # a new visitor: no consent cookie, no Sec-GPC header
    if gpc:
        page.add_init_script(NAVIGATOR_GPC)
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    visit(page, site)
    page.wait_for_function("() => document.readyState === 'complete'")
    return page, requested


def test_first_page_with_navigator_only_gpc_requests_no_sale_tag(sites: Sites, new_context: Contexts) -> None:
    site = sites("opt_out")
    page, requested = _first_page(new_context, site, gpc=True)
    page.wait_for_function("() => consentkit.state.gpc === true")  # the widget told the server
    page.wait_for_timeout(300)
    assert not [u for u in requested if urlsplit(u).hostname == "ads.localhost"]
    # Served inert, and left so: the page's own analytics still ran (not sale or sharing).
    assert page.evaluate("document.querySelector('img[data-consent=advertising]').getAttribute('src')") is None
    page.wait_for_function("() => window.analyticsRuns === 1")


def test_first_page_without_gpc_activates_the_sale_tag(sites: Sites, new_context: Contexts) -> None:
    site = sites("opt_out")
    page, requested = _first_page(new_context, site, gpc=False)
    page.wait_for_function("() => document.querySelector('img[data-consent=advertising]').complete")
    assert f"http://ads.localhost:{site.port}/p.gif" in requested
    # A returning visitor's page is served live, with no wait for the widget.
    html = page.context.request.get(site.url + "/").text()
    assert f'src="http://ads.localhost:{site.port}/p.gif"' in html


def _ad_requests(requested: list[str]) -> list[str]:
    return [u for u in requested if urlsplit(u).hostname == "ads.localhost"]


@pytest.mark.parametrize("who", ["opted-out", "teen"])
def test_r38_two_step_opt_in_loads_no_sale_tag_before_the_confirmation(sites: Sites, page: Page, who: str) -> None:
    """R38/R39 watched on the network: between the request (save with the box ticked)
    and the confirmation, nothing reaches the sale or sharing vendor; after it, the
    inert pixel is activated in place."""
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    visit(page, sites("opt_out", age_gate=True))
    if who == "teen":
        _birth(page, 14)
        action(page, "age-submit").click()
        page.wait_for_function("() => consentkit.state.age_band === '13_15'")
    else:
        page.evaluate("consentkit.optOut()")
        page.wait_for_function("() => consentkit.state.sale_opt_out")
    # The next page serves the pixel inert: what the two steps may activate.
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.querySelector('img[data-consent=advertising]').getAttribute('src')") is None
    requested.clear()
    page.locator('.ck-bar [data-consentkit-action="open"]').click()
    page.check('#consentkit-preferences input[name="advertising"]')
    with page.expect_response(lambda r: r.url.endswith("/consentkit/consent")) as answered:
        action(page, "save").click()
    assert answered.value.status == 202
    step = page.locator("#consentkit-preferences #consentkit-confirm")
    expect(step).to_be_visible()
    expect(step).to_contain_text("Advertising")
    if who == "teen":  # R39: how to opt out later
        expect(step).to_contain_text("Do Not Sell or Share My Personal Information")
    page.wait_for_timeout(500)
    assert _ad_requests(requested) == []
    assert state(page)["categories"]["advertising"] is False
    with page.expect_request(lambda r: urlsplit(r.url).hostname == "ads.localhost"):
        action(page, "confirm").click()
    page.wait_for_function("() => consentkit.state.categories.advertising === true")
    expect(page.locator("#consentkit-preferences")).to_have_count(0)
    expected = "You can opt out at any time: use the" if who == "teen" else "Your choices were saved."
    expect(page.locator(".ck-t")).to_contain_text(expected)


def test_r38_cancelling_the_confirmation_changes_nothing(sites: Sites, page: Page) -> None:
    visit(page, sites("opt_out"))
    page.evaluate("consentkit.optOut()")
    page.wait_for_function("() => consentkit.state.sale_opt_out")
    assert page.evaluate("consentkit.save({advertising: true})") is None
    expect(page.locator("#consentkit-confirm")).to_be_visible()
    action(page, "confirm-cancel").click()
    expect(page.locator("#consentkit-confirm")).to_have_count(0)
    assert page.evaluate("fetch('/consentkit/state').then(r => r.json())")["categories"]["advertising"] is False


WEIGHT = """els => els.map(e => {
  const s = getComputedStyle(e), r = e.getBoundingClientRect();
  return [s.fontSize, s.fontWeight, s.fontFamily, s.color, s.backgroundColor, s.borderTopWidth, s.borderTopStyle,
          s.borderTopColor, s.paddingTop, s.paddingLeft, s.textDecorationLine, s.opacity, Math.round(r.height)];
})"""


def test_R26_withdrawing_is_one_click_in_the_dialog_that_one_click_opens(sites: Sites, page: Page) -> None:
    visit(page, sites("opt_in"))
    action(page, "accept-all").click()
    page.wait_for_function("() => consentkit.allows('analytics') && !document.getElementById('consentkit-banner')")
    # The always-present control opens the dialog in one click...
    action(page, "open").click()
    dialog = page.locator("#consentkit-preferences")
    expect(dialog).to_be_visible()
    buttons = dialog.locator(".ck-btns [data-consentkit-action]")
    names = buttons.evaluate_all("els => els.map(e => e.dataset.consentkitAction)")
    assert names[:3] == ["accept-all", "reject-all", "save"]
    # ...where "Reject all" and "Accept all" weigh what "Save" weighs: same style, same height.
    weights = dialog.locator(".ck-btns [data-consentkit-action]").evaluate_all(WEIGHT)[:3]
    assert weights[0] == weights[1] == weights[2], weights
    for name in ("accept-all", "reject-all", "save"):
        expect(dialog.locator(f'[data-consentkit-action="{name}"]')).to_be_visible()
    # ...and "Reject all" withdraws everything in one more click, as the dialog's choice.
    with page.expect_request(lambda r: r.url.endswith("/consentkit/consent")) as sent:
        dialog.locator('[data-consentkit-action="reject-all"]').click()
    body = json.loads(sent.value.post_data or "{}")
    assert body == {"choices": {"analytics": False, "captcha": False, "advertising": False}, "source": "preferences"}
    page.wait_for_function("() => !consentkit.allows('analytics')")
    expect(dialog).to_have_count(0)
    assert not any(state(page)["categories"][c] for c in OPTIONAL)
    # "Accept all" in the dialog gives it back in one click.
    action(page, "open").click()
    page.locator('#consentkit-preferences [data-consentkit-action="accept-all"]').click()
    page.wait_for_function("() => consentkit.allows('analytics') && consentkit.allows('captcha')")


@pytest.mark.parametrize("mode", ["opt_in", "opt_out"])
def test_R41_the_first_layer_is_the_notice_at_collection(sites: Sites, page: Page, mode: str) -> None:
    """On the banner itself: what is collected, each purpose (sold or shared or not) and
    how long it is kept, and a link to the privacy policy; in opt_in mode too."""
    visit(page, sites(mode))
    banner = page.locator("#consentkit-banner")
    expect(banner.get_by_role("link", name="Privacy policy")).to_have_attribute("href", "/privacy")
    expect(banner).to_contain_text("identifiers (cookie and device IDs) and internet activity")
    lines = banner.locator("li").all_inner_texts()
    assert lines == [
        "Necessary: Keeps the site working and secure.",
        "Analytics: Counts visits to improve the site. Kept up to 2 years.",
        "Spam protection",
        "Advertising (sold or shared). Kept up to 13 months.",
    ]
    # All of it in the banner's first paint, without opening anything.
    expect(page.locator("#consentkit-preferences")).to_have_count(0)
