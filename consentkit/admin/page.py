"""The console's request toolkit: one request (``AdminCall``), its form, its page.

Every page is rendered on the server and needs no script; it is sent with a strict
Content-Security-Policy whose nonce is new on every response (the one script of the
console, for printing a receipt, carries it), is never cached, and is never framed.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from jinja2 import Environment, FileSystemLoader
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope

from .. import i18n
from ..assets import asset
from ..kit import ConsentKit
from ..ledger.base import Record
from ..mount import root_url
from .config import Admin, AdminUser, Role
from .sessions import Session, Sessions
from .texts import TEXTS

MAX_FORM = 8 * 1024
FORM = "application/x-www-form-urlencoded"
CSRF_FIELD = "csrf"
# Admin actions are ledger records of their own kind, all under one pseudo-visitor
# id (no visitor id has a colon): the audit trail is one indexed lookup.
AUDIT_VISITOR = "admin:console"


class Refused(Exception):
    """A request the console refuses, with its status and a message for the page."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def security_headers(nonce: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": (
            f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; "
            "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        ),
        "Cache-Control": "no-store",
        # same-origin, not no-referrer: with no-referrer a form POST says "Origin: null".
        "Referrer-Policy": "same-origin",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
    }


@cache
def static_file(name: str) -> tuple[bytes, str]:
    """One of the console's own files (``static/``), and a hash of it for its URL."""
    body = (Path(__file__).resolve().parent / "static" / name).read_bytes()
    return body, hashlib.sha256(body).hexdigest()[:12]


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
        autoescape=True, trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["thousands"] = lambda n: f"{n:,}"
    return env


class AdminCall:
    """One request to the console."""

    def __init__(self, console: ConsoleLike, scope: Scope, receive: Receive, tail: str = "") -> None:
        self.console = console
        self.kit: ConsentKit = console.kit
        self.admin: Admin = console.admin
        self.request = Request(scope, receive)
        self.scope = scope
        self.receive = receive
        self.tail = tail
        # The console's URL as the browser sees it (under the app's root_path, if any).
        self.base = root_url(scope) + console.path
        self.now: datetime = self.kit.clock()
        self.user: AdminUser | None = None
        self.session: Session | None = None
        self.nonce = secrets.token_urlsafe(16)
        self.lang = i18n.negotiate(self.request.headers.get("accept-language"), {})
        self._form: dict[str, str] | None = None

    @property
    def method(self) -> str:
        return str(self.scope["method"])

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(self.scope.get("query_string", b"").decode("latin-1"))[:32])

    def url(self, name: str = "") -> str:
        return self.base + "/" + name

    def t(self, key: str) -> str:
        return TEXTS[self.lang].get(key) or TEXTS["en"].get(key, key)

    @property
    def csrf(self) -> str:
        subject = self.session.sid if self.session else f"user:{self.user.name if self.user else ''}"
        return self.console.sessions.csrf_token(subject)

    def csrf_valid(self, token: str | None) -> bool:
        subject = self.session.sid if self.session else f"user:{self.user.name if self.user else ''}"
        return self.console.sessions.csrf_valid(subject, token)

    async def form(self) -> dict[str, str]:
        """The posted form (urlencoded, 8 KiB at most); Refused otherwise."""
        if self._form is not None:
            return self._form
        media = self.request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media != FORM:
            raise Refused(415, f"send the form as {FORM}")
        chunks, size = [], 0
        async for chunk in self.request.stream():
            size += len(chunk)
            if size > MAX_FORM:
                raise Refused(413, f"the form is larger than {MAX_FORM} bytes")
            chunks.append(chunk)
        try:
            self._form = dict(parse_qsl(b"".join(chunks).decode("utf-8"), keep_blank_values=True, max_num_fields=64))
        except (UnicodeDecodeError, ValueError):
            raise Refused(400, "the form is not valid") from None
        return self._form

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        css = asset("widget.css")
        html = self.console.templates.get_template(template).render(
            call=self, t=self.t, lang=self.lang, user=self.user, nonce=self.nonce, url=self.url,
            widget_css=f"{self.kit.prefix}/widget.css?v={css.version if css else '0'}",
            admin_css=f"{self.url('static/admin.css')}?v={static_file('admin.css')[1]}",
            admin_js=f"{self.url('static/admin.js')}?v={static_file('admin.js')[1]}",
            **context,
        )
        return HTMLResponse(html, status_code=status, headers={**security_headers(self.nonce), "Content-Language": self.lang})

    async def audit(self, action: str, **details: Any) -> None:
        """Record an admin action in the ledger: who, what, when (never a visitor's
        address or anything the ledger does not already hold)."""
        policy = self.kit.policy
        record = Record(
            receipt_id=self.kit.new_receipt_id(), visitor_id=AUDIT_VISITOR, at=self.now,
            policy_version=policy.version, mode=policy.mode, choices={}, source="admin", kind="admin",
            extra={"user": self.user.name if self.user else details.pop("user", ""), "action": action, **details},
        )
        await self.kit.startup()
        await self.kit.ledger.append(record)


class ConsoleLike:
    """What a call needs of the console (``console.Console`` is one)."""

    kit: ConsentKit
    admin: Admin
    path: str
    sessions: Sessions
    templates: Environment


Handler = Callable[[AdminCall], Awaitable[Response]]
Route = tuple[Handler, Role]
