"""The plugin's issue-19 additions, run as a QA engineer runs them (pytester, real
Chromium): indirect parametrization, GPC and age-band fixtures, expect-style
assertions, test-marked decisions out of the app's statistics, artifacts on failure,
and an install hint without Playwright."""

from __future__ import annotations

import pytest

from .test_plugin import _plugin_args

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.browser

SITE = '''
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import HTMLResponse
from starlette.routing import Route

from consentkit import Category, ConsentKit, ConsentMiddleware, Policy

POLICY = Policy("2026-11-01", [
    Category("necessary", required=True),
    Category("analytics"),
    Category("advertising", sale_or_sharing=True),
], mode="opt_out", age_gate=True)
KIT = ConsentKit(POLICY, secret_keys=["plugin-more-secret-0123456789"], store="memory://")


async def home(request):
    return HTMLResponse('<!doctype html><html lang="en"><head><title>Shop</title></head><body><h1>Shop</h1></body></html>')


@pytest.fixture(scope="session")
def consentkit_app():
    return Starlette(routes=[Route("/", home)], middleware=[Middleware(ConsentMiddleware, kit=KIT)])
'''

QA_TESTS = '''
import pytest
from conftest import KIT

from consentkit.ledger.stats import Day
from consentkit.testing import expect_consent, preset_consent


@pytest.mark.parametrize("consentkit_context_options", [{"extra_http_headers": {"Sec-GPC": "1"}}], indirect=True)
def test_indirect_context_options_are_honoured(consentkit_page):
    consentkit_page.goto("/")
    expect_consent(consentkit_page).to_have_gpc()
    expect_consent(consentkit_page).not_to_allow("advertising")


@pytest.mark.parametrize("consentkit_gpc", [True], indirect=True)
def test_the_gpc_fixture(consentkit_page):
    consentkit_page.goto("/")
    assert consentkit_page.evaluate("navigator.globalPrivacyControl") is True
    expect_consent(consentkit_page).to_have_gpc()
    expect_consent(consentkit_page).not_to_allow("advertising")
    expect_consent(consentkit_page).to_allow("analytics")


@pytest.mark.parametrize("consentkit_age_band", ["13_15"], indirect=True)
def test_the_age_band_fixture(consentkit_page):
    consentkit_page.goto("/")
    expect_consent(consentkit_page).to_have_age_band("13_15")
    expect_consent(consentkit_page).not_to_allow("advertising")   # a teen's sale is opt-in


def test_expect_waits_for_the_click_and_says_the_state_when_wrong(consentkit_page):
    consentkit_page.goto("/")
    expect_consent(consentkit_page).to_show_banner()
    consentkit_page.click('[data-consentkit-action="reject-all"]')
    expect_consent(consentkit_page).not_to_allow("analytics")
    expect_consent(consentkit_page).not_to_show_banner()
    with pytest.raises(AssertionError, match="expected 'analytics' to be allowed within 0.3 s; the state is"):
        expect_consent(consentkit_page, timeout=300).to_allow("analytics")


def test_decisions_are_marked_as_tests_and_left_out_of_the_stats(consentkit_context, consentkit_server):
    preset_consent(consentkit_context, consentkit_server, {"analytics": True})
    page = consentkit_context.new_page()
    page.goto("/")
    page.evaluate("consentkit.rejectAll()")
    expect_consent(page).not_to_allow("analytics")
    records = list(KIT.ledger.store.records.values())
    assert len(records) >= 3 and {r.source for r in records} == {"test"}

    day = Day(records[0].at.date())
    for record in records:
        day.add(record)
    assert day.records == 0


def test_zz_fails_and_leaves_a_screenshot_and_a_trace(consentkit_page):
    consentkit_page.goto("/")
    assert consentkit_page.title() == "Not the shop"
'''

UNMARKED_TESTS = '''
import pytest
from conftest import KIT


@pytest.fixture
def consentkit_test_token():
    return None          # a server whose token the suite does not know: nothing is marked


def test_without_a_token_decisions_are_ordinary(consentkit_page):
    consentkit_page.goto("/")
    consentkit_page.click('[data-consentkit-action="accept-all"]')
    consentkit_page.wait_for_function("consentkit.allows('analytics')")
    assert "banner" in {r.source for r in KIT.ledger.store.records.values()}
'''

NO_PLAYWRIGHT = '''
import sys

sys.modules["playwright"] = None          # as if Playwright were not installed
sys.modules["playwright.sync_api"] = None
''' + SITE

NEEDS_BROWSER = '''
def test_needs_a_browser(consentkit_page):
    pass
'''


@pytest.fixture
def qa_project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    from .test_plugin import REPO

    monkeypatch.setenv("PYTHONPATH", str(REPO))
    return pytester


def test_the_fixtures_assertions_markers_and_artifacts(qa_project: pytest.Pytester) -> None:
    qa_project.makeconftest(SITE)
    qa_project.makepyfile(test_qa=QA_TESTS, test_unmarked=UNMARKED_TESTS)
    result = qa_project.runpytest_subprocess(
        *_plugin_args(), "-v", "--consentkit-screenshot=only-on-failure", "--consentkit-tracing=retain-on-failure",
        "--consentkit-output=artifacts", timeout=300)
    result.assert_outcomes(passed=6, failed=1)
    result.stdout.fnmatch_lines(["*test_zz_fails_and_leaves_a_screenshot_and_a_trace FAILED*"])
    kept = sorted(p.relative_to(qa_project.path / "artifacts").as_posix()
                  for p in (qa_project.path / "artifacts").rglob("*") if p.is_file())
    assert kept == ["test_qa.py-test_zz_fails_and_leaves_a_screenshot_and_a_trace/screenshot-1.png",
                    "test_qa.py-test_zz_fails_and_leaves_a_screenshot_and_a_trace/trace.zip"]


def test_without_playwright_the_hint_says_what_to_install(qa_project: pytest.Pytester) -> None:
    qa_project.makeconftest(NO_PLAYWRIGHT)
    qa_project.makepyfile(test_needs=NEEDS_BROWSER)
    result = qa_project.runpytest_subprocess(*_plugin_args(), timeout=120)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*pip install 'consentkit[[]scan]'*"])
    assert "ModuleNotFoundError" not in result.stdout.str() and "halted" not in result.stdout.str()
