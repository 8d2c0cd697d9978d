"""GZip before or after ConsentMiddleware, in Starlette's ``middleware=[...]`` and
FastAPI's ``add_middleware`` (the last call outermost): the HTML is gated either
way, compressed either way when the client accepts gzip, and the log says once
what ConsentMiddleware did when it found GZip inside it."""

from __future__ import annotations

import gzip
import logging

import httpx
import pytest
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from consentkit import ConsentMiddleware
from consentkit.testing.server import serve

from .kits import make_policy

pytestmark = pytest.mark.anyio

ADS = '<img src="https://ads.example-ads.test/p.gif" alt="">'
PAGE = "<!doctype html><html><head><title>Quote</title></head><body>" + "<p>Quotes for you.</p>" * 40 + ADS + "</body></html>"
ROWS = [{"plan": f"plan {i}", "price": i * 10} for i in range(100)]


async def home(request: Request) -> Response:
    return HTMLResponse(PAGE)


async def rows(request: Request) -> Response:
    return JSONResponse(ROWS)


def starlette_app(kit, gzip_outside: bool) -> Starlette:
    gz, ck = Middleware(GZipMiddleware, minimum_size=100), Middleware(ConsentMiddleware, kit=kit)
    return Starlette(routes=[Route("/", home), Route("/rows", rows)], middleware=[gz, ck] if gzip_outside else [ck, gz])


def fastapi_app(kit, gzip_outside: bool) -> FastAPI:
    app = FastAPI()
    app.add_route("/", home)
    app.add_route("/rows", rows)
    calls = [(ConsentMiddleware, {"kit": kit}), (GZipMiddleware, {"minimum_size": 100})]
    for cls, options in calls if gzip_outside else reversed(calls):  # the last call is outermost
        app.add_middleware(cls, **options)
    return app


SETUPS = [(starlette_app, True), (starlette_app, False), (fastapi_app, True), (fastapi_app, False)]
IDS = ["middleware-list-gzip-first", "middleware-list-gzip-last", "add_middleware-gzip-last",
       "add_middleware-gzip-first"]


@pytest.fixture
def kit(make_kit):
    return make_kit(make_policy("opt_in"))  # nothing granted to a new visitor


def gated(html: str) -> bool:
    return 'data-src="https://ads.example-ads.test/p.gif"' in html and ' src="https://ads' not in html \
        and 'id="consentkit-state"' in html


@pytest.mark.parametrize(("build", "gzip_outside"), SETUPS, ids=IDS)
async def test_gated_and_compressed_in_either_order(kit, caplog, build, gzip_outside):
    app = build(kit, gzip_outside)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        with caplog.at_level(logging.INFO, logger="consentkit"):
            zipped = await c.get("/", headers={"Accept-Encoding": "gzip"})
            plain = await c.get("/", headers={"Accept-Encoding": "identity"})
            data = await c.get("/rows", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip" and gated(zipped.text)
    assert int(zipped.headers["content-length"]) < len(zipped.text)
    assert "Accept-Encoding" in zipped.headers["vary"] and "Cookie" in zipped.headers["vary"]
    assert "content-encoding" not in plain.headers and gated(plain.text)
    assert data.headers["content-encoding"] == "gzip" and data.json() == ROWS  # the app's other answers too
    said = [r.getMessage() for r in caplog.records if "GZipMiddleware is inside it" in r.getMessage()]
    assert len(said) == (0 if gzip_outside else 1)


async def test_endpoints_compressed_when_gzip_is_inside(kit):
    """With GZip inside, consentkit's own answers go through the compression it
    took over (with GZip outside, that GZip compresses them)."""
    app = starlette_app(kit, gzip_outside=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        r = await c.get("/consentkit/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip" and r.json()["openapi"].startswith("3.")


@pytest.mark.parametrize("gzip_outside", [True, False], ids=["gzip-outside", "gzip-inside"])
def test_on_a_real_server(kit, gzip_outside):
    """Through uvicorn, bytes as a browser gets them: one gzip layer, gated inside."""
    with serve(starlette_app(kit, gzip_outside)) as server, httpx.Client(base_url=server.url) as c, \
            c.stream("GET", "/", headers={"Accept-Encoding": "gzip"}) as r:
        raw = b"".join(r.iter_raw())
    assert r.headers["content-encoding"] == "gzip"
    assert gated(gzip.decompress(raw).decode())
