"""consentkit for QA: a live server, Chromium settings, a tracker recorder,
consent presets and assertions. The pytest plugin (``consentkit.testing.plugin``,
registered under ``pytest11``) turns them into fixtures; they work without pytest too.

A complete suite::

    # conftest.py
    import pytest
    from myshop import create_app

    @pytest.fixture(scope="session")
    def consentkit_app():
        return create_app()          # any ASGI app with ConsentMiddleware mounted

    # test_consent.py
    from consentkit.testing import (
        assert_category_requested, assert_no_tracker_before_consent, preset_consent,
    )

    def test_nothing_before_consent(consentkit_page, tracker_recorder):
        consentkit_page.goto("/")
        consentkit_page.wait_for_load_state("networkidle")
        assert_no_tracker_before_consent(tracker_recorder)

    def test_analytics_after_accept(consentkit_page, tracker_recorder):
        consentkit_page.goto("/")
        consentkit_page.click('[data-consentkit-action="accept-all"]')
        tracker_recorder.wait_for(consentkit_page, "analytics")   # activated tags load a moment later
        assert_no_tracker_before_consent(tracker_recorder)

    def test_returning_visitor(consentkit_context, consentkit_server, tracker_recorder):
        preset_consent(consentkit_context, consentkit_server, {"analytics": True})
        page = consentkit_context.new_page()
        page.goto("/")
        page.wait_for_load_state("networkidle")
        assert_category_requested(tracker_recorder, "analytics")   # served live: no click needed

With pytest-playwright installed, its own ``page`` fixture can use the system
Chromium too::

    @pytest.fixture(scope="session")
    def browser_type_launch_args(browser_type_launch_args, consentkit_launch_options):
        return {**browser_type_launch_args, **consentkit_launch_options}
"""

from __future__ import annotations

from .assertions import (
    assert_category_not_requested,
    assert_category_requested,
    assert_no_tracker_before_consent,
)
from .chromium import CHROMIUM_ARGS, find_chromium, launch_options
from .expect import ConsentExpectation, expect_consent
from .preset import preset_age_band, preset_consent
from .recorder import TrackedRequest, TrackerRecorder
from .server import LiveServer, serve

__all__ = [
    "CHROMIUM_ARGS",
    "ConsentExpectation",
    "LiveServer",
    "TrackedRequest",
    "TrackerRecorder",
    "assert_category_not_requested",
    "assert_category_requested",
    "assert_no_tracker_before_consent",
    "expect_consent",
    "find_chromium",
    "launch_options",
    "preset_age_band",
    "preset_consent",
    "serve",
]
