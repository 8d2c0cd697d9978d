"""The pytest plugin: fixtures for testing a consentkit site in Chromium.

A chain of small fixtures, each overridable in a ``conftest.py``::

    consentkit_app            your ASGI app (override this one)
    consentkit_server         its live base URL, served in a thread on a free port
    consentkit_policy         the policy, found in the app's ConsentMiddleware
    consentkit_launch_options Chromium launch settings (a system Chromium, no sandbox)
    consentkit_browser        one Chromium per test module
    consentkit_context_options keyword arguments of browser.new_context()
    consentkit_context        a fresh profile per test, with base_url set
    consentkit_page           a page in it
    tracker_recorder          records the page's requests to the policy's hosts

With pytest-playwright installed, ``consentkit_browser`` is launched from its
``playwright`` fixture, with its ``browser_type_launch_args`` (``--headed``,
``--slowmo``) merged over ours; our fixture names never clash with its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright

    from consentkit.policy import Policy
    from consentkit.testing.recorder import TrackerRecorder

# Imports of consentkit happen inside the fixtures, so that merely having the
# plugin installed costs a test run nothing.


def _has_pytest_playwright(config: pytest.Config) -> bool:
    manager = config.pluginmanager
    return manager.has_plugin("playwright") or manager.has_plugin("pytest_playwright.pytest_playwright")


@pytest.fixture(scope="session")
def consentkit_app() -> Any:
    """Override in your conftest.py to return the ASGI app under test."""
    pytest.fail(
        "consentkit: define a `consentkit_app` fixture (scope='session') in your conftest.py that returns "
        "your ASGI app, e.g.\n\n    @pytest.fixture(scope='session')\n    def consentkit_app():\n"
        "        return create_app()\n",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def consentkit_server(consentkit_app: Any) -> Iterator[str]:
    """The base URL of ``consentkit_app`` served by uvicorn in a thread."""
    from consentkit.testing.server import serve

    with serve(consentkit_app) as server:
        yield server.url


@pytest.fixture(scope="session")
def consentkit_policy(consentkit_app: Any) -> Policy:
    """The policy of the ConsentKit mounted in ``consentkit_app``."""
    from consentkit.testing.apps import kit_of

    kit = kit_of(consentkit_app)
    if kit is None:
        pytest.fail(
            "consentkit: no ConsentKit found in consentkit_app; override `consentkit_policy` in your conftest.py "
            "to return it, e.g. Policy.from_toml('policy.toml')",
            pytrace=False,
        )
    return kit.policy


@pytest.fixture(scope="session")
def consentkit_launch_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Keyword arguments of ``chromium.launch()``: a system Chromium when one is found
    (``$CONSENTKIT_CHROMIUM``, ``/usr/bin/chromium``, ``chromium``... on PATH)."""
    from consentkit.testing.chromium import launch_options

    options = launch_options()
    if _has_pytest_playwright(request.config):
        theirs = dict(request.getfixturevalue("browser_type_launch_args"))
        args = [*options.get("args", []), *theirs.pop("args", [])]
        options = {**options, **theirs, "args": args}
    return options


# Module scope: a sync Playwright holds an event loop on the main thread while it is
# open, which would break async (anyio) tests in later modules of the session.
@pytest.fixture(scope="module")
def _consentkit_playwright(request: pytest.FixtureRequest) -> Iterator[Playwright]:
    if _has_pytest_playwright(request.config):
        yield request.getfixturevalue("playwright")
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def consentkit_browser(_consentkit_playwright: Playwright, consentkit_launch_options: dict[str, Any]) -> Iterator[Browser]:
    browser = _consentkit_playwright.chromium.launch(**consentkit_launch_options)
    yield browser
    browser.close()


@pytest.fixture
def consentkit_context_options() -> dict[str, Any]:
    """Override (or parametrize indirectly) to pass options to ``browser.new_context()``,
    e.g. ``{"extra_http_headers": {"Sec-GPC": "1"}}``."""
    return {}


@pytest.fixture
def consentkit_context(
    consentkit_browser: Browser, consentkit_server: str, consentkit_context_options: dict[str, Any]
) -> Iterator[BrowserContext]:
    """A fresh browser profile (no cookies) with ``base_url`` set to the live server."""
    options = {"base_url": consentkit_server, **consentkit_context_options}
    context = consentkit_browser.new_context(**options)
    yield context
    context.close()


@pytest.fixture
def consentkit_page(consentkit_context: BrowserContext) -> Page:
    return consentkit_context.new_page()


@pytest.fixture
def tracker_recorder(consentkit_context: BrowserContext, consentkit_policy: Policy) -> TrackerRecorder:
    """Records the requests of every page of ``consentkit_context`` to the policy's hosts."""
    from consentkit.testing.recorder import TrackerRecorder

    return TrackerRecorder(consentkit_policy).attach(consentkit_context)
