"""The app ``benchmarks/load.py`` serves: the demo's policy, one HTML page with gated
tags, and (with the middleware on) the consent endpoints, on the ledger named by the
environment. Run by uvicorn as a factory in each worker process:

    uvicorn --factory --app-dir benchmarks load_app:create_app

Environment: ``CONSENTKIT_BENCH_MIDDLEWARE`` (``1`` or ``0``), ``CONSENTKIT_BENCH_STORE``
(the ledger URL), ``CONSENTKIT_BENCH_SPOOL`` (the spool directory),
``CONSENTKIT_BENCH_SECRET`` and ``CONSENTKIT_BENCH_PAGE_MEMO`` (the middleware's
``page_memo_bytes``; 0 turns the page memo off). The same page is served with the middleware on or off,
so that the two servers differ only by it.
"""

from __future__ import annotations

import os

from jinja2 import Environment
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from consentkit import ConsentKit, ConsentMiddleware
from demo_site.app import load_policy

PLANS = [
    {"name": name, "summary": f"Plan {name}: premiums, deductibles and the network of doctors near you. "
                              "Preventive care is covered in full; see the summary of benefits for details."}
    for name in ("Bronze", "Silver", "Gold", "Platinum")
]
# A page of the shape of a real one (2.5 KB of HTML; the middleware adds under 1 KB of state
# and widget tags), rendered from a template on every request as a real site's pages
# are: styles, navigation, content, a form, and the third-party tags a marketing team
# adds, some marked, one not.
TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<link rel="stylesheet" href="/static/site.css">
<script type="text/plain" data-consent="analytics" src="https://www.googletagmanager.com/gtag/js?id=G-BENCH"></script>
<script type="text/plain" data-consent="analytics">window.dataLayer=window.dataLayer||[];gtag('js',new Date());</script>
</head><body>
<header><nav><a href="/">Example Health</a> <a href="/quote">Get a quote</a> <a href="/privacy">Privacy</a></nav></header>
<main>
<section class="hero"><h1>{{ title }}</h1>
<p class="lead">Plans for individuals and families in every state we serve. Get a quote in a minute: no account,
no cookies needed.</p></section>
<section class="plans"><h2>Our plans</h2><ul class="plan-list">
{% for plan in plans %}<li class="plan"><h3>{{ plan.name }}</h3><p>{{ plan.summary }}</p>
<img src="/static/{{ plan.name | lower }}.png" alt="" width="64" height="64"></li>
{% endfor %}</ul></section>
<form action="/quote" method="get"><label>ZIP code <input name="zip" inputmode="numeric"></label>
<label>Age <input name="age" inputmode="numeric"></label><button>Get a quote</button></form>
<iframe data-consent="captcha" data-src="https://www.google.com/recaptcha/api2/anchor?k=bench" title="reCAPTCHA"></iframe>
</main>
<footer><p>Example Health Insurance Company. <a href="/consentkit/do-not-sell">Do Not Sell or Share My Personal
Information</a></p></footer>
<img src="https://pixel.localhost/p.gif?page=home" width="1" height="1" alt="">
<script src="https://www.google-analytics.com/analytics.js" async></script>
</body></html>"""
_page = Environment(autoescape=True).from_string(TEMPLATE)


async def home(request: Request) -> HTMLResponse:
    return HTMLResponse(_page.render(title="Health insurance that respects your privacy", plans=PLANS))


def create_app() -> Starlette:
    """The benchmark's app, configured from the environment (see the module docstring)."""
    middleware = []
    if os.environ.get("CONSENTKIT_BENCH_MIDDLEWARE", "1") == "1":
        kit = ConsentKit(
            load_policy(),
            secret_keys=[os.environ.get("CONSENTKIT_BENCH_SECRET", "load-benchmark-secret-0123456789")],
            store=os.environ.get("CONSENTKIT_BENCH_STORE", "memory://"),
            spool_dir=os.environ.get("CONSENTKIT_BENCH_SPOOL") or None,
        )
        memo = os.environ.get("CONSENTKIT_BENCH_PAGE_MEMO")  # bytes; 0 turns the page memo off
        options = {} if memo is None else {"page_memo_bytes": int(memo)}
        middleware.append(Middleware(ConsentMiddleware, kit=kit, **options))
    return Starlette(routes=[Route("/", home)], middleware=middleware)
