"""Rules of ../shared/REQUIREMENTS.md the issue 15 audit found without a test, in real Chromium
(the table: /work/notes/15_rules_table.md)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from consentkit.testing import LiveServer

pytestmark = pytest.mark.browser

ORDER = "els => els.map(e => e.getAttribute('data-consentkit-action'))" \
        ".filter(a => a === 'accept-all' || a === 'reject-all')"


def test_R15_the_banner_and_the_dialog_offer_accept_and_reject_in_one_order(
        sites: Callable[..., LiveServer], page: Page) -> None:
    page.goto(sites("opt_in").url + "/")
    banner = page.locator("#consentkit-banner")
    expect(banner).to_be_visible()
    first = banner.locator("[data-consentkit-action]").evaluate_all(ORDER)
    banner.locator('[data-consentkit-action="preferences"]').click()
    dialog = page.locator("#consentkit-preferences")
    expect(dialog).to_be_visible()
    second = dialog.locator("[data-consentkit-action]").evaluate_all(ORDER)
    # Same order on both layers, and the same as the no-JavaScript page
    # (tests/test_rules_coverage.py::test_R15_the_no_javascript_page_offers_accept_and_reject_alike_in_the_widgets_order).
    assert first == second == ["accept-all", "reject-all"]


# The page's own first script: it runs while the document is still parsed, before the
# widget's deferred script, and records what __uspapi answers it then.
EARLY = ("<script>window.early = {ready: document.readyState, deferred: typeof consentkit.showPreferences};"
         "__uspapi('getUSPData', 1, (data, ok) => { window.early.usp = [data, ok]; });</script>")


@pytest.mark.parametrize(("gpc", "usp"), [(True, "1YYN"), (False, "1YNN")])
def test_R30_uspapi_answers_the_pages_first_script(
        sites: Callable[..., LiveServer], new_context: Callable[..., BrowserContext], gpc: bool, usp: str) -> None:
    page = new_context(extra_http_headers={"Sec-GPC": "1"} if gpc else {}).new_page()
    page.goto(sites("opt_out").url + "/reflect?q=" + quote(EARLY))
    early = page.evaluate("window.early")
    assert early["ready"] == "loading" and early["deferred"] == "undefined"  # before the widget's own script
    assert early["usp"] == [{"version": 1, "uspString": usp}, True]
    page.wait_for_function("() => document.cookie.includes('usprivacy=')")
    assert f"usprivacy={usp}" in page.evaluate("document.cookie")
