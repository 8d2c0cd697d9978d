"""The request toolkit of the ``/consentkit/*`` endpoints: the bottom of the request
layer, imported by every feature's routes and by nothing below them.

Every handler takes a ``Call`` and returns a Starlette ``Response``; anything a
client can get wrong raises ``ClientError`` and becomes a JSON 4xx (``error``).
The router (``routing``) adds the consent cookie to whatever the handler answers.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from starlette.responses import JSONResponse, Response
from starlette.types import Receive

from .kit import ConsentKit
from .rules import AlreadyAnswered, RuleError
from .visit import Visit

MAX_BODY = 8 * 1024
MAX_FORM_FIELDS = 64
FORM = "application/x-www-form-urlencoded"


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
        if self.media_type != FORM:
            raise ClientError(415, f"send the form as {FORM}")
        try:
            text = (await self.body()).decode("utf-8")
        except UnicodeDecodeError:
            raise ClientError(400, "the form is not UTF-8") from None
        try:
            return dict(parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS))
        except ValueError:  # more fields than allowed: the client's fault, never a 500
            raise ClientError(400, f"the form has more than {MAX_FORM_FIELDS} fields") from None

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


def refused(exc: RuleError) -> ClientError:
    """The answer to a decision the rules refuse: 409 when it contradicts an earlier
    answer, else 400."""
    return ClientError(409 if isinstance(exc, AlreadyAnswered) else 400, str(exc))


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


Handler = Callable[[Call], Awaitable[Response]]
