"""The routing table of the ``/consentkit/*`` endpoints, and their dispatch.

Each feature lists its routes (``ROUTES``, ``(method, name)`` to handler) in its own
module; ``ROUTES`` here is all of them, in one table. ``Endpoints`` finds a
request's handler, refuses cross-site writes, turns ``ClientError`` into its JSON
answer and adds the consent headers (cookie, expiry, Vary) to every response.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import Message, Receive, Send

from . import access, api, files, limit, openapi, pages
from .call import Call, ClientError, Handler, error
from .cookies_out import consent_headers, vary_on_consent
from .files import get_gpc_json
from .kit import ConsentKit
from .ledger.base import LedgerError
from .minors import routes as minors
from .mount import route_path
from .record_limit import RecordLimitExceeded
from .requests import routes as requests
from .visit import Visit

logger = logging.getLogger("consentkit")

ROUTES: Mapping[tuple[str, str], Handler] = {
    **api.ROUTES,
    **files.ROUTES,
    **access.ROUTES,
    **openapi.ROUTES,
    **pages.ROUTES,
    **limit.ROUTES,
    **minors.ROUTES,
    **requests.ROUTES,
}
# Requests that change something: checked against cross-site forgery.
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Responses that a shared cache may keep: they never carry the visitor's cookie.
_CACHEABLE = frozenset({"boot.js", "widget.js", "widget.css", "config.json", "openapi.json", "gpc.json"})


class Endpoints:
    """Dispatches ``{prefix}/<name>`` to its handler and polices the exchange."""

    def __init__(self, kit: ConsentKit) -> None:
        self.kit = kit
        self.routes: dict[tuple[str, str], Handler] = dict(ROUTES)
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
        path = route_path(scope)
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
            except RecordLimitExceeded as exc:
                response = error(429, str(exc))
                response.headers["Retry-After"] = "60"
            except LedgerError:
                # The ledger cannot answer now (decisions still take effect: they spool).
                logger.warning("the ledger is unavailable for %s %s", method, name)
                response = error(503, "the consent records cannot be read right now; try again shortly")
                response.headers["Retry-After"] = "5"
        cacheable = name in _CACHEABLE and response.status_code in (200, 304)
        await response(scope, receive, self._wrap(visit, send, cacheable))

    def _wrap(self, visit: Visit, send: Send, cacheable: bool) -> Send:
        async def send_with_consent(message: Message) -> None:
            if message["type"] == "http.response.start" and not cacheable:
                headers = MutableHeaders(scope=message)
                await consent_headers(visit, message["status"], headers)
                vary_on_consent(headers, visit.kit.locator.vary)
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
