"""The pytest plugin: fixtures for testing a consentkit site in Chromium.

A chain of small fixtures, each overridable in a ``conftest.py``::

    consentkit_app            your ASGI app (override this one)
    consentkit_server         its live base URL, served in a thread on a free port
    consentkit_policy         the policy, found in the app's ConsentMiddleware
    consentkit_launch_options Chromium launch settings (a system Chromium, no sandbox)
    consentkit_browser        one Chromium per test module
    consentkit_context_options keyword arguments of browser.new_context()
    consentkit_gpc            True: the browser sends Global Privacy Control
    consentkit_age_band       an age band ("13_15", "under_13"...) the visitor gave already
    consentkit_test_token     the app's kit.test_token (found for an app the plugin serves)
    consentkit_context        a fresh profile per test, with base_url set
    consentkit_page           a page in it
    tracker_recorder          records the page's requests to the policy's hosts

``consentkit_context_options``, ``consentkit_gpc`` and ``consentkit_age_band`` can be
overridden, or parametrized indirectly::

    @pytest.mark.parametrize("consentkit_age_band", ["13_15"], indirect=True)

The decisions a test makes through the plugin's contexts (the banner, the API,
``preset_consent``) carry the kit's test marker, so the app's ledger records them with
source ``test``, out of its statistics.

On failure (or always), ``--consentkit-screenshot``, ``--consentkit-tracing`` and
``--consentkit-video`` keep a screenshot of each page, a Playwright trace and a video
under ``--consentkit-output`` (``test-results``); with pytest-playwright installed, its
``--screenshot``, ``--tracing``, ``--video`` and ``--output`` are used when ours are not
given.

With pytest-playwright installed, ``consentkit_browser`` is launched from its
``playwright`` fixture, with its ``browser_type_launch_args`` (``--headed``,
``--slowmo``) merged over ours; our fixture names never clash with its own.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright

    from consentkit.policy import Policy
    from consentkit.testing.recorder import TrackerRecorder

# Imports of consentkit happen inside the fixtures, so that merely having the
# plugin installed costs a test run nothing.

INSTALL_HINT = "consentkit's browser fixtures drive Chromium through Playwright: pip install 'consentkit[scan]'"
_ARTIFACTS = {
    "screenshot": ("off", "on", "only-on-failure"),
    "tracing": ("off", "on", "retain-on-failure"),
    "video": ("off", "on", "retain-on-failure"),
}
_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("consentkit", "consentkit browser tests")
    for name, choices in _ARTIFACTS.items():
        group.addoption(f"--consentkit-{name}", dest=f"consentkit_{name}", choices=choices, default=None,
                        help=f"keep a {name} of each consentkit page: {', '.join(choices)} (default: off, or "
                             f"pytest-playwright's --{name})")
    group.addoption("--consentkit-output", dest="consentkit_output", default=None,
                    help="where --consentkit-screenshot/tracing/video go (default: test-results)")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


def _artifact_mode(config: pytest.Config, name: str) -> str:
    ours = config.getoption(f"consentkit_{name}", None)
    if ours is None and _has_pytest_playwright(config):
        ours = config.getoption(name, None)
    return str(ours or "off")


def _failed(node: pytest.Item) -> bool:
    return any(report.failed for report in node.stash.get(_REPORTS, {}).values())


def _output_dir(config: pytest.Config, node: pytest.Item) -> Path:
    root = config.getoption("consentkit_output", None)
    if root is None and _has_pytest_playwright(config):
        root = config.getoption("output", None)
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", node.nodeid).strip("-")[:200]
    return Path(root or "test-results") / slug


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
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if sync_playwright is None:
        pytest.fail(INSTALL_HINT, pytrace=False)

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def consentkit_browser(_consentkit_playwright: Playwright, consentkit_launch_options: dict[str, Any]) -> Iterator[Browser]:
    browser = _consentkit_playwright.chromium.launch(**consentkit_launch_options)
    yield browser
    browser.close()


@pytest.fixture
def consentkit_context_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Override (or parametrize indirectly) to pass options to ``browser.new_context()``,
    e.g. ``{"locale": "es-MX"}``."""
    return dict(getattr(request, "param", {}))


@pytest.fixture
def consentkit_gpc(request: pytest.FixtureRequest) -> bool:
    """Whether the browser sends Global Privacy Control (the ``Sec-GPC: 1`` header and
    ``navigator.globalPrivacyControl``); override or parametrize indirectly."""
    return bool(getattr(request, "param", False))


