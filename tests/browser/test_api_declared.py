"""``window.consentkit`` in Chromium holds exactly what ``widget.d.ts`` declares."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from ..test_widget_types import _interface

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import Page

    from consentkit.testing import LiveServer

pytestmark = pytest.mark.browser


def test_window_consentkit_is_what_is_declared(sites: Callable[..., LiveServer], page: Page) -> None:
    page.goto(sites("opt_in").url + "/")
    page.wait_for_function("() => window.consentkit && window.consentkit.showPreferences")
    members = set(page.evaluate("Object.keys(window.consentkit)"))
    declared = _interface("Api")
    assert members == declared, (
        f"widget/public/widget.d.ts Api differs from window.consentkit: add {sorted(members - declared)}, "
        f"remove {sorted(declared - members)}"
    )
    assert page.evaluate("typeof window.__uspapi") == "function"
    usp = page.evaluate("new Promise(r => window.__uspapi('getUSPData', 1, (d, ok) => r([d, ok])))")
    assert usp[1] is True and set(usp[0]) == {"version", "uspString"}
