"""consentkit for QA: a live server, Chromium settings, a tracker recorder,
consent presets and assertions. The pytest plugin (``consentkit.testing.plugin``,
registered under ``pytest11``) turns them into fixtures; they work without pytest too.
"""

from __future__ import annotations

from .assertions import (
    assert_category_not_requested,
    assert_category_requested,
    assert_no_tracker_before_consent,
)
from .chromium import CHROMIUM_ARGS, find_chromium, launch_options
from .preset import preset_consent
from .recorder import TrackedRequest, TrackerRecorder
from .server import LiveServer, serve

__all__ = [
    "CHROMIUM_ARGS",
    "LiveServer",
    "TrackedRequest",
    "TrackerRecorder",
    "assert_category_not_requested",
    "assert_category_requested",
    "assert_no_tracker_before_consent",
    "find_chromium",
    "launch_options",
    "preset_consent",
    "serve",
]