@pytest.fixture
def consentkit_age_band(request: pytest.FixtureRequest) -> str | None:
    """An age band the visitor has already given (``"under_13"``, ``"13_15"``,
    ``"16_17"``, ``"18_plus"``, ``"16_plus"``), or None; override or parametrize indirectly."""
    return getattr(request, "param", None)


@pytest.fixture
def consentkit_test_token(consentkit_server: str) -> str | None:
    """The app's ``kit.test_token``, which marks the contexts' decisions as a test's
    (source ``test``); found for an app the plugin serves. Override it for a server of
    your own (``os.environ["CONSENTKIT_TEST_TOKEN"]``), or return None not to mark."""
    from consentkit.testing.server import TEST_TOKENS

    return TEST_TOKENS.get(consentkit_server)


@pytest.fixture
def consentkit_context(
    request: pytest.FixtureRequest, consentkit_browser: Browser, consentkit_server: str,
    consentkit_context_options: dict[str, Any], consentkit_gpc: bool, consentkit_age_band: str | None,
    consentkit_test_token: str | None,
) -> Iterator[BrowserContext]:
    """A fresh browser profile (no cookies) with ``base_url`` set to the live server,
    sending GPC and having given an age band when those fixtures say so."""
    config = request.config
    modes = {name: _artifact_mode(config, name) for name in _ARTIFACTS}
    options: dict[str, Any] = {"base_url": consentkit_server, **consentkit_context_options}
    if consentkit_gpc:
        options["extra_http_headers"] = {**options.get("extra_http_headers", {}), "Sec-GPC": "1"}
    video_dir = tempfile.mkdtemp(prefix="consentkit-video-") if modes["video"] != "off" else None
    if video_dir:
        options.setdefault("record_video_dir", video_dir)
    context = consentkit_browser.new_context(**options)
    if consentkit_gpc:
        context.add_init_script(
            "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true})")
    if consentkit_test_token:
        _mark_as_test(context, consentkit_server, consentkit_test_token)
    if modes["tracing"] != "off":
        context.tracing.start(screenshots=True, snapshots=True)
    if consentkit_age_band is not None:
        from consentkit.testing.preset import preset_age_band

        preset_age_band(context, consentkit_server, consentkit_age_band, test_token=consentkit_test_token or "")
    yield context
    node = request.node
    failed = _failed(node)
    out = _output_dir(config, node)
    keep = {name: mode == "on" or (mode != "off" and failed) for name, mode in modes.items()}
    pages = list(context.pages)
    if keep["screenshot"]:
        out.mkdir(parents=True, exist_ok=True)
        for n, page in enumerate(pages, 1):
            page.screenshot(path=str(out / f"screenshot-{n}.png"), full_page=True)
    if modes["tracing"] != "off":
        if keep["tracing"]:
            out.mkdir(parents=True, exist_ok=True)
            context.tracing.stop(path=str(out / "trace.zip"))
        else:
            context.tracing.stop()
    context.close()
    if video_dir:
        if keep["video"]:
            out.mkdir(parents=True, exist_ok=True)
            for n, page in enumerate(pages, 1):
                if page.video is not None:
                    page.video.save_as(str(out / f"video-{n}.webm"))
        shutil.rmtree(video_dir, ignore_errors=True)


def _mark_as_test(context: BrowserContext, base_url: str, token: str) -> None:
    """Send the kit's test marker to the app, and only to it (never to a third party)."""
    from consentkit.visit import TEST_HEADER

    origin = base_url.rstrip("/")

    def add_marker(route: Any) -> None:
        route.continue_(headers={**route.request.headers, TEST_HEADER: token})

    context.route(lambda url: url == origin or url.startswith(origin + "/"), add_marker)


@pytest.fixture
def consentkit_page(consentkit_context: BrowserContext) -> Page:
    return consentkit_context.new_page()


@pytest.fixture
def tracker_recorder(consentkit_context: BrowserContext, consentkit_policy: Policy) -> TrackerRecorder:
    """Records the requests of every page of ``consentkit_context`` to the policy's hosts."""
    from consentkit.testing.recorder import TrackerRecorder

    return TrackerRecorder(consentkit_policy).attach(consentkit_context)
