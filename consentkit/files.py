"""Public files, the same for every visitor, that a shared cache may keep: the
widget's script and stylesheet, and ``/.well-known/gpc.json``."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response

from .assets import asset
from .call import Call, ClientError, Handler


async def get_gpc_json(call: Call) -> Response:
    return JSONResponse(
        {"gpc": True, "lastUpdate": call.kit.gpc_last_update.isoformat()},
        headers={"Cache-Control": "public, max-age=86400"},
    )


async def get_asset(call: Call) -> Response:
    found = asset(call.scope["path"].rsplit("/", 1)[-1])
    if found is None:
        raise ClientError(404, "no such file")
    versioned = call.query.get("v") == found.version
    headers = {
        "ETag": found.etag,
        "Cache-Control": "public, max-age=31536000, immutable" if versioned else "public, max-age=3600",
    }
    if call.visit.headers.get("if-none-match", "") == found.etag:
        return Response(status_code=304, headers=headers)
    return Response(found.body, media_type=found.media_type, headers=headers)


ROUTES: dict[tuple[str, str], Handler] = {
    ("GET", "widget.js"): get_asset,
    ("GET", "widget.css"): get_asset,
}
