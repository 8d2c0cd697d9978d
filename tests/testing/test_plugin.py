"""The pytest plugin, run the way a QA engineer runs it: a conftest that names the
app, tests that use the fixtures, in a separate pytest process (pytester), with
real Chromium."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]

SITE = '''
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from consentkit import Category, ConsentKit, ConsentMiddleware, Policy, Service

POLICY = Policy("2026-11-01", [
    Category("necessary", required=True),
    Category("analytics", services=[Service("stats", vendor="Example Analytics", hosts=["analytics.localhost"],
                                            cookies={"_ga": "2 years"})]),
], mode="opt_in")


async def home(request: Request) -> HTMLResponse:
    port = request.url.port
    return HTMLResponse(f"""<!doctype html><html lang="en"><head><title>Shop</title></head><body><h1>Shop</h1>
<script type="text/plain" data-consent="analytics" src="http://analytics.localhost:{port}/a.js"></script>
</body></html>""")


async def leaky(request: Request) -> HTMLResponse:
    # A first-party script that injects the tracker itself, in a frame of its own: neither
    # the server's gate nor the page's runtime guard (which guards its own document) sees it.
    return HTMLResponse('<!doctype html><html lang="en"><head><title>Leaky</title></head><body><h1>Leaky</h1>'
                        '<iframe srcdoc="<script src=/boot.js></script>"></iframe></body></html>')


async def boot(request: Request) -> Response:
    return Response("var s = document.createElement('script'); s.src = 'http://analytics.localhost:' + "
                    "new URL(document.baseURI).port + '/a.js'; document.head.appendChild(s);",
                    media_type="text/javascript")


async def tracker(request: Request) -> Response:
    return Response("window.tracked = true;", media_type="text/javascript")


@pytest.fixture(scope="session")
def consentkit_app():
    kit = ConsentKit(POLICY, secret_keys=["plugin-test-secret-0123456789"], store="memory://")
    routes = [Route("/", home), Route("/leaky", leaky), Route("/boot.js", boot), Route("/a.js", tracker)]
    return Starlette(routes=routes, middleware=[Middleware(ConsentMiddleware, kit=kit)])
'''

QA_TESTS = '''
import pytest

from consentkit.testing import (
    assert_category_not_requested, assert_category_requested, assert_no_tracker_before_consent, preset_consent,
)


def test_nothing_loads_before_consent(consentkit_page, tracker_recorder):
    consentkit_page.goto("/")
    consentkit_page.wait_for_load_state("networkidle")
    assert consentkit_page.locator("#consentkit-banner").is_visible()
    assert_no_tracker_before_consent(tracker_recorder)
    assert_category_not_requested(tracker_recorder, "analytics")
    with pytest.raises(AssertionError, match="no request to a host of 'analytics' within 0.3 s"):
        tracker_recorder.wait_for(consentkit_page, "analytics", timeout=300)


def test_accepting_loads_analytics_after_consent(consentkit_page, tracker_recorder):
    consentkit_page.goto("/")
    consentkit_page.click('[data-consentkit-action="accept-all"]')
    first = tracker_recorder.wait_for(consentkit_page, "analytics")
    assert first.consented and first.host == "analytics.localhost"
    assert_category_requested(tracker_recorder, "analytics")
    assert_no_tracker_before_consent(tracker_recorder)


def test_preset_consent_lands_in_the_context(consentkit_context, consentkit_server, tracker_recorder):
    state = preset_consent(consentkit_context, consentkit_server, {"analytics": True})
    assert state["categories"]["analytics"] is True and state["decided"] is True
    assert "consentkit" in {c["name"] for c in consentkit_context.cookies()}
    page = consentkit_context.new_page()
    with page.expect_request("**/a.js"):
        page.goto("/")
    assert not page.locator("#consentkit-banner").is_visible()
    assert_category_requested(tracker_recorder, "analytics")
    assert_no_tracker_before_consent(tracker_recorder)


def test_the_policy_is_found_in_the_app(consentkit_policy, consentkit_server):
    assert consentkit_policy.mode == "opt_in" and "analytics" in consentkit_policy
    assert consentkit_server.startswith("http://127.0.0.1:")


def test_leaky_page_is_caught(consentkit_page, tracker_recorder):
    with consentkit_page.expect_request("**/a.js"):
        consentkit_page.goto("/leaky")
    assert_no_tracker_before_consent(tracker_recorder)
'''

LATER_ASYNC_TEST = '''
import asyncio

import pytest


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.anyio
async def test_async_tests_still_run_after_the_browser_module():
    await asyncio.sleep(0)
'''

BARE_TEST = '''
def test_needs_an_app(consentkit_server):
    pass
'''

FAKE_PYTEST_PLAYWRIGHT = '''
import pytest
from playwright.sync_api import sync_playwright

USED = []


class FakePytestPlaywright:
    """The two fixtures of pytest-playwright that consentkit builds on, under its plugin name."""

    @pytest.fixture(scope="session")
    def playwright(self):
        USED.append("playwright")
        with sync_playwright() as pw:
            yield pw

    @pytest.fixture(scope="session")
    def browser_type_launch_args(self):
        return {"slow_mo": 1, "args": ["--lang=de-DE"]}


def pytest_configure(config):
    config.pluginmanager.register(FakePytestPlaywright(), "playwright")
'''

ALONGSIDE_TEST = '''
from conftest import USED


def test_uses_pytest_playwright_and_merges_its_launch_args(consentkit_launch_options, consentkit_page):
    assert "--lang=de-DE" in consentkit_launch_options["args"]
    assert "--no-sandbox" in consentkit_launch_options["args"]
    assert consentkit_launch_options["slow_mo"] == 1
    consentkit_page.goto("/")
    assert consentkit_page.title() == "Shop"
    assert USED == ["playwright"]
'''


def _plugin_args() -> list[str]:
    installed = any(ep.value == "consentkit.testing.plugin" for ep in entry_points(group="pytest11"))
    return ["-p", "no:cacheprovider", *([] if installed else ["-p", "consentkit.testing.plugin"])]


@pytest.fixture
def qa_project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    return pytester


def test_a_qa_suite_passes_and_a_leak_is_named(qa_project: pytest.Pytester) -> None:
    qa_project.mkdir("site_tests")
    qa_project.path.joinpath("site_tests", "conftest.py").write_text(SITE)
    qa_project.path.joinpath("site_tests", "test_site.py").write_text(QA_TESTS)
    qa_project.path.joinpath("site_tests", "test_zz_async.py").write_text(LATER_ASYNC_TEST)
    qa_project.mkdir("bare")
    qa_project.path.joinpath("bare", "test_bare.py").write_text(BARE_TEST)
    result = qa_project.runpytest_subprocess(*_plugin_args(), "-v", timeout=300)
    result.assert_outcomes(passed=5, failed=1, errors=1)
    result.stdout.fnmatch_lines([
        "*test_leaky_page_is_caught FAILED*",
        "*1 request(s) to a tracker before consent:",
        "*GET http://analytics.localhost:*/a.js [[]analytics, script, BEFORE consent*",
    ])
    result.stdout.fnmatch_lines(["*define a `consentkit_app` fixture*"])


def test_it_runs_alongside_pytest_playwright(qa_project: pytest.Pytester) -> None:
    qa_project.makeconftest(SITE + FAKE_PYTEST_PLAYWRIGHT)
    qa_project.makepyfile(test_alongside=ALONGSIDE_TEST)
    result = qa_project.runpytest_subprocess(*_plugin_args(), timeout=300)
    result.assert_outcomes(passed=1)


def test_fixture_names_do_not_clash_with_pytest_playwright(qa_project: pytest.Pytester) -> None:
    result = qa_project.runpytest_subprocess(*_plugin_args(), "--fixtures", timeout=120)
    out = result.stdout.str()
    for ours in ("consentkit_app", "consentkit_server", "consentkit_policy", "consentkit_launch_options",
                 "consentkit_browser", "consentkit_context", "consentkit_page", "tracker_recorder"):
        assert ours in out
    # pytest-playwright's own names stay free for it.
    for theirs in ("browser ", "context ", "page ", "playwright ", "browser_type_launch_args"):
        assert f"\n{theirs}" not in out
