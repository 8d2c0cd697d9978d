"""``expect_consent(page)``: assertions on a page's consent state in the style of
Playwright's ``expect``, each waiting (up to ``timeout`` milliseconds) for the
widget to get there, and saying what the state was when it did not::

    expect_consent(page).to_allow("analytics")
    expect_consent(page).not_to_allow("advertising")
    expect_consent(page).to_have_gpc()
    expect_consent(page).to_show_banner()
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Page

_READY = "() => !!(window.consentkit && window.consentkit.state)"


class ConsentExpectation:
    """What ``expect_consent(page)`` answers; ``timeout`` in milliseconds."""

    def __init__(self, page: Page, timeout: float = 5000) -> None:
        self.page = page
        self.timeout = timeout

    def _state(self) -> Any:
        try:
            return self.page.evaluate("() => window.consentkit ? window.consentkit.state : null")
        except Exception as exc:  # noqa: BLE001 - the page may be gone; say so
            return f"(unreadable: {exc})"

    def _wait(self, condition: str, arg: Any, message: str) -> None:
        from playwright.sync_api import Error as PlaywrightError

        try:
            self.page.wait_for_function(_READY, timeout=self.timeout)
            self.page.wait_for_function(condition, arg=arg, timeout=self.timeout)
        except PlaywrightError:
            state = self._state()
            shown = json.dumps(state, indent=2, sort_keys=True) if isinstance(state, dict) else str(state)
            raise AssertionError(f"{message} within {self.timeout / 1000:.1f} s; the state is:\n{shown}") from None

    def to_allow(self, name: str) -> None:
        """The category (or service) ``name`` is granted."""
        self._wait("(n) => window.consentkit.allows(n) === true", name, f"expected {name!r} to be allowed")

    def not_to_allow(self, name: str) -> None:
        """The category (or service) ``name`` is not granted."""
        self._wait("(n) => window.consentkit.allows(n) === false", name, f"expected {name!r} not to be allowed")

    def to_have_gpc(self) -> None:
        """The visitor's Global Privacy Control signal was honoured."""
        self._wait("() => window.consentkit.state.gpc === true", None, "expected Global Privacy Control honoured")

    def to_have_age_band(self, band: str) -> None:
        """The visitor's age band is ``band``."""
        self._wait("(b) => window.consentkit.state.age_band === b", band, f"expected the age band {band!r}")

    def to_show_banner(self) -> None:
        """The banner is shown (the visitor has a choice to make)."""
        self._wait("() => !!document.getElementById('consentkit-banner')", None, "expected the banner")

    def not_to_show_banner(self) -> None:
        """No banner is shown."""
        self._wait("() => !!window.__consentkitCore && !document.getElementById('consentkit-banner')", None,
                   "expected no banner")


def expect_consent(page: Page, *, timeout: float = 5000) -> ConsentExpectation:
    """Assertions on ``page``'s consent state (see the module's docstring)."""
    return ConsentExpectation(page, timeout)
