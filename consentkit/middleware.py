"""``ConsentMiddleware``: pure ASGI; one line mounts all of consentkit.

Per request: cookie -> choices -> rules (with the GPC signal) -> either a consent
endpoint, or the app with its response policed (Set-Cookie filtered, HTML gated,
the state and widget injected) -> new cookie -> ledger.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import anyio
from starlette.middleware.gzip import GZipMiddleware, GZipResponder
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .admin.console import Console
from .cookies_out import (
    add_consent_headers,
    add_vary,
    consent_headers,
    consent_values,
    filter_set_cookies,
    vary_on_consent,
)
from .csp_nonce import PLACEHOLDER_KEY, NonceFiller
from .gating.hosts import allowed_units
from .gating.memo import PageMemo
from .gating.placeholder import Placeholders
from .gating.response import ResponseGate, gated_headers
from .head import WidgetHead, state_block
from .kit import ConsentKit
from .minors.sync import needs_sync, sync_child
from .mount import route_path
from .outcomes import Fresh
from .policy import Policy
from .routing import Endpoints
from .state import ConsentState
from .templating import current_request
from .visit import Visit

__all__ = ["ConsentMiddleware", "consent_headers", "vary_on_consent"]

logger = logging.getLogger("consentkit")

_FILE_CHUNK = 64 * 1024
# How deep to look for a GZipMiddleware inside this one (a stack is a few layers).
_MAX_DEPTH = 32
_IDENTITY = (b"accept-encoding", b"identity")
_HELPER_UNDEFINED = re.compile(r"'consent(_head|_tag)?' is undefined")
_NONCE = re.compile(r"'nonce-([A-Za-z0-9+/_=-]{8,128})'")
# A visitor id written into a state block as it is (kit.new_visitor_id() makes these).
_PLAIN_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
# How many (policy, language, prefix, page) placeholder sets a middleware keeps.
_PLACEHOLDERS_KEPT = 512
# What _facts() reads of each response header it looks at (one lookup for the rest);
# _CACHING: those shared_cache_may_store() reads (without any, a shared cache may not store it).
_TYPE, _ENCODING, _CSP, _COOKIE, _LINK, _CACHING, _VARY = range(7)
_FACTS = {
    b"content-type": _TYPE, b"content-encoding": _ENCODING, b"content-security-policy": _CSP, b"set-cookie": _COOKIE,
    b"link": _LINK, b"refresh": _LINK, b"cache-control": _CACHING, b"etag": _CACHING, b"last-modified": _CACHING,
    b"expires": _CACHING, b"vary": _VARY,
}


class ConsentMiddleware:
    """Mount with ``Middleware(ConsentMiddleware, kit=kit)``, before or after
    ``GZipMiddleware``: the app inside is always asked for uncompressed bodies
    (``Accept-Encoding: identity``), so the HTML it makes is gated. A GZip that
    stands outside compresses what comes out; one found inside is done here instead,
    with its settings, after gating (the log says so once).

    ``page_memo_bytes`` bounds the memory kept for pages served before
    (``gating.memo.PageMemo``: a body the gate has made twice in the same context is
    answered from what it made; 0 turns the memo off).
    """

    def __init__(self, app: ASGIApp, *, kit: ConsentKit, page_memo_bytes: int = 8 * 1024 * 1024) -> None:
        if page_memo_bytes < 0:
            raise ValueError(f"page_memo_bytes must be 0 (off) or more, not {page_memo_bytes}")
        self.app = app
        self.kit = kit
        self.endpoints = Endpoints(kit)
        self.prefix = kit.prefix + "/"
        self.console = Console(kit, kit.admin) if kit.admin is not None else None
        self.gzip = _gzip_inside(app)
        self.warned_encoded = self.told_no_nonce = False
        # Placeholders per (policy, language, prefix, page), each keeping what it made.
        self.placeholders: dict[Any, tuple[Policy, Placeholders]] = {}
        # What the gate made of pages served before (the same bytes in the same context).
        self.pages: PageMemo | None = PageMemo(page_memo_bytes) if page_memo_bytes else None
        if self.gzip is not None:
            logger.info(
                "ConsentMiddleware: GZipMiddleware is inside it (FastAPI's add_middleware puts the last call "
                "outermost); the app inside now gets 'Accept-Encoding: identity' and ConsentMiddleware gzips after "
                "gating (minimum_size=%s)", self.gzip.minimum_size,
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await self._lifespan(scope, receive, send)
            else:
                await self.app(scope, receive, send)
            return
        if self.gzip is not None and _accepts_gzip(scope):
            gzip = self.gzip
            await GZipResponder(
                self._police, gzip.minimum_size, compresslevel=gzip.compresslevel,
                thread_minimum_size=gzip.thread_minimum_size, exclude_content_types=gzip.exclude_content_types,
            )(scope, receive, send)
            return
        await self._police(scope, receive, send)

    async def _police(self, scope: Scope, receive: Receive, send: Send) -> None:
        """One HTTP request (the scope's type is checked by ``__call__``)."""
        if not self.kit.started:
            # Without lifespan events (some servers, tests), the first request opens the
            # ledger; every handler below may then use it.
            await self.kit.startup()
        path = route_path(scope)
        if self.console is not None and self.console.serves(path):
            await self.console(scope, receive, send)  # no visitor's page: no consent handling
            return
        # A decision the signals made (GPC) is recorded with the cookie that keeps it,
        # on a response that can carry one (consent_headers), not here.
        visit = Visit.begin(self.kit, scope)
        if needs_sync(visit):
            await sync_child(visit)
        if path.startswith(self.prefix) or path == "/.well-known/gpc.json":
            await self.endpoints.dispatch(visit, receive, send)
            return
        scope.setdefault("state", {})["consent"] = visit.state
        token = current_request.set(visit)
        try:
            await self.app(_uncompressed(scope), receive, _Responder(self, visit, send).send)
        except Exception as exc:
            _explain(exc)
            raise
        finally:
            current_request.reset(token)

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

    # Until the response starts: class attributes, not set on each one.
    start: Message | None = None
    gate: ResponseGate | None = None
    nonce: str | None = None
    has_csp = False
    filler: NonceFiller | None = None

    def __init__(self, middleware: ConsentMiddleware, visit: Visit, send: Send) -> None:
        self.middleware = middleware
        self.visit = visit
        self.downstream = send

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            await self._on_start(message)
        elif message["type"] == "http.response.body" and self.gate is not None:
            await self._on_body(message)
        elif message["type"] == "http.response.pathsend" and self.gate is not None:
            await self._on_file(message["path"])
        else:
            await self.downstream(message)

    async def _on_start(self, message: Message) -> None:
        visit = self.visit
        kit = visit.kit
        raw = list(message.get("headers", ()))
        content_type, encoded, csp, cookies, links, caching, vary = _facts(raw)
        if cookies:
            raw = filter_set_cookies(raw, kit.policy, visit.outcome.state.categories, now=visit.now)
        html = content_type.startswith(b"text/html")
        gated = html and not encoded and visit.scope.get("method") != "HEAD"
        if links or gated:
            grants, services, allowed = _gate_grants(visit)
            if links:
                raw = gated_headers(kit.policy, grants, raw, services)
        message["headers"] = raw  # the message's own list: already a copy of the app's
        if html:  # a page view: a static file, an API answer or a download never carries the consent cookie
            # consent_headers(), without a coroutine or MutableHeaders unless there is something to add.
            values = consent_values(visit, message.get("status", 200), raw, caching=caching)
            if values is not None and (values or visit.dirty):
                vary = await add_consent_headers(visit, raw, values) or vary
            if encoded and not self.middleware.warned_encoded:
                self.middleware.warned_encoded = True
                logger.warning("an HTML response came with a Content-Encoding although the app was asked for "
                               "identity: it went out ungated; serve HTML uncompressed to ConsentMiddleware (%s)",
                               visit.scope.get("path"))
        if gated:
            add_vary(raw, kit.locator.vary, vary)
            nonce = self.nonce = _nonce(visit, csp)
            self.has_csp = csp is not None
            head = _widget_head(visit)
            # The language and browser support, found once for the widget's tags and the placeholders.
            headers = visit.headers
            key = head.key(headers.get("user-agent"), headers.get("accept-language"))
            self.gate = ResponseGate(
                kit.policy, grants, content_type=content_type, nonce=nonce,
                inject=_head(visit, head, key, nonce), services=services, allowed=allowed,
                placeholders=_placeholders(visit, key[0], head.prefix, self.middleware.placeholders),
                memo=self.middleware.pages,
            )
            self.start = message
            return
        await self.downstream(message)

    async def _on_body(self, message: Message) -> None:
        assert self.gate is not None
        more = message.get("more_body", False)
        out = await self.gate.feed_in_slices(message.get("body", b""), final=not more)
        if self.filler is None and PLACEHOLDER_KEY in self.visit.scope:
            self.filler = self._filler(self.visit.scope[PLACEHOLDER_KEY])
        if self.filler is not None:
            out = self.filler.feed(out, final=not more)
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

    def _filler(self, placeholder: str) -> NonceFiller:
        """A template wrote the nonce's placeholder: the response's nonce fills it."""
        middleware = self.middleware
        if self.nonce is None and not self.has_csp and not middleware.told_no_nonce:
            middleware.told_no_nonce = True
            logger.info("consent_head() rendered without a CSP nonce and the response has no Content-Security-Policy: "
                        "the widget's tags go out without one. If a middleware outside ConsentMiddleware sets the CSP, "
                        "have it put its nonce in request.state.csp_nonce before calling the app")
        return NonceFiller(placeholder, self.nonce)

    async def _on_file(self, path: str) -> None:
        """An HTML file the app sends by path (the ``http.response.pathsend``
        extension), with its start held: the server would send the file past the
        gate, so it is read here and gated like any body. (Starlette's GZip sends it
        uncompressed instead; ungated is not an option.)"""
        async with await anyio.open_file(path, "rb") as file:
            chunk = await file.read(_FILE_CHUNK)
            while True:
                following = await file.read(_FILE_CHUNK)
                await self._on_body({"type": "http.response.body", "body": chunk, "more_body": bool(following)})
                if not following:
                    return
                chunk = following


def _explain(exc: Exception) -> None:
    """Add how to fix it to an error of the app's that consentkit can explain."""
    if type(exc).__name__ == "UndefinedError" and _HELPER_UNDEFINED.search(str(exc)):
        exc.add_note("consentkit: this template's Jinja2 environment has no consentkit helpers; call "
                     "kit.install(templates.env) once at start-up (it adds consent, consent_head() and consent_tag())")


def _gzip_inside(app: ASGIApp) -> GZipMiddleware | None:
    """The first ``GZipMiddleware`` in the stack inside ours, if any: the layers of a
    Starlette stack hold the next one as ``app``; a whole Starlette or FastAPI app
    lists its own in ``user_middleware``."""
    node: object = app
    for _ in range(_MAX_DEPTH):
        if isinstance(node, GZipMiddleware):
            return node
        for layer in getattr(node, "user_middleware", ()):
            if getattr(layer, "cls", None) is GZipMiddleware:
                return GZipMiddleware(app, *layer.args, **layer.kwargs)  # its settings, for our own compression
        node = getattr(node, "app", None)
        if node is None:
            return None
    return None


def _accepts_gzip(scope: Scope) -> bool:
    # As GZipMiddleware decides, so that either order gives the same answers.
    return any(name == b"accept-encoding" and b"gzip" in value for name, value in scope.get("headers", ()))


def _uncompressed(scope: Scope) -> Scope:
    """The scope the app inside gets: ``Accept-Encoding: identity``, so that no
    compressor inside it (a GZipMiddleware added after ours) hides HTML from the gate.
    ``state`` and everything else stay shared."""
    headers = scope.get("headers", ())
    for name, _ in headers:
        if name == b"accept-encoding":
            return {**scope, "headers": [h for h in headers if h[0] != b"accept-encoding"] + [_IDENTITY]}
    return scope


def _facts(raw: list[tuple[bytes, bytes]]) -> tuple[bytes, bool, str | None, bool, bool, bool, bool]:
    """(Content-Type, whether a Content-Encoding is set, Content-Security-Policy,
    whether a Set-Cookie is, whether a Link or Refresh is, whether anything says how
    to cache it (``cookies_out.shared_cache_may_store`` reads those), whether a Vary
    is) of a response, in one pass over its headers; the first of each, as
    headers.get() gives."""
    content_type, encoded, csp, cookies, links, caching, vary = None, False, None, False, False, False, False
    for name, value in raw:
        fact = _FACTS.get(name.lower())
        if fact is None:
            continue
        if fact == _TYPE:
            content_type = value if content_type is None else content_type
        elif fact == _ENCODING:
            encoded = True
        elif fact == _CSP:
            csp = value.decode("latin-1") if csp is None else csp
        elif fact == _COOKIE:
            cookies = True
        elif fact == _LINK:
            links = True
        elif fact == _CACHING:
            caching = True
        else:
            vary = True
    return (content_type or b"").lower().lstrip(), encoded, csp, cookies, links, caching, vary


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


def _gate_grants(visit: Visit) -> tuple[Mapping[str, bool], Mapping[str, bool], frozenset[str] | None]:
    """What the gate may serve live: categories, services by their own value, and the
    units they allow (None: the gate works them out). Worked out once per cached
    outcome: a returning visitor's cookie, or every new visitor's shared outcome."""
    state = visit.outcome.state
    cached = visit.cached
    if cached is not None and cached.outcome is visit.outcome and visit.brought is not None:
        # A cookie's own outcome: _held() gives its categories and services as they are.
        if cached.allowed is None:
            cached.allowed = allowed_units(visit.kit.policy, state.categories, state.services)
        return state.categories, state.services, cached.allowed
    fresh = visit.fresh
    if fresh is not None and state.categories is fresh.outcome.state.categories:
        if fresh.held is None:
            fresh.held = _held(visit)
            fresh.allowed = allowed_units(visit.kit.policy, *fresh.held)
        return (*fresh.held, fresh.allowed)
    grants, services = _held(visit)
    if cached is None or cached.outcome is not visit.outcome or grants is not state.categories:
        return grants, services, None
    if cached.allowed is None:
        cached.allowed = allowed_units(visit.kit.policy, grants, services)
    return grants, services, cached.allowed


def _held(visit: Visit) -> tuple[Mapping[str, bool], Mapping[str, bool]]:
    """Categories and services the gate serves live. On a visitor's first page in
    opt_out mode (no consent cookie yet), sale or sharing tags wait for the widget:
    a GPC signal may be in ``navigator.globalPrivacyControl`` only (a proxy stripped
    the header), so they go out inert and the widget activates them once it has read
    the signal and found none."""
    granted, services = visit.state.categories, visit.state.services
    policy = visit.policy
    sale = policy.sale_or_sharing_ids
    if visit.brought is None and visit.state.mode == "opt_out" and any(granted.get(cid) for cid in sale):
        held = {s.id: False for cid in sale for s in policy.category(cid).services}
        return {**granted, **dict.fromkeys(sale, False)}, {**services, **held}
    return granted, services


def _widget_head(visit: Visit) -> WidgetHead:
    """``kit.head_at(visit.root, region)``; the kit's own head for an app at the root
    without regions, the usual page view, without working the root out."""
    region = visit.outcome.state.region
    if region is None and not visit.scope.get("root_path"):
        return visit.kit.head
    return visit.kit.head_at(visit.root, region)


def _head(visit: Visit, head: WidgetHead, key: tuple[str, bool], nonce: str | None) -> bytes:
    """What goes at the top of <head>: the state (so the banner needs no request)
    and, unless a template already rendered it, the widget (``head``: this request's,
    ``key``: its ``head.key()``)."""
    out = _state_block(visit)
    if visit.kit.inject_widget and not visit.scope.get("consentkit.head_rendered"):
        out += head.tag_bytes(key, nonce=nonce)
    return out


def _placeholders(visit: Visit, lang: str, prefix: str,
                  kept: dict[Any, tuple[Policy, Placeholders]]) -> Placeholders:
    """Click-to-load placeholders in the visitor's language, whose no-JavaScript
    link comes back to this page; the same object (and what it made) for every request
    of the same page and language, up to a bound (the path is the client's)."""
    scope = visit.scope
    raw = scope.get("raw_path")
    query = scope.get("query_string") or b""
    policy = visit.policy
    # Keyed by the bytes the page is written from (decoded only to make a new one).
    key: tuple[int, str, str, str] | tuple[int, str, str, bytes, bytes]
    if isinstance(raw, bytes) and raw.startswith(b"/") and isinstance(query, bytes):
        key = (id(policy), lang, prefix, raw, query)
        found = kept.get(key)
        if found is not None and found[0] is policy:
            return found[1]
        page = raw.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")
    else:
        page = quote(scope["path"])
        if query:
            page += "?" + query.decode("latin-1")
        key = (id(policy), lang, prefix, page)
        found = kept.get(key)
        if found is not None and found[0] is policy:
            return found[1]
    made = Placeholders(policy, lang, prefix, page)
    if len(kept) < _PLACEHOLDERS_KEPT and len(page) <= 1024:
        kept[key] = (policy, made)
    return made


def _state_block(visit: Visit) -> bytes:
    """The state block, made once per cached outcome: every request that brings the
    same cookie (and made no decision) shares it."""
    fresh = visit.fresh
    if fresh is not None and visit.state.categories is fresh.outcome.state.categories:
        return _fresh_state_block(fresh, visit.state)
    cached = visit.cached
    if cached is None or cached.outcome is not visit.outcome:
        return state_block(visit.state)
    if cached.state_block is None:
        cached.state_block = state_block(visit.state)
    return cached.state_block


def _fresh_state_block(fresh: Fresh, state: ConsentState) -> bytes:
    """A new visitor's state block: the one every new visitor shares, with this
    visitor's id put in (an id made of characters JSON and HTML leave as they are)."""
    if fresh.state_block is None:
        template = fresh.outcome.state
        made = state_block(template).split(_json_string(template.visitor_id))
        fresh.state_block = (made[0] + b'"', b'"' + made[1]) if len(made) == 2 else (b"", b"")
    before, after = fresh.state_block
    if not before or not _PLAIN_ID.fullmatch(state.visitor_id):
        return state_block(state)
    return b"".join((before, state.visitor_id.encode(), after))


def _json_string(text: str) -> bytes:
    return b'"' + text.encode() + b'"'
