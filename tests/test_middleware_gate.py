"""The middleware polices a response's body: HTML is gated whole or streamed, with its
length corrected; encoded, event-stream, non-HTML and HEAD responses pass untouched;
the CSP nonce is found in the header or on request.state; Vary is added or merged."""

from __future__ import annotations

import gzip
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import Route

from consentkit import ConsentMiddleware

from .kits import make_policy

pytestmark = pytest.mark.anyio
ADS = b'<img src="https://ads.example-ads.test/p.gif" alt="">'
GTM = b'<script data-consent="analytics" src="https://www.googletagmanager.com/gtag/js?id=G-X"></script>'
PAGE = b"<!doctype html><html><head><title>Quote</title></head><body><p>Hello</p>" + ADS + GTM + b"</body></html>"


async def page(request: Request) -> Response:
    return HTMLResponse(PAGE, headers={"Vary": "Accept-Encoding"} if "vary" in request.query_params else None)


async def shouting(request: Request) -> Response:
    return Response(PAGE, headers={"Content-Type": "TEXT/HTML; charset=UTF-8"})


async def streamed(request: Request) -> Response:
    async def body() -> AsyncIterator[bytes]:
        for i in range(0, len(PAGE), 7):  # cut inside tags and attributes
            yield PAGE[i : i + 7]

    return StreamingResponse(body(), media_type="text/html")


async def events(request: Request) -> Response:
    return Response(b"data: " + ADS + b"\n\n", media_type="text/event-stream")


async def as_json(request: Request) -> Response:
    return Response(b'{"html": "' + ADS.replace(b'"', b"'") + b'"}', media_type="application/json")


async def with_csp(request: Request) -> Response:
    return HTMLResponse(PAGE, headers={"Content-Security-Policy": "script-src 'nonce-fromHeader123'"})


async def with_state_nonce(request: Request) -> Response:
    request.state.csp_nonce = "fromState4567"
    return HTMLResponse(PAGE)


async def with_headers(request: Request) -> Response:
    return HTMLResponse(PAGE, headers={"Link": "<https://ads.example-ads.test/t.js>; rel=preload; as=script",
                                       "Refresh": "0; url=https://ads.example-ads.test/r"})


async def utf16(request: Request) -> Response:
    return Response(b"\xff\xfe" + PAGE.decode().encode("utf-16-le"), headers={"Content-Type": "text/html"})


async def huge(request: Request) -> Response:
    return HTMLResponse(b"<p>" + b"x" * 3_000_000 + ADS)


ROUTES = [Route("/", page, methods=["GET", "HEAD"]), Route("/shout", shouting), Route("/stream", streamed),
          Route("/events", events), Route("/json", as_json), Route("/csp", with_csp),
          Route("/state-nonce", with_state_nonce), Route("/headers", with_headers), Route("/utf16", utf16),
          Route("/huge", huge)]


def client(kit, *outer: Middleware) -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    app = Starlette(routes=ROUTES, middleware=[*outer, Middleware(ConsentMiddleware, kit=kit)])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


@pytest.fixture
def kit(make_kit):  # type: ignore[no-untyped-def]
    return make_kit(make_policy("opt_in"))  # a new visitor has granted nothing


def inert(body: bytes) -> bool:
    return b'data-src="https://ads.example-ads.test/p.gif"' in body and b' src="https://ads' not in body


async def test_html_is_gated_and_its_length_corrected(kit):
    async with client(kit) as c:
        r = await c.get("/")
    assert inert(r.content)
    assert b'<script type="text/plain" data-consent="analytics" data-src=' in r.content
    assert b'id="consentkit-state"' in r.content and b"/consentkit/widget.js" in r.content
    assert int(r.headers["content-length"]) == len(r.content)
    assert r.headers["vary"] == "Cookie, Sec-GPC"


def without_state(body: bytes) -> bytes:
    """The page without the state block (a new visitor's id differs per request)."""
    return re.sub(rb'<script type="application/json" id="consentkit-state">.*?</script>', b"", body)


