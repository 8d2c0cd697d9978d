"""A file sent by path (ASGI's ``http.response.pathsend`` extension, which Starlette's
``FileResponse`` uses where the server offers it): an HTML file is gated like any
body while its start is held; any other file goes out by path, untouched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from consentkit import ConsentMiddleware

from .kits import make_policy

pytestmark = pytest.mark.anyio
TRACKER = b'<img src="https://ads.example-ads.test/p.gif" alt="">'
# Past one read of the middleware (64 KiB), so that the file comes in several chunks.
PAGE = b"<!doctype html><html><head><title>Q</title></head><body>" + b"<p>x</p>" * 9000 + TRACKER + b"</body></html>"


async def call(app: Starlette, path: str) -> list[dict[str, Any]]:
    scope = {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.4"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", b"testserver")], "client": ("127.0.0.1", 1), "server": ("testserver", 80),
        "extensions": {"http.response.pathsend": {}},
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


@pytest.fixture
def app(tmp_path: Path, make_kit: Any) -> Starlette:
    (tmp_path / "page.html").write_bytes(PAGE)
    (tmp_path / "data.txt").write_bytes(TRACKER)

    async def html(request: Request) -> Response:
        return FileResponse(tmp_path / "page.html", media_type="text/html")

    async def text(request: Request) -> Response:
        return FileResponse(tmp_path / "data.txt", media_type="text/plain")

    kit = make_kit(make_policy("opt_in"))
    return Starlette(routes=[Route("/page", html), Route("/data", text)],
                     middleware=[Middleware(ConsentMiddleware, kit=kit)])


async def test_an_html_file_sent_by_path_is_gated(app: Starlette):
    sent = await call(app, "/page")
    assert sent[0]["type"] == "http.response.start"
    assert {m["type"] for m in sent[1:]} == {"http.response.body"}, "the file went past the gate"
    body = b"".join(m["body"] for m in sent[1:])
    assert TRACKER not in body and b'data-src="https://ads.example-ads.test/p.gif"' in body
    assert b'id="consentkit-state"' in body and body.endswith(b"</body></html>")
    headers = dict(sent[0]["headers"])
    assert b"content-length" not in headers  # streamed in chunks: the server chunks it
    assert sent[-1]["more_body"] is False and len(sent) > 2


async def test_another_file_goes_out_by_path(app: Starlette, tmp_path: Path):
    sent = await call(app, "/data")
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.pathsend"]
    assert sent[1]["path"] == str(tmp_path / "data.txt")
