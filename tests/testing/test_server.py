"""``serve()``: any ASGI app on a free port in a thread, ready on return."""

from __future__ import annotations

import socket

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from consentkit.testing import serve


def make_app(events: list[str]) -> Starlette:
    async def hello(request: Request) -> PlainTextResponse:
        return PlainTextResponse(f"hello from {request.headers['host'].split(':')[0]}")

    async def lifespan(app: Starlette):  # type: ignore[no-untyped-def]
        events.append("startup")
        yield
        events.append("shutdown")

    from contextlib import asynccontextmanager

    return Starlette(routes=[Route("/", hello)], lifespan=asynccontextmanager(lifespan))


def test_serves_until_stopped_with_its_lifespan():
    events: list[str] = []
    with serve(make_app(events)) as server:
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert httpx.get(server.url + "/").text == "hello from 127.0.0.1"
        assert events == ["startup"]
        assert server.url_for("analytics.localhost", "/a.js") == f"http://analytics.localhost:{server.port}/a.js"
    assert events == ["startup", "shutdown"]
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.url + "/", timeout=2)


def test_two_servers_get_two_ports_and_a_public_name():
    with serve(make_app([]), public_host="localhost") as one, serve(make_app([])) as two:
        assert one.port != two.port
        assert one.url.startswith("http://localhost:")
        assert httpx.get(two.url + "/").status_code == 200


def test_a_port_in_use_is_an_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError):
            serve(make_app([]), port=taken.getsockname()[1])


def test_an_app_that_fails_to_start_is_reported():
    async def broken(app: Starlette):  # type: ignore[no-untyped-def]
        raise RuntimeError("no database")
        yield

    from contextlib import asynccontextmanager

    app = Starlette(lifespan=asynccontextmanager(broken))
    with pytest.raises(RuntimeError, match="did not start"):
        serve(app, lifespan="on")
