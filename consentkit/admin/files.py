"""The console's own stylesheet and script: served only to a signed-in user, like
every other part of the console (the login page needs only the widget's public
stylesheet)."""

from __future__ import annotations

from pathlib import Path

from starlette.responses import Response

from .config import Role
from .page import AdminCall, Handler, Refused, static_file

_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


async def get_static(call: AdminCall) -> Response:
    name = call.tail
    if name not in ("admin.css", "admin.js"):
        raise Refused(404, "no such file")
    body, digest = static_file(name)
    # Private: a shared cache must never hold what only a signed-in user may fetch.
    return Response(body, media_type=_TYPES[Path(name).suffix], headers={
        "Cache-Control": "private, max-age=3600", "ETag": f'"{digest}"', "X-Content-Type-Options": "nosniff",
    })


ROUTES: dict[tuple[str, str], tuple[Handler, Role]] = {
    ("GET", "static/*"): (get_static, "viewer"),
}
