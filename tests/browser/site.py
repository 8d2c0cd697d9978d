"""The browser tests' site: a small Starlette site behind ``ConsentMiddleware``,
one per policy variant (``make_site``); ``tests/browser/conftest.py`` serves them.

Its gated tags load from ``analytics.localhost`` and ``ads.localhost`` on the same
port: Chromium resolves every ``*.localhost`` to the loopback, so the "third
parties" are this server under other host names, and the network log tells them
apart by host.
"""

from __future__ import annotations

import secrets

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from consentkit import Category, ConsentKit, ConsentMiddleware, Policy, Service
from consentkit.tags import recaptcha

SECRET = "browser-test-secret-0123456789"
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
        privacy_url="/privacy",
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
