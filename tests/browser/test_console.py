"""The admin console in Chromium: sign in with a password and with TOTP, read the
dashboard of a ledger of 100,000 decisions whose figures are counted here
independently (tests/admin/mix.py), its CSV, find a receipt, sign out; session
expiry, CSRF, lockout; axe and the keyboard; screenshots in both themes and on a
phone (under test-results/console/, not committed)."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import HTMLResponse
from starlette.routing import Route

from consentkit import Admin, ConsentKit, ConsentMiddleware
from consentkit.ledger.sqlite import SqliteStore
from consentkit.scan.findings import Finding
from consentkit.testing import LiveServer, serve
from tests.admin.console import PASSWORD, accounts, scan_report, totp_code
from tests.admin.mix import Mix, expected, make_mix
from tests.kits import SECRET, Clock, make_policy

pytestmark = pytest.mark.browser

ADMIN = "/consentkit/admin"
SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "console"


class Console:
    def __init__(self, server: LiveServer, kit: ConsentKit, clock: Clock, mix: Mix, secret: str) -> None:
        self.server, self.kit, self.clock, self.mix, self.secret = server, kit, clock, mix, secret

    def url(self, path: str = "/") -> str:
        return self.server.url + ADMIN + path


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    tmp = tmp_path_factory.mktemp("console")
    clock = Clock()
    mix = make_mix(100_000, clock())

    async def fill() -> None:
        store = SqliteStore(tmp / "ledger.db")
        await store.open()
        await store.append_many(mix.records)
        await store.close()

    asyncio.run(fill())
    users, secret = accounts(tmp)
    reports = tmp / "scan-reports"
    reports.mkdir()
    late = Finding("reject-all", "set-after-reject", "_ga", "analytics", "_ga was set after Reject all")
    (reports / "home.json").write_text(scan_report("https://shop.example/", "2026-12-01T10:00:00Z", (late,)))
    kit = ConsentKit(make_policy(), secret_keys=[SECRET], store=f"sqlite:///{tmp}/ledger.db", clock=clock,
                     admin=Admin(users=users, max_failures=3, scan_reports=reports,
                                 policy_history=[make_policy("opt_in", version="2026-06-01")]))

    async def home(request: Any) -> HTMLResponse:
        return HTMLResponse("<!doctype html><title>site</title><p>site")

    app = Starlette(routes=[Route("/", home)], middleware=[Middleware(ConsentMiddleware, kit=kit)])
    with serve(app) as server:
        yield Console(server, kit, clock, mix, secret)


def sign_in(page: Page, console: Console, name: str = "ana", password: str = PASSWORD, code: str = "") -> None:
    page.goto(console.url("/"))
    expect(page).to_have_url(console.url("/login?next=/consentkit/admin/"))
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(password)
    if code:
        page.get_by_label("Authenticator code").fill(code)
    page.get_by_role("button", name="Sign in").click()


def table(page: Page, chart: str) -> list[dict[str, str]]:
    rows = page.locator(f"#table-{chart} tr").all()
    header = [c.text_content() or "" for c in rows[0].locator("th").all()]
    return [dict(zip(header, [c.text_content() or "" for c in row.locator("th, td").all()], strict=True))
            for row in rows[1:]]


def test_sign_in_read_the_dashboard_find_a_receipt_sign_out(console: Console, page: Page) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, console)
    expect(page.get_by_role("heading", name="Consent dashboard")).to_be_visible()
    expect(page.locator("[data-total]")).to_have_text("100,000")
    want = expected(console.mix)
    shown = table(page, "outcomes")
    assert len(shown) == 30
    for row in shown:
        day = want[row["period"]]["outcomes"]
        assert {k: int(row[k]) for k in ("accepted_all", "rejected_all", "customised", "opt_out_signal")} == \
            {k: day[k] for k in ("accepted_all", "rejected_all", "customised", "opt_out_signal")}
    for row in table(page, "categories"):
        day = want[row["period"]]
        assert int(row["analytics granted"]) == day["granted"]["analytics"]
        assert float(row["analytics %"]) == pytest.approx(100 * day["granted"]["analytics"] / day["decided"]["analytics"],
                                                          abs=0.05)
    # The chart draws the same numbers: one bar per day and series, titled with its count.
    first = shown[0]
    title = page.locator("#figure-outcomes svg rect title").first.text_content()
    assert title == f"{first['period']} accepted_all: {int(first['accepted_all']):,}"
    # The CSV is the table.
    with page.expect_download() as download:
        page.locator("#figure-outcomes a[download]").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert [{k: r[k] for k in ("period", "accepted_all", "total")} for r in rows] == \
        [{k: s[k] for k in ("period", "accepted_all", "total")} for s in shown]
    # Weekly, without JavaScript's help: the form is a plain GET.
    page.get_by_label("Group by").select_option("week")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"per=week"))
    assert sum(int(r["total"]) for r in table(page, "outcomes")) == 100_000

    receipt = console.mix.records[12_345]
    page.get_by_role("link", name="Receipts").click()
    page.get_by_label("Receipt id or visitor id").fill(receipt.receipt_id)
    page.get_by_role("button", name="Find").click()
    expect(page.locator("[data-visitor]")).to_have_text(receipt.visitor_id)
    page.get_by_role("link", name=receipt.receipt_id).click()
    expect(page.locator("[data-receipt-id]")).to_have_text(receipt.receipt_id)
    expect(page.get_by_role("button", name="Print")).to_be_visible()  # the nonce'd script ran
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to the consent console")).to_be_visible()
    page.goto(console.url("/"))
    expect(page).to_have_url(re.compile(r"/login"))
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_totp_sign_in(console: Console, page: Page) -> None:
    sign_in(page, console, "tom")
    expect(page.get_by_role("alert")).to_contain_text("not right")
    console.clock.advance(seconds=30)  # a fresh code for this test (each is good once)
    sign_in(page, console, "tom", code=totp_code(console.secret, console.kit))
    expect(page.get_by_role("heading", name="Consent dashboard")).to_be_visible()


def test_session_expires(console: Console, page: Page) -> None:
    sign_in(page, console, "olga")
    expect(page.get_by_role("heading", name="Consent dashboard")).to_be_visible()
    console.clock.advance(minutes=31)
    page.goto(console.url("/receipts"))
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_csrf_refused(console: Console, page: Page) -> None:
    sign_in(page, console, "olga")
    expect(page.get_by_role("heading", name="Consent dashboard")).to_be_visible()
    page.locator("input[name=csrf]").first.evaluate("input => input.value = 'forged'")
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("body")).to_contain_text("token")
    page.goto(console.url("/"))
    expect(page.get_by_role("heading", name="Consent dashboard")).to_be_visible()  # still signed in


def test_lockout(console: Console, page: Page) -> None:
    for _ in range(3):
        sign_in(page, console, "ana", "wrong wrong wrong")
        expect(page.get_by_role("alert")).to_contain_text("not right")
    sign_in(page, console, "ana")
    expect(page.get_by_role("alert")).to_contain_text("locked")
    console.clock.advance(minutes=16)


def _serious(results: Any) -> list[str]:
    return [f"{v['id']}: {v['help']}" for v in results.response["violations"]
            if v.get("impact") in ("serious", "critical")]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_keyboard_and_screenshots(console: Console, new_context: Any, scheme: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = new_context(color_scheme=scheme).new_page()
    page.goto(console.url("/login"))
    assert _serious(Axe().run(page)) == []
    # Keyboard only: the fields and the button in order.
    page.keyboard.press("Tab")
    page.keyboard.type("olga")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Consent dashboard")).to_be_visible()
    assert _serious(Axe().run(page)) == []
    page.screenshot(path=SHOTS / f"dashboard-{scheme}.png", full_page=True)
    page.locator("#figure-outcomes details summary").click()  # the table under the chart opens
    expect(page.locator("#table-outcomes")).to_be_visible()
    page.screenshot(path=SHOTS / f"dashboard-{scheme}-top.png")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == ("rgb(255, 255, 255)" if scheme == "light" else "rgb(31, 31, 31)")
    for path in ("/receipts", "/requests", "/parental", "/export", "/policy", "/policy?compare=2026-06-01", "/audit",
                 "/scans", "/scans/home.json"):
        page.goto(console.url(path))
        assert _serious(Axe().run(page)) == [], path


def test_phone(console: Console, new_context: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True).new_page()
    sign_in(page, console, "ana")
    expect(page.get_by_role("heading", name="Consent dashboard")).to_be_visible()
    # Nothing wider than the screen but the tables' own scrolling boxes.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=SHOTS / "dashboard-phone.png", full_page=True)
