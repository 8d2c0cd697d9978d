"""The no-JavaScript pages in real Chromium with JavaScript turned off."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, expect

from consentkit.testing import LiveServer

pytestmark = pytest.mark.browser


def _state(context: BrowserContext, site: LiveServer) -> dict[str, Any]:
    result: dict[str, Any] = context.request.get(site.url + "/consentkit/state").json()
    return result


def test_preferences_form_saves_without_javascript(
    sites: Callable[..., LiveServer], new_context: Callable[..., BrowserContext]
) -> None:
    site = sites("opt_in")
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site.url + "/consentkit/preferences?next=/%3Fpostcode%3D1")
    for name in ("analytics", "captcha", "advertising"):
        expect(page.locator(f'input[name="{name}"]')).not_to_be_checked()
    expect(page.locator('input[name="necessary"]')).to_be_disabled()
    page.check('input[name="analytics"]')
    page.click('[data-consentkit-action="save"]')
    page.wait_for_url(site.url + "/?postcode=1")
    categories = _state(context, site)["categories"]
    assert categories == {"necessary": True, "analytics": True, "captcha": False, "advertising": False}

    # The form shows what was saved; unticking a box withdraws.
    page.goto(site.url + "/consentkit/preferences")
    expect(page.locator('input[name="analytics"]')).to_be_checked()
    page.uncheck('input[name="analytics"]')
    page.click('[data-consentkit-action="save"]')
    expect(page.get_by_role("status")).to_have_text("Your choices were saved.")
    assert _state(context, site)["categories"]["analytics"] is False


def test_do_not_sell_page_without_javascript(
    sites: Callable[..., LiveServer], new_context: Callable[..., BrowserContext]
) -> None:
    site = sites("opt_out")
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site.url + "/consentkit/do-not-sell")
    expect(page.get_by_role("heading", level=1)).to_have_text("Do Not Sell or Share My Personal Information")
    expect(page.get_by_text("Opt-Out Request Honored")).to_have_count(0)
    page.get_by_role("button").click()
    expect(page.get_by_text("Opt-Out Request Honored")).to_be_visible()
    state = _state(context, site)
    assert state["sale_opt_out"] is True and state["categories"]["advertising"] is False
    # The opt-out holds on the site's own pages too.
    page.goto(site.url + "/")
    assert page.locator("img[data-consent=advertising]").get_attribute("src") is None


def test_the_confirmation_pages_buttons_are_readable_without_javascript(
    sites: Callable[..., LiveServer], new_context: Callable[..., BrowserContext]
) -> None:
    """Opting back in after an opt-out shows the confirmation step (R38): its "Confirm" and its
    "Cancel" link look alike, and the link's text is not drawn in its own background's colour."""
    site = sites("opt_out")
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site.url + "/consentkit/do-not-sell")
    page.get_by_role("button").click()
    page.goto(site.url + "/consentkit/preferences")
    page.check('input[name="advertising"]')
    page.click('[data-consentkit-action="save"]')
    page.wait_for_load_state()
    cancel = page.get_by_role("link", name="Cancel")
    expect(cancel).to_be_visible()
    look = "e => { const s = getComputedStyle(e); return [s.color, s.backgroundColor]; }"
    color, background = cancel.evaluate(look)
    assert color != background
    confirm = page.locator('button.ck-b[type="submit"]').first
    assert confirm.evaluate(look) == [color, background]
    assert _state(context, site)["sale_opt_out"] is True
