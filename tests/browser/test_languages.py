"""The banner's language in Chromium (issue 19): the page's <html lang>, else the
browser's, else the policy's; category labels from the policy's tables."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import BrowserContext, expect
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from consentkit import Category, ConsentKit, ConsentMiddleware, Policy
from consentkit.testing import LiveServer, serve

pytestmark = pytest.mark.browser

POLICY = Policy(
    version="2026-11-01",
    mode="opt_in",
    language="es",
    categories=[
        Category("necessary", required=True, label={"en": "Necessary", "es": "Necesarias", "vi": "Cần thiết"}),
        Category("analytics", label={"en": "Analytics", "es": "Analítica", "vi": "Phân tích", "ko": "분석"}),
    ],
)


async def home(request: Request) -> HTMLResponse:
    lang = request.query_params.get("lang")
    attribute = f' lang="{lang}"' if lang else ""
    return HTMLResponse(f'<!doctype html><html{attribute}><head><meta charset="utf-8"><title>t</title></head>'
                        "<body><h1>Hi</h1></body></html>")


@pytest.fixture(scope="module")
def site() -> Iterator[LiveServer]:
    kit = ConsentKit(POLICY, secret_keys=["languages-test-secret-0123"], store="memory://")
    app = Starlette(routes=[Route("/", home)], middleware=[Middleware(ConsentMiddleware, kit=kit)])
    with serve(app) as server:
        yield server


@pytest.mark.parametrize(("locale", "path", "title", "reject", "label"), [
    ("vi-VN", "/", "Lựa chọn quyền riêng tư của bạn", "Từ chối tất cả", "Phân tích"),   # the browser's
    ("vi-VN", "/?lang=ko", "개인정보 선택", "모두 거부", "분석"),                              # the page's wins
    ("ja-JP", "/", "Sus opciones de privacidad", "Rechazar todo", "Analítica"),          # the policy's
    ("ja-JP", "/?lang=de", "Ihre Datenschutzoptionen", "Alle ablehnen", "Analítica"),     # label: policy's
])
def test_the_banner_speaks_the_first_language_on_offer(
    site: LiveServer, new_context: Callable[..., BrowserContext], locale: str, path: str, title: str, reject: str,
    label: str,
) -> None:
    page = new_context(locale=locale).new_page()
    page.goto(site.url + path)
    expect(page.locator("#consentkit-banner h2")).to_have_text(title)
    expect(page.locator('#consentkit-banner [data-consentkit-action="reject-all"]')).to_have_text(reject)
    page.click('[data-consentkit-action="preferences"]')
    expect(page.locator("#consentkit-preferences .ck-cat").nth(1)).to_contain_text(label)
