"""Which responses carry the consent cookie (issue 13, Info and L5): never one a
shared cache may store (a static file, an explicitly public page) nor a HEAD
answer, an error or a response that is no page; ``Vary`` and ``private`` wherever
it is sent. A GPC decision is recorded with the cookie that keeps it, so a request
that cannot set one records nothing."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from consentkit import ConsentKit, ConsentMiddleware

pytestmark = pytest.mark.anyio
GPC = {"Sec-GPC": "1"}


async def page(request: Request) -> HTMLResponse:
    return HTMLResponse("<!doctype html><title>p</title><p>page</p>")


async def public_page(request: Request) -> HTMLResponse:
    return HTMLResponse("<!doctype html><p>cached</p>", headers={"Cache-Control": "public, max-age=600"})


async def private_page(request: Request) -> HTMLResponse:
    return HTMLResponse("<!doctype html><p>mine</p>", headers={"Cache-Control": "no-cache"})


async def api(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


def _client(kit: ConsentKit, tmp_path: Path) -> httpx.AsyncClient:
    (tmp_path / "app.js").write_text("console.log(1)")
    app = Starlette(
        routes=[Route("/", page), Route("/public", public_page), Route("/private", private_page), Route("/api", api),
                Mount("/static", StaticFiles(directory=tmp_path))],
        middleware=[Middleware(ConsentMiddleware, kit=kit)],
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def _records(kit: ConsentKit) -> int:
    return len([r async for r in kit.ledger.store.iter_records()])


def _consent(response: httpx.Response) -> list[str]:
    return [v for v in response.headers.get_list("set-cookie") if v.startswith("consentkit=")]


async def test_a_page_gets_the_cookie_with_vary_and_private(make_kit, tmp_path):
    kit = make_kit()
    async with _client(kit, tmp_path) as c:
        r = await c.get("/", headers=GPC)
    assert _consent(r)
    assert {"Cookie", "Sec-GPC"} <= {v.strip() for v in r.headers["vary"].split(",")}
    assert r.headers["cache-control"] == "private"
    assert await _records(kit) == 1


async def test_a_page_that_says_no_cache_stays_no_cache_and_becomes_private(make_kit, tmp_path):
    async with _client(make_kit(), tmp_path) as c:
        r = await c.get("/private", headers=GPC)
    assert _consent(r) and r.headers["cache-control"] == "no-cache, private"


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/static/app.js"),  # a static file: validators make it cacheable
    ("GET", "/public"),  # a page its app says any cache may keep
    ("HEAD", "/"),
    ("HEAD", "/static/app.js"),
    ("GET", "/nowhere"),  # a 404
    ("GET", "/api"),  # no page
])
async def test_no_cookie_and_no_record_where_a_cache_may_keep_it_or_no_page_is_served(make_kit, tmp_path, method,
                                                                                     path):
    kit = make_kit()
    async with _client(kit, tmp_path) as c:
        for _ in range(20):
            r = await c.request(method, path, headers=GPC)
            assert not _consent(r), (method, path)
    assert await _records(kit) == 0


async def test_gpc_is_recorded_once_for_a_visitor_that_keeps_the_cookie(make_kit, tmp_path):
    kit = make_kit()
    async with _client(kit, tmp_path) as c:
        for _ in range(20):
            await c.get("/", headers=GPC)
            await c.get("/static/app.js", headers=GPC)
    assert await _records(kit) == 1


def _from(kit: ConsentKit, tmp_path: Path, address: str) -> httpx.AsyncClient:
    app = _client(kit, tmp_path)._transport.app  # type: ignore[attr-defined]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 40000)),
                             base_url="http://testserver", headers={"Origin": "http://testserver"})


async def test_record_creation_is_limited_per_client_without_keeping_its_address(make_kit, tmp_path):
    """L5: a client that keeps no cookie makes a new visitor, and a record, per request."""
    from consentkit.record_limit import RecordLimit

    kit = make_kit()
    kit.record_limit = RecordLimit(per_minute=1, burst=5)
    async with _from(kit, tmp_path, "203.0.113.7") as bot:
        answers = [await bot.post("/consentkit/consent", json={"choices": {"analytics": True}},
                                  headers={"Cookie": ""}) for _ in range(8)]
        pages = [await bot.get("/", headers={**GPC, "Cookie": ""}) for _ in range(5)]
    assert [a.status_code for a in answers] == [200] * 5 + [429] * 3
    assert answers[-1].headers["retry-after"] == "60" and not _consent(answers[-1])
    assert all(p.status_code == 200 and not _consent(p) for p in pages)  # GPC honoured, neither kept nor recorded
    assert all('"gpc":true' in p.text for p in pages)
    assert await _records(kit) == 5
    # Another client has its own bucket; the limit keeps no address.
    async with _from(kit, tmp_path, "198.51.100.4") as other:
        assert (await other.post("/consentkit/consent", json={"choices": {"analytics": True}})).status_code == 200
    assert "203.0.113.7" not in repr(kit.record_limit.__dict__)
