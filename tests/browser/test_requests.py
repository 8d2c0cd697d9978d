"""Privacy requests end to end on the demo, in real Chromium on a real uvicorn
server: a visitor signs up, asks for access with JavaScript and another without,
reads the code in the development outbox, verifies, and downloads a package that
holds the demo's sign-up data about them and their consent records; a deletion
removes both (the ledger keeps only the proof the law requires) and tells a
service provider's webhook."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from consentkit.requests import WebhookSource
from consentkit.testing import LiveServer, serve
from demo_site import create_app
from tests.requests.flow import Provider

pytestmark = pytest.mark.browser

SECRET = "demo-browser-secret-0123456789abcdef"
CODE = re.compile(r"^[ \t]+(\d{8})\s*$", re.MULTILINE)


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    server = Provider()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, provider: Provider) -> Iterator[tuple[LiveServer, Any]]:
    db = tmp_path_factory.mktemp("requests") / "ledger.db"
    app = create_app(f"sqlite:///{db}", mode="opt_out", secret_keys=[SECRET])
    app.state.kit.requests.add_source(WebhookSource("mailer", provider.url, "webhook-secret-0123456789").source())
    server = serve(app)
    yield server, app
    server.stop()


def outbox_message(page: Page, base: str, to: str, containing: str) -> str:
    """The newest message to ``to`` in the demo's outbox whose body has ``containing``."""
    page.goto(base + "/dev/outbox")
    bodies = [m.locator(".outbox-body").inner_text() for m in page.locator(".outbox-message").all()
              if m.locator(".outbox-to").inner_text() == to]
    found = [b for b in bodies if containing in b]
    assert found, f"no message to {to} with {containing!r}"
    return found[-1]


def ask(page: Page, base: str, kind: str, email: str) -> str:
    """Fill the request form (a plain HTML form) and send it; the request's id."""
    page.goto(base + "/")
    page.click("#privacy-requests-link")
    expect(page).to_have_url(base + "/consentkit/requests")
    page.check(f'input[name="type"][value="{kind}"]')
    page.fill('input[name="contact"]', email)
    page.click('[data-consentkit-action="request-submit"]')
    expect(page.locator("#request-status")).to_have_attribute("data-status", "received")
    return page.locator("#request-id").inner_text()


def verify(page: Page, base: str, request_id: str, email: str, *, declaration: bool) -> None:
    body = outbox_message(page, base, email, request_id)
    code = CODE.search(body).group(1)  # type: ignore[union-attr]
    page.goto(f"{base}/consentkit/requests/{request_id}")
    page.fill('input[name="code"]', code)
    if declaration:
        page.check('input[name="declaration"]')
    page.click('[data-consentkit-action="request-verify"]')
    expect(page.locator("#request-status")).to_have_attribute("data-status", "fulfilled")


def download(page: Page, base: str, email: str, request_id: str) -> dict[str, Any]:
    answer = outbox_message(page, base, email, f"request {request_id}")
    link = re.search(r"http://\S+/consentkit/requests/download/\S+", answer).group(0)  # type: ignore[union-attr]
    page.goto(link)
    with page.expect_download() as started:
        page.click('[data-consentkit-action="request-download"]')
    path = started.value.path()
    archive = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    assert {"data.json", "signups.csv", "consentkit.csv"} <= set(archive.namelist())
    # The link works once.
    page.goto(link)
    again = page.request.post(link)
    assert again.status == 404
    data: dict[str, Any] = json.loads(archive.read("data.json"))
    return data


def test_access_then_deletion_with_javascript(demo: tuple[LiveServer, Any], new_context: Callable[..., BrowserContext],
                                              provider: Provider) -> None:
    server, app = demo
    base = server.url.rstrip("/")
    page = new_context(base_url=base).new_page()
    page.goto(base + "/")
    page.click('#consentkit-banner [data-consentkit-action="accept-all"]')
    expect(page.locator("#consentkit-banner")).to_be_hidden()
    page.goto(base + "/signup")
    page.fill("#email", "pat@example.test")
    page.fill("#password", "correct horse battery")
    page.select_option("#signup-birth-month", "1")
    page.fill("#signup-birth-year", str(page.evaluate("new Date().getFullYear()") - 30))
    page.click('#signup-form button[type="submit"]')
    expect(page.locator("#signup-outcome")).to_have_attribute("data-band", "16_plus")
    visitor = page.context.request.get(base + "/consentkit/state").json()["visitor_id"]

    request_id = ask(page, base, "access", "pat@example.test")
    verify(page, base, request_id, "pat@example.test", declaration=True)
    data = download(page, base, "pat@example.test", request_id)
    assert data["request_id"] == request_id
    assert data["sources"]["signups"]["email"] == "pat@example.test"
    receipts = data["sources"]["consentkit"]
    assert receipts and {r["piiPrincipalId"] for r in receipts} == {visitor}

    deletion = ask(page, base, "delete", "pat@example.test")
    verify(page, base, deletion, "pat@example.test", declaration=False)
    assert "pat@example.test" not in app.state.accounts.rows
    left = page.context.request.get(base + "/consentkit/receipts").json()["receipts"]
    assert all(r.get("recordKind") == "proof" for r in left)  # only the proof the law requires, if any
    [event] = [json.loads(body) for _, body in provider.posts if json.loads(body)["request_id"] == deletion]
    assert event["event"] == "delete" and event["subject"]["email"] == "pat@example.test"


def test_access_without_javascript(demo: tuple[LiveServer, Any], new_context: Callable[..., BrowserContext]) -> None:
    server, app = demo
    base = server.url.rstrip("/")
    app.state.accounts.add("noscript@example.test", "16_plus")
    page = new_context(base_url=base, java_script_enabled=False).new_page()
    request_id = ask(page, base, "access", "noscript@example.test")
    verify(page, base, request_id, "noscript@example.test", declaration=True)
    data = download(page, base, "noscript@example.test", request_id)
    assert data["sources"]["signups"]["email"] == "noscript@example.test"
    assert "pat@example.test" not in json.dumps(data)  # another visitor's data never reaches this package
