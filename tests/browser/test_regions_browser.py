"""The demo's regions in real Chromium (issue 15, done when): the same demo, in its
file's opt_out mode, shows a visitor from France the opt_in banner and loads no tracker
before consent, and a visitor from Colorado the opt_out notice with the site's tags
live. The region comes from CloudFront's headers, as the CDN would send them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_demo import BANNER, demo, visitor  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def test_a_visitor_from_france_gets_opt_in_and_one_from_colorado_opt_out(visitor):  # noqa: F811
    fr = visitor("opt_out", extra_http_headers={"CloudFront-Viewer-Country": "FR"})
    fr.page.goto("/")
    expect(fr.page.locator(BANNER)).to_contain_text("Optional ones stay off unless you accept them")
    fr.page.wait_for_load_state("networkidle")
    assert fr.trackers() == []
    assert (fr.state()["region"], fr.state()["mode"]) == ("EEA", "opt_in")

    co = visitor("opt_out", extra_http_headers={"CloudFront-Viewer-Country": "US",
                                                "CloudFront-Viewer-Country-Region": "CO"})
    co.page.goto("/")
    expect(co.page.locator(BANNER)).to_contain_text("You can refuse them now or at any time")
    expect(co.page.locator("html")).to_have_attribute("data-demo-analytics", "loaded")
    assert any("analytics.localhost" in u for u in co.trackers())
    assert (co.state()["region"], co.state()["gpp_sid"]) == ("US-CO", [7, 10])
