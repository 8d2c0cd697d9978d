"""Real servers and one Chromium for the widget's browser tests.

A small Starlette site behind ``ConsentMiddleware`` runs in uvicorn in a thread,
one server per policy variant, started on first use. Its gated tags load from
``analytics.localhost`` and ``ads.localhost`` on the same port: Chromium resolves
every ``*.localhost`` to the loopback, so the "third parties" are this server under
other host names, and the network log tells them apart by host.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from consentkit import Category, ConsentKit, ConsentMiddleware, Policy, Service
from consentkit.tags import recaptcha

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SECRET = "browser-test-secret-0123456789"
_OUTSIDE = re.compile(r"^https?://(?!127\.0\.0\.1[:/]|localhost[:/]|[a-z0-9-]+\.localhost[:/])")
IE11 = "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko"
GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")
# What the gated analytics script does when it runs: a first-party cookie, a storage
# key and a counter the tests read.
TRACKER_JS = ("window.analyticsRuns=(window.analyticsRuns||0)+1;window.order=(window.order||[]).concat('external');"
              "document.cookie='_ga=GA1.1.42;path=/';document.cookie='_ga_XYZ=GS1;path=/';"
              "try{localStorage.setItem('ga_client','42')}catch(e){}")


def site_policy(mode: str, age_gate: bool, mapped: bool = False) -> Policy:
    return Policy(
        version="2026-11-01",
        mode=mode,
        age_gate=age_gate,
        # The site's own Consent Mode mapping, when asked for: analytics also personalises.
        consent_mode={"analytics": ["analytics_storage", "personalization_storage"]} if mapped else None,
        categories=[
            Category("necessary", required=True, label="Necessary",
                     description="Keeps the site working and secure."),
            Category("analytics", label="Analytics", description="Counts visits to improve the site.", services=[
                Service("web-analytics", vendor="Example Analytics", hosts=["analytics.localhost"],
                        cookies={"_ga": "2 years", "_ga_*": "2 years"}, local_storage=["ga_*"]),
            ]),
            Category("captcha", label="Spam protection", services=[
                Service("recaptcha", vendor="Google", hosts=["www.google.com/recaptcha"]),
            ]),
            Category("advertising", sale_or_sharing=True, label="Advertising", services=[
                Service("ads", vendor="Example Ads", hosts=["ads.localhost"], cookies={"_ads": "13 months"}),
            ]),
        ],
    )


def _page_html(request: Request, *, lang: str = "en", nonce: str | None = None, extra: str = "") -> str:
    port = request.url.port
    nonce_attr = f' nonce="{nonce}"' if nonce else ""
    inline = "" if nonce else (
        "<script type=\"text/plain\" data-consent=\"analytics\">"
        "window.inlineRuns=(window.inlineRuns||0)+1;window.order=(window.order||[]).concat('inline')</script>"
    )
    # The strict-CSP page allows images from 'self' only: it carries no third-party pixel.
    ad_pixel = "" if nonce else (
        f'<img data-consent="advertising" data-src="http://ads.localhost:{port}/p.gif" width="1" height="1" alt="">'
    )
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Quotes</title></head>
<body><header><p>Example Insurance</p></header>
<main><h1>Get a quote</h1><p>Tell us about your home.</p>
<form action="/" method="get"><label>Postcode <input name="postcode"></label> <button>Go</button></form>
{recaptcha("captcha", granted=False, sitekey="test")}
{extra}
</main>
<script type="text/plain" data-consent="analytics" src="http://analytics.localhost:{port}/a.js"{nonce_attr}></script>
{inline}
{ad_pixel}
</body></html>"""


async def home(request: Request) -> HTMLResponse:
    return HTMLResponse(_page_html(request, lang=request.query_params.get("lang", "en")))


async def with_link(request: Request) -> HTMLResponse:
    link = ('<p><a href="/consentkit/do-not-sell" data-consentkit-action="do-not-sell">'
            "Do Not Sell or Share My Personal Information</a></p>")
    return HTMLResponse(_page_html(request, extra=link))


async def strict_csp(request: Request) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    csp = f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'"
    html = _page_html(request, nonce=nonce)
    return HTMLResponse(html, headers={"Content-Security-Policy": csp})


async def reflect(request: Request) -> HTMLResponse:
    """An app page with an HTML injection: ``?q=`` goes into the page unescaped (under
    the strict nonce CSP with ``?csp=1``)."""
    markup = request.query_params.get("q", "")
    if request.query_params.get("csp") != "1":
        return HTMLResponse(_page_html(request, extra=markup))
    nonce = secrets.token_urlsafe(16)
    csp = f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'"
    return HTMLResponse(_page_html(request, nonce=nonce, extra=markup), headers={"Content-Security-Policy": csp})


async def tracker(request: Request) -> Response:
    return Response(TRACKER_JS, media_type="text/javascript", headers={"Cache-Control": "no-store"})


async def pixel(request: Request) -> Response:
    return Response(GIF, media_type="image/gif", headers={"Cache-Control": "no-store"})


def make_site(mode: str, age_gate: bool, mapped: bool = False) -> Starlette:
    kit = ConsentKit(site_policy(mode, age_gate, mapped), secret_keys=[SECRET], store="memory://")
    routes = [Route("/", home), Route("/with-link", with_link), Route("/csp", strict_csp), Route("/reflect", reflect),
              Route("/a.js", tracker), Route("/p.gif", pixel)]
    return Starlette(routes=routes, middleware=[Middleware(ConsentMiddleware, kit=kit)])


class LiveServer:
    """uvicorn serving an app on a free loopback port, in a daemon thread."""

    def __init__(self, app: Any) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        self.port: int = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def sites() -> Iterator[Callable[..., LiveServer]]:
    """``sites(mode="opt_out", age_gate=False, mapped=False)``: the live site for that policy."""
    running: dict[tuple[str, bool, bool], LiveServer] = {}

    def get(mode: str = "opt_out", age_gate: bool = False, mapped: bool = False) -> LiveServer:
        key = (mode, age_gate, mapped)
        if key not in running:
            running[key] = LiveServer(make_site(mode, age_gate, mapped))
        return running[key]

    yield get
    for server in running.values():
        server.stop()


# Module scope, not session: the sync API keeps its asyncio loop marked as running in
# the main thread while it is open, which breaks every anyio test that runs after it.
@pytest.fixture(scope="module")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """A fresh browser profile per call (no cookies), closed after the test."""
    opened: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        options.setdefault("viewport", {"width": 1280, "height": 720})
        context = browser.new_context(**options)
        # The sandbox has no internet: fail real third parties at once (still logged as requests).
        context.route(_OUTSIDE, lambda route: route.abort())
        opened.append(context)
        return context

    yield make
    for context in opened:
        context.close()


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    return new_context().new_page()
