"""The admin console as one ASGI app, which ``ConsentMiddleware`` hands every
request under the console's path (``/consentkit/admin`` by default), before any
consent handling: a console page is no visitor's page.

Each feature module lists its routes (``(method, name)`` to handler and the role
it needs); here they are one table. Every request but the login page's is
authenticated first: without a user, a browser's GET is sent to the login page
(303) and anything else gets 401, whatever the path, so that the console's routes
cannot even be told from unknown ones. Then the role, then, for a POST, the form's
CSRF token and the Origin.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ..kit import ConsentKit
from ..ledger.base import LedgerError
from ..mount import route_path
from . import auth, dashboard, files, operations, proof, requests, scans
from .config import Admin, Role
from .page import CSRF_FIELD, AdminCall, ConsoleLike, Handler, Refused, environment
from .sessions import Sessions

logger = logging.getLogger("consentkit.admin")

ROUTES: dict[tuple[str, str], tuple[Handler, Role]] = {
    ("POST", "logout"): (auth.post_logout, "viewer"),
    **dashboard.ROUTES,
    **proof.ROUTES,
    **requests.ROUTES,
    **operations.ROUTES,
    **scans.ROUTES,
    **files.ROUTES,
}
PUBLIC: dict[tuple[str, str], Handler] = {("GET", "login"): auth.get_login, ("POST", "login"): auth.post_login}


class Console(ConsoleLike):
    """The console of one kit."""

    def __init__(self, kit: ConsentKit, admin: Admin) -> None:
        self.kit = kit
        self.admin = admin
        self.path = admin.mount_path(kit.prefix)
        self.sessions = Sessions(kit.codec, admin)
        self.templates = environment()
        self.routes = dict(ROUTES)
        self.prefixes = sorted((n[:-1] for _, n in self.routes if n.endswith("/*")), key=len, reverse=True)

    def serves(self, path: str) -> bool:
        return path == self.path or path.startswith(self.path + "/")

    def _route(self, method: str, name: str) -> tuple[tuple[Handler, Role] | None, str, bool]:
        key, tail = name, ""
        if not any(n == name for _, n in self.routes):
            for prefix in self.prefixes:
                if name.startswith(prefix) and len(name) > len(prefix):
                    key, tail = prefix + "*", name[len(prefix):]
                    break
        if method == "HEAD":
            method = "GET"
        known = any(n == key for _, n in self.routes)
        return self.routes.get((method, key)), tail, known

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = route_path(scope)
        name = path[len(self.path) + 1:] if path != self.path else ""
        method: str = scope["method"]
        call = AdminCall(self, scope, receive)
        try:
            response = await self._respond(call, method, name)
        except Refused as exc:
            response = _error(call, exc.status, exc.message)
        except LedgerError:
            logger.warning("the ledger is unavailable for the console")
            response = _error(call, 503, "the consent records cannot be read right now; try again shortly")
            response.headers["Retry-After"] = "5"
        await response(scope, receive, send)

    async def _respond(self, call: AdminCall, method: str, name: str) -> Response:
        public = PUBLIC.get(("GET" if method == "HEAD" else method, name))
        if public is not None:
            if method == "POST":
                _check_origin(call)
            return await public(call)
        call.user = await auth.identify(call)
        if call.user is None:
            return auth.unauthenticated(call)
        route, call.tail, known = self._route(method, name)
        if route is None:
            raise Refused(405 if known else 404, "use another method" if known else "no such page")
        handler, role = route
        if not call.user.may(role):
            raise Refused(403, call.t("forbidden"))
        if method == "POST":
            _check_origin(call)
            form = await call.form()
            if not call.csrf_valid(form.get(CSRF_FIELD)):
                raise Refused(403, "the form's token is missing or expired: reload the page and try again")
        response = await handler(call)
        auth.refresh(call, response)
        return response


def _check_origin(call: AdminCall) -> None:
    """A POST's Origin (or Referer) is this site: a second line behind the tokens."""
    headers = call.request.headers
    origin = headers.get("origin")
    if origin is None:
        referer = headers.get("referer")
        if referer is None:
            return
        parts = urlsplit(referer)
        origin = f"{parts.scheme}://{parts.netloc}"
    host = headers.get("host", "")
    if origin.strip().lower().rstrip("/") != f"{call.scope.get('scheme', 'http')}://{host}".lower():
        raise Refused(403, "cross-site request refused")


def _error(call: AdminCall, status: int, message: str) -> Response:
    if call.user is None:
        return Response(message + "\n", status_code=status, media_type="text/plain", headers={"Cache-Control": "no-store"})
    return call.render("error.html", status, message=message)
