"""``ConsentMiddleware``: pure ASGI; one line mounts all of consentkit.

Per request: cookie -> choices -> rules (with the GPC signal) -> either a consent
endpoint, or the app with its response policed (Set-Cookie filtered, HTML gated,
the state and widget injected) -> new cookie -> ledger.
"""

from __future__ import annotations

import logging
import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .cookies_out import expiry_headers, filter_set_cookies
from .endpoints import Endpoints
from .gating.response import ResponseGate, gated_headers
from .kit import ConsentKit
from .minors.sync import needs_sync, sync_child
from .templating import widget_tags
from .visit import Visit, cookie_names, current_visit

logger = logging.getLogger("consentkit")

_NONCE = re.compile(r"'nonce-([A-Za-z0-9+/_=-]{8,128})'")
_VARY = "Cookie, Sec-GPC"  # one add_vary_header() call: each one reads and rewrites the header list


def vary_on_consent(headers: MutableHeaders) -> None:
    raw = headers.raw
    if any(name.lower() == b"vary" for name, _ in raw):
        headers.add_vary_header(_VARY)  # merged with the app's own
    else:
        raw.append((b"vary", _VARY.encode()))


def consent_headers(visit: Visit, headers: MutableHeaders) -> None:
    """Add what the visit changed: the new consent cookie, and the expiry of the
    cookies of every category it withdrew."""
    if visit.dirty:
        headers.append("set-cookie", visit.set_cookie_header().decode("latin-1"))
    withdrawn = visit.withdrawn()
    if withdrawn:
        for value in expiry_headers(
            visit.kit.policy, withdrawn, cookie_names(visit.headers.get("cookie")), visit.host, secure=visit.https
        ):
            headers.append("set-cookie", value.decode("latin-1"))


class ConsentMiddleware:
    """Mount with ``Middleware(ConsentMiddleware, kit=kit)``.

    Put it inside ``GZipMiddleware`` (list it after GZip), so that it sees HTML
    before compression: compressed responses pass through ungated.
    """

    def __init__(self, app: ASGIApp, *, kit: ConsentKit) -> None:
        self.app = app
        self.kit = kit
        self.endpoints = Endpoints(kit)
        self.prefix = kit.prefix + "/"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not self.kit.started:
            # Without lifespan events (some servers, tests), the first request opens the
            # ledger; every handler below may then use it.
            await self.kit.startup()
        visit = Visit.begin(self.kit, scope)
        await visit.record_pending()
        if needs_sync(visit):
            await sync_child(visit)
        path: str = scope["path"]
        if path.startswith(self.prefix) or path == "/.well-known/gpc.json":
            await self.endpoints.dispatch(visit, receive, send)
            return
        scope.setdefault("state", {})["consent"] = visit.state
        token = current_visit.set(visit)
        try:
            await self.app(scope, receive, _Responder(visit, send).send)
        finally:
            current_visit.reset(token)

    async def _lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        kit = self.kit

        async def receive_and_manage() -> Message:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await kit.startup()
            elif message["type"] == "lifespan.shutdown":
                await kit.shutdown()
            return message

        await self.app(scope, receive_and_manage, send)


class _Responder:
    """Polices one response of the app: its cookies always, its body when it is
    HTML we can read (not compressed, not an event stream)."""

    def __init__(self, visit: Visit, send: Send) -> None:
        self.visit = visit
        self.downstream = send
        self.start: Message | None = None
        self.gate: ResponseGate | None = None

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            await self._on_start(message)
        elif message["type"] == "http.response.body" and self.gate is not None:
            await self._on_body(message)
        else:
            await self.downstream(message)

    async def _on_start(self, message: Message) -> None:
        visit = self.visit
        granted = visit.state.categories
        message["headers"] = gated_headers(visit.kit.policy, granted, filter_set_cookies(
            list(message.get("headers", ())), visit.kit.policy, granted, now=visit.now
        ))
        headers = MutableHeaders(scope=message)
        consent_headers(visit, headers)
        content_type, encoded, csp = _facts(headers.raw)
        if content_type.startswith(b"text/html") and not encoded and visit.scope.get("method") != "HEAD":
            vary_on_consent(headers)
            nonce = _nonce(visit, csp)
            self.gate = ResponseGate(
                visit.kit.policy, granted, content_type=content_type, nonce=nonce, inject=_head(visit, nonce)
            )
            self.start = message
            return
        await self.downstream(message)

    async def _on_body(self, message: Message) -> None:
        assert self.gate is not None
        more = message.get("more_body", False)
        out = await self.gate.feed_in_slices(message.get("body", b""), final=not more)
        if self.start is not None and more and not self.gate.decided:
            return  # the encoding is known from the first two bytes on; nothing went out yet
        if self.start is not None:
            start, self.start = self.start, None
            # The length is unknown until the end when more comes: the server chunks it.
            start["headers"] = [(name, value) for name, value in start["headers"] if name.lower() != b"content-length"]
            if self.gate.transcoded:  # decoded from UTF-16 or ISO-2022-JP, served as UTF-8
                start["headers"] = [(n, v) for n, v in start["headers"] if n.lower() != b"content-type"]
                start["headers"].append((b"content-type", b"text/html; charset=utf-8"))
            if not more:
                start["headers"].append((b"content-length", str(len(out)).encode()))
            await self.downstream(start)
        if out or not more:
            await self.downstream({"type": "http.response.body", "body": out, "more_body": more})


def _facts(raw: list[tuple[bytes, bytes]]) -> tuple[bytes, bool, str | None]:
    """(Content-Type, whether a Content-Encoding is set, Content-Security-Policy) of a
    response, in one pass over its headers; the first of each, as headers.get() gives."""
    content_type, encoded, csp = None, False, None
    for name, value in raw:
        name = name.lower()
        if name == b"content-type":
            content_type = value if content_type is None else content_type
        elif name == b"content-encoding":
            encoded = True
        elif name == b"content-security-policy" and csp is None:
            csp = value.decode("latin-1")
    return (content_type or b"").lower().lstrip(), encoded, csp


def _nonce(visit: Visit, csp: str | None) -> str | None:
    state = visit.scope.get("state") or {}
    nonce = state.get("csp_nonce")
    if isinstance(nonce, str) and nonce:
        return nonce
    if csp:
        match = _NONCE.search(csp)
        if match:
            return match.group(1)
    return None


def _head(visit: Visit, nonce: str | None) -> bytes:
    """What goes at the top of <head>: the state (so the banner needs no request)
    and, unless a template already rendered it, the widget."""
    out = visit.state.script_block()
    if visit.kit.inject_widget and not visit.scope.get("consentkit.head_rendered"):
        out += widget_tags(visit.kit, nonce=nonce, user_agent=visit.headers.get("user-agent")).encode()
    return out