async def test_streamed_html_is_gated_like_the_whole_page(kit):
    async with client(kit) as c:
        whole, parts = await c.get("/"), await c.get("/stream")
    assert without_state(parts.content) == without_state(whole.content)
    assert inert(parts.content) and b'id="consentkit-state"' in parts.content
    assert "content-length" not in parts.headers  # the server chunks it


async def test_html_content_type_is_read_case_blind(kit):
    async with client(kit) as c:
        r = await c.get("/shout")
    assert inert(r.content) and int(r.headers["content-length"]) == len(r.content)


@pytest.mark.parametrize("path", ["/events", "/json"])
async def test_event_streams_and_other_types_pass_untouched(kit, path):
    async with client(kit) as c:
        r = await c.get(path)
    assert b'<img src="https://ads.example-ads.test/p.gif"' in r.content or b"<img src='https://ads" in r.content
    assert b"consentkit-state" not in r.content


async def precompressed(request: Request) -> Response:
    return Response(gzip.compress(PAGE), headers={"Content-Type": "text/html", "Content-Encoding": "gzip"})


async def test_html_encoded_regardless_of_accept_encoding_passes_with_a_warning(kit, caplog):
    """A body the app compressed although asked for identity cannot be read: it
    passes as it is (never re-encoded), and the log says so once."""
    app = Starlette(routes=[Route("/gz", precompressed)], middleware=[Middleware(ConsentMiddleware, kit=kit)])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        with caplog.at_level("WARNING", logger="consentkit"):
            first, second = await c.get("/gz"), await c.get("/gz")
    assert first.headers["content-encoding"] == "gzip" and first.content == second.content == PAGE
    assert "Cookie" not in first.headers.get("vary", "")
    assert len([r for r in caplog.records if "went out ungated" in r.getMessage()]) == 1


async def test_gzip_outside_compresses_the_gated_page(kit):
    async with client(kit, Middleware(GZipMiddleware, minimum_size=10)) as c:
        r = await c.get("/", headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip" and inert(r.content)


async def test_head_passes_untouched(kit):
    async with client(kit) as c:
        r = await c.head("/")
    assert r.content == b"" and int(r.headers["content-length"]) == len(PAGE)


@pytest.mark.parametrize(("path", "nonce"), [("/csp", "fromHeader123"), ("/state-nonce", "fromState4567")])
async def test_nonce_from_the_header_or_request_state(make_kit, path, nonce):
    policy = make_policy("opt_in")
    # The gate signs a script the app did not sign only from the policy's nonce_sources (#13 M2).
    object.__setattr__(policy, "nonce_sources", ("https://www.googletagmanager.com/gtag/js",))
    kit = make_kit(policy)
    async with client(kit) as c:
        await c.post("/consentkit/consent", json={"choices": {"analytics": True}, "source": "banner"},
                     headers={"Origin": "http://testserver"})
        r = await c.get(path)
    html = r.content
    assert b'<script src="/consentkit/widget.js' in html
    assert html.count(f'nonce="{nonce}"'.encode()) >= 3  # state, widget script, the live gtag script
    assert b'<script nonce="' + nonce.encode() + b'" data-consent="analytics" src="https://www.googletagmanager' in html


async def test_vary_is_merged_with_the_apps(kit):
    async with client(kit) as c:
        r = await c.get("/?vary=1")
    assert r.headers["vary"] == "Accept-Encoding, Cookie, Sec-GPC"



async def test_link_preload_and_refresh_headers_are_gated(kit):
    async with client(kit) as c:
        r = await c.get("/headers")
    assert "link" not in r.headers and "refresh" not in r.headers and inert(r.content)


async def test_a_utf16_page_is_gated_and_served_as_utf8(kit):
    async with client(kit) as c:
        r = await c.get("/utf16")
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert inert(r.content) and int(r.headers["content-length"]) == len(r.content)


async def test_a_large_body_is_gated_in_slices_that_yield(kit, monkeypatch):
    import anyio.lowlevel

    yields = 0
    real = anyio.lowlevel.checkpoint

    async def counted() -> None:
        nonlocal yields
        yields += 1
        await real()

    monkeypatch.setattr(anyio.lowlevel, "checkpoint", counted)
    async with client(kit) as c:
        r = await c.get("/huge")
    assert inert(r.content) and yields >= 3_000_000 // (256 * 1024)
