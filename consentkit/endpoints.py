"""The ``/consentkit/*`` endpoints (contract section 2) and their dispatch.

Every handler takes a ``Call`` and returns a Starlette ``Response``; anything a
client can get wrong raises ``ClientError`` and becomes a JSON 4xx. The
middleware adds the consent cookie to whatever the handler answers.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import Message, Receive, Send

from . import rules
from .kit import ConsentKit
from .ledger.base import LedgerError
from .state import AGE_BANDS, Source
from .visit import Visit

logger = logging.getLogger("consentkit")

MAX_BODY = 8 * 1024
CLIENT_SOURCES: frozenset[str] = frozenset({"banner", "preferences", "api", "link"})
_CONSENT_KEYS = frozenset({"choices", "age_band", "source", "sale_opt_in", "gpc"})
_FORM = "application/x-www-form-urlencoded"


class ClientError(Exception):
    """Something the client sent that we refuse, with the status it deserves."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Call:
    """One request to a consent endpoint: the visit, the body, and helpers."""

    def __init__(self, kit: ConsentKit, visit: Visit, receive: Receive, tail: str = "") -> None:
        self.kit = kit
        self.visit = visit
        self.receive = receive
        self.tail = tail
        self.scope = visit.scope
        self._body: bytes | None = None

    @property
    def method(self) -> str:
        return str(self.scope["method"])

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(self.scope.get("query_string", b"").decode("latin-1")))

    @property
    def media_type(self) -> str:
        return self.visit.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    async def body(self) -> bytes:
        """The request body, refused with 413 past 8 KiB (before reading it all)."""
        if self._body is not None:
            return self._body
        declared = self.visit.headers.get("content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                raise ClientError(400, "Content-Length is not a number")
            if int(declared) > MAX_BODY:
                raise ClientError(413, f"the body is larger than {MAX_BODY} bytes")
        chunks, size = [], 0
        while True:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                raise ClientError(400, "the client went away")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:
                raise ClientError(413, f"the body is larger than {MAX_BODY} bytes")
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        self._body = b"".join(chunks)
        return self._body

    async def json(self) -> Any:
        """The JSON body; 415 for another content type, 400 when malformed."""
        if self.media_type != "application/json":
            raise ClientError(415, "send the body as application/json")
        return parse_json(await self.body())

    async def form(self) -> dict[str, str]:
        if self.media_type != _FORM:
            raise ClientError(415, f"send the form as {_FORM}")
        try:
            text = (await self.body()).decode("utf-8")
        except UnicodeDecodeError:
            raise ClientError(400, "the form is not UTF-8") from None
        return dict(parse_qsl(text, keep_blank_values=True, max_num_fields=64))

    def same_origin_path(self, target: str | None, default: str) -> str:
        """``target`` if it is a path on this site, else ``default`` (no open redirect)."""
        if not target or len(target) > 2048:
            return default
        if not target.startswith("/") or target.startswith("//") or "\\" in target:
            return default
        if any(ord(c) < 0x20 or c == "\x7f" for c in target):
            return default
        parts = urlsplit(target)
        if parts.scheme or parts.netloc:
            return default
        return target


def parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except RecursionError:
        raise ClientError(400, "the JSON is nested too deeply") from None
    except (ValueError, UnicodeDecodeError):
        raise ClientError(400, "the body is not valid JSON") from None


def error(status: int, message: str) -> JSONResponse:
    # A message may quote what the client sent, lone surrogates included: keep it encodable.
    safe = message.encode("utf-8", "backslashreplace").decode("utf-8")
    return JSONResponse({"error": safe}, status_code=status, headers={"Cache-Control": "no-store"})


def state_response(call: Call, status: int = 200) -> JSONResponse:
    return JSONResponse(call.visit.state.to_json(), status_code=status, headers={"Cache-Control": "no-store"})


# -- the handlers ------------------------------------------------------------------


async def get_state(call: Call) -> Response:
    return state_response(call)


def _consent_body(call: Call, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ClientError(400, "the body must be a JSON object")
    unknown = set(data) - _CONSENT_KEYS
    if unknown:
        raise ClientError(400, f"unknown key(s): {', '.join(sorted(map(str, unknown)))}")
    for key, value in data.items():
        if value is None:
            raise ClientError(400, f"{key} must not be null: leave it out instead")
    choices = data.get("choices")
    if choices is not None and (
        not isinstance(choices, dict) or not all(isinstance(v, bool) for v in choices.values())
    ):
        raise ClientError(400, "choices must be an object of category: true/false")
    band = data.get("age_band")
    if band is not None and (band not in AGE_BANDS or band == "unknown"):
        raise ClientError(400, "age_band must be one of under_13, 13_15, 16_plus")
    source = data.get("source", "api")
    if not isinstance(source, str) or not isinstance(band, str | None):
        raise ClientError(400, "source and age_band must be strings")
    if source not in CLIENT_SOURCES and not (source == "gpc" and data.get("gpc") is True):
        raise ClientError(400, f"source must be one of {', '.join(sorted(CLIENT_SOURCES))}")
    for flag in ("sale_opt_in", "gpc"):
        if flag in data and not isinstance(data[flag], bool):
            raise ClientError(400, f"{flag} must be true or false")
    return data


async def post_consent(call: Call) -> Response:
    data = _consent_body(call, await call.json())
    kit, visit = call.kit, call.visit
    if data.get("gpc") is True:
        # navigator.globalPrivacyControl, for browsers whose header was stripped.
        outcome = rules.evaluate(kit.policy, visit.choices, rules.Signals(gpc=True), visit.now)
        if outcome.decision is not None:
            await visit.apply(outcome)
    choices, band, opt_in = data.get("choices"), data.get("age_band"), data.get("sale_opt_in")
    if choices is not None or band is not None or opt_in is not None:
        source: Source = data.get("source", "api") if data.get("source") != "gpc" else "api"
        try:
            outcome = rules.decide(
                kit.policy, visit.choices, source=source, now=visit.now,
                given=choices, age_band=band, sale_opt_in=opt_in,
            )
        except rules.RuleError as exc:
            raise ClientError(exc.status, str(exc)) from None
        await visit.apply(outcome)
    return state_response(call)


async def post_opt_out(call: Call) -> Response:
    media = call.media_type
    target = None
    if media == "application/json":
        data = parse_json(await call.body())
        if not isinstance(data, dict):
            raise ClientError(400, "the body must be a JSON object")
    elif media == _FORM:
        target = (await call.form()).get("next")
    elif media or await call.body():
        raise ClientError(415, f"send application/json or {_FORM}")
    kit, visit = call.kit, call.visit
    await visit.apply(rules.opt_out(kit.policy, visit.choices, source="link", now=visit.now))
    if media == _FORM:
        default = f"{kit.prefix}/do-not-sell?done=1"
        return RedirectResponse(call.same_origin_path(target, default), status_code=303)
    return state_response(call)


async def get_gpc_json(call: Call) -> Response:
    return JSONResponse(
        {"gpc": True, "lastUpdate": call.kit.gpc_last_update.isoformat()},
        headers={"Cache-Control": "public, max-age=86400"},
    )


async def get_asset(call: Call) -> Response:
    found = call.kit.widget_assets.get(call.scope["path"].rsplit("/", 1)[-1], call.query.get("lang"))
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


Handler = Callable[[Call], Awaitable[Response]]
CORE_ROUTES: Mapping[tuple[str, str], Handler] = {
    ("GET", "state"): get_state,
    ("POST", "consent"): post_consent,
    ("POST", "opt-out"): post_opt_out,
    ("GET", "boot.js"): get_asset,
    ("GET", "widget.js"): get_asset,
    ("GET", "widget.css"): get_asset,
    ("GET", "config.json"): get_asset,
}
# Requests that change something: checked against cross-site forgery.
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Responses that a shared cache may keep: they never carry the visitor's cookie.
_CACHEABLE = frozenset({"boot.js", "widget.js", "config.json", "widget.css", "openapi.json", "gpc.json"})


class Endpoints:
    """Dispatches ``{prefix}/<name>`` to its handler and polices the exchange."""

    def __init__(self, kit: ConsentKit) -> None:
        self.kit = kit
        from . import feature_routes  # the features import this module: not at the top

        self.routes: dict[tuple[str, str], Handler] = {**CORE_ROUTES, **feature_routes.routes(kit)}
        self.names = {name for _, name in self.routes}
        self.prefixes = sorted((n[:-1] for n in self.names if n.endswith("/*")), key=len, reverse=True)

    def _route(self, method: str, name: str) -> tuple[Handler | None, str, set[str]]:
        key = name
        tail = ""
        if name not in self.names:
            for prefix in self.prefixes:
                if name.startswith(prefix) and len(name) > len(prefix):
                    key, tail = prefix + "*", name[len(prefix):]
                    break
        allowed = {m for m, n in self.routes if n == key}
        if method == "HEAD" and "GET" in allowed:
            method = "GET"
        return self.routes.get((method, key)), tail, allowed

    async def dispatch(self, visit: Visit, receive: Receive, send: Send) -> None:
        scope = visit.scope
        path: str = scope["path"]
        method: str = scope["method"]
        name = "gpc.json" if path == "/.well-known/gpc.json" else path[len(self.kit.prefix) + 1:]
        if name == "gpc.json":
            handler: Handler | None = get_gpc_json if method in ("GET", "HEAD") else None
            tail, allowed = "", {"GET"}
        else:
            handler, tail, allowed = self._route(method, name)
        if handler is None:
            response: Response = (
                error(405, f"use {', '.join(sorted(allowed))}") if allowed else error(404, "no such endpoint")
            )
            if allowed:
                response.headers["Allow"] = ", ".join(sorted(allowed | ({"HEAD"} if "GET" in allowed else set())))
        elif method in _UNSAFE and not self._same_site(visit):
            response = error(403, "cross-site request refused: the Origin is not this site's nor an allowed origin")
        else:
            try:
                response = await handler(Call(self.kit, visit, receive, tail))
            except ClientError as exc:
                response = error(exc.status, exc.message)
            except LedgerError:
                # The ledger cannot answer now (decisions still take effect: they spool).
                logger.warning("the ledger is unavailable for %s %s", method, name)
                response = error(503, "the consent records cannot be read right now; try again shortly")
                response.headers["Retry-After"] = "5"
        cacheable = name in _CACHEABLE and response.status_code in (200, 304)
        await response(scope, receive, self._wrap(visit, send, cacheable))

    def _wrap(self, visit: Visit, send: Send, cacheable: bool) -> Send:
        from .middleware import consent_headers, vary_on_consent

        async def send_with_consent(message: Message) -> None:
            if message["type"] == "http.response.start" and not cacheable:
                headers = MutableHeaders(scope=message)
                consent_headers(visit, headers)
                vary_on_consent(headers)
            await send(message)

        return send_with_consent

    def _same_site(self, visit: Visit) -> bool:
        """Origin (or, without it, Referer) names this site or an allowed origin.
        A request with neither comes from no browser page, so it is no forgery."""
        origin = visit.headers.get("origin")
        if origin is None:
            referer = visit.headers.get("referer")
            if referer is None:
                return True
            try:
                parts = urlsplit(referer)
            except ValueError:
                return False
            origin = f"{parts.scheme}://{parts.netloc}"
        origin = origin.strip().lower().rstrip("/")
        scheme = visit.scope.get("scheme", "http")
        host = visit.headers.get("host", "").strip().lower()
        if host and origin == f"{scheme}://{host}":
            return True
        return origin in self.kit.allowed_origins
