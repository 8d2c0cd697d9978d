"""Offline stand-ins for the third parties: an analytics script on
``analytics.localhost`` and a clear-gif pixel on ``pixel.localhost``.

Browsers resolve every ``*.localhost`` name to the loopback address, so one demo
server can play the site and its third parties on distinct origins. The stand-ins
are mounted beside the site, not behind its ``ConsentMiddleware``: like real third
parties they know nothing of the visitor's consent, which is the point. Only the
site's gating keeps them from running.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Host, Route, Router

ANALYTICS_HOST = "analytics.localhost"
PIXEL_HOST = "pixel.localhost"

_SCRIPT = Path(__file__).with_name("static") / "standin-analytics.js"
# The smallest transparent GIF: 1x1, one colour, fully transparent.
CLEAR_GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
_NO_STORE = {"Cache-Control": "no-store"}


def _client_id() -> str:
    return f"GA1.1.{secrets.randbelow(10**9)}.{int(time.time())}"


async def analytics_script(request: Request) -> Response:
    response = Response(_SCRIPT.read_bytes(), media_type="text/javascript", headers=_NO_STORE)
    # The tracker's own cookie on its own host, as a third party would set it.
    response.set_cookie("_ga", _client_id(), max_age=2 * 365 * 86400, path="/", samesite="lax")
    return response


async def analytics_collect(request: Request) -> Response:
    return Response(status_code=204, headers=_NO_STORE)


async def pixel(request: Request) -> Response:
    response = Response(CLEAR_GIF, media_type="image/gif", headers=_NO_STORE)
    response.set_cookie("_px", secrets.token_hex(8), max_age=395 * 86400, path="/", samesite="lax")
    return response


def standin_routes() -> list[Host]:
    """Host routes for both stand-ins, to put before the site's own mount."""
    analytics = Router([Route("/a.js", analytics_script), Route("/collect", analytics_collect, methods=["POST", "GET"])])
    return [Host(ANALYTICS_HOST, analytics), Host(PIXEL_HOST, Router([Route("/p.gif", pixel)]))]


def standin_origin(host: str, request: Request) -> str:
    """The stand-in's origin as seen from a page of this request (same scheme and port)."""
    port = request.url.port
    return f"{request.url.scheme}://{host}" + (f":{port}" if port else "")
