"""Tiny apps behind ConsentMiddleware, called in-process through httpx."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from consentkit import ConsentKit, ConsentMiddleware

PAGE = """<!doctype html><html lang="en"><head><title>Home</title></head><body>
<h1>Quotes</h1>
<script type="text/plain" data-consent="analytics" src="https://www.googletagmanager.com/gtag/js?id=G-X"></script>
<img src="https://ads.example-ads.test/p.gif" alt="">
</body></html>"""


async def home(request: Request) -> HTMLResponse:
    return HTMLResponse(PAGE)


async def whoami(request: Request) -> JSONResponse:
    consent = request.state.consent
    return JSONResponse({"analytics": consent.allows("analytics"), "visitor": consent.visitor_id})


async def tracker_cookie(request: Request) -> HTMLResponse:
    response = HTMLResponse("<p>ok</p>")
    response.set_cookie("_ga", "GA1.1.123")
    response.set_cookie("session", "abc")
    return response


def make_app(kit: ConsentKit) -> Starlette:
    routes = [Route("/", home), Route("/whoami", whoami), Route("/set", tracker_cookie)]
    return Starlette(routes=routes, middleware=[Middleware(ConsentMiddleware, kit=kit)])


def client(kit: ConsentKit, **headers: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=make_app(kit))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver", headers=headers)
