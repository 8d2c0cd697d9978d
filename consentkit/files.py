"""Public files, the same for every visitor, that a shared cache may keep: the
widget's scripts, stylesheet and config (``assets.WidgetAssets``), and
``/.well-known/gpc.json``."""

from __future__ import annotations

from starlette.responses import Response

from .call import Call, ClientError, Handler


async def get_gpc_json(call: Call) -> Response:
    return await call.kit.gpc_json()


async def get_asset(call: Call) -> Response:
    # A region's assets are named by their URL, never by the request's headers: a
    # shared cache keeps each under its own URL.
    region = call.query.get("region")
    if region is not None and region not in {r.code for r in call.kit.policy.regions}:
        raise ClientError(404, "no such file")
    head = call.kit.head_at(call.visit.root, region)
    found = head.assets.get(call.scope["path"].rsplit("/", 1)[-1], call.query.get("lang"))
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
    ("GET", "boot.js"): get_asset,
    ("GET", "widget.js"): get_asset,
    ("GET", "widget.css"): get_asset,
    ("GET", "config.json"): get_asset,
}
