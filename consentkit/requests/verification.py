"""How a requester is verified (11 CCR §7060-7062), pluggable like the parental verifier.

A verifier answers three questions: which ``level`` a request needs
(``"reasonable"`` for categories, correction, limits and deletion of ordinary data;
``"high"`` for specific pieces and for deletion of sensitive data), how the
challenge starts (``challenge``: the default sends a one-time code to the contact
given and keeps only its keyed hash), and whether an answer passes (``verify``).
Its ``method(request)`` is what the request's record names.

``EmailCodeVerifier`` is the default: an 8-digit code, valid 30 minutes, at most
5 tries per code and 3 codes per request; at the ``high`` level the requester also
signs a declaration under penalty of perjury (§7062(c)), and a site may add its own
``match`` of the answer's fields against what it already holds. A site plugs a
stronger verifier with ``ConsentKit(..., request_verifier=...)``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol, runtime_checkable

from ..ledger.codec import format_time, parse_time
from .model import PrivacyRequest

Level = Literal["reasonable", "high"]
CODE_DIGITS = 8
CODE_MINUTES = 30
MAX_TRIES = 5
MAX_CODES = 3
DECLARATION = ("I declare under penalty of perjury under the laws of the State of California that I am the "
               "consumer whose personal information is the subject of this request, or am authorized to act "
               "for them.")


def level_of(request: PrivacyRequest) -> Level:
    """The degree of certainty the law asks for this request."""
    if request.type == "access" or (request.type == "delete" and bool(request.details.get("sensitive"))):
        return "high"
    return "reasonable"


@dataclass(frozen=True, slots=True)
class Answer:
    """What the requester sent to verify: the code, whether they signed the
    declaration, and any other fields (read-only)."""

    code: str = ""
    declaration: bool = False
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Outcome:
    """A verifier's answer: passed or not, why not (shown to the requester), the
    verification state to keep on the request, and whether the request must close
    as unverifiable (too many tries)."""

    passed: bool
    verification: Mapping[str, Any]
    reason: str = ""
    give_up: bool = False


Send = Callable[[str], Awaitable[None]]


@runtime_checkable
class RequestVerifier(Protocol):
    """Verifies the person behind a request. ``challenge`` starts (or restarts) the
    check, sending what it must through ``send(code)``, and returns the state to keep
    on the request (never the secret itself); ``verify`` decides on an answer and
    must not raise for bad input. Both get the request as it is stored."""

    def method(self, request: PrivacyRequest) -> str: ...

    def needs_declaration(self, request: PrivacyRequest) -> bool: ...

    async def challenge(self, request: PrivacyRequest, send: Send, now: datetime) -> Mapping[str, Any]: ...

    async def verify(self, request: PrivacyRequest, answer: Answer, now: datetime) -> Outcome: ...


Match = Callable[[PrivacyRequest, Mapping[str, str]], Awaitable[bool]]


class EmailCodeVerifier:
    """A one-time code sent to the contact given (the default). ``key``: the secret
    the codes' hashes are keyed with (the kit passes its own). ``match``: a site's
    own check of the answer's fields for ``high`` requests (information it already
    holds, §7062(c)); without it, the code and the declaration are the check."""

    def __init__(self, key: bytes, *, match: Match | None = None, minutes: int = CODE_MINUTES) -> None:
        self._key = hmac.new(key, b"consentkit.request-code.v1", hashlib.sha256).digest()
        self.match = match
        self.minutes = minutes

    def _hash(self, request_id: str, code: str) -> str:
        return hmac.new(self._key, f"{request_id}:{code}".encode(), hashlib.sha256).hexdigest()

    def method(self, request: PrivacyRequest) -> str:
        if level_of(request) == "high":
            return "email_code+declaration" + ("+match" if self.match else "")
        return "email_code"

    def needs_declaration(self, request: PrivacyRequest) -> bool:
        return level_of(request) == "high"

    async def challenge(self, request: PrivacyRequest, send: Send, now: datetime) -> Mapping[str, Any]:
        sent = int(request.verification.get("codes", 0))
        if sent >= MAX_CODES:
            raise PermissionError("no more codes for this request")
        code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
        await send(code)
        return {"code_hash": self._hash(request.id, code), "expires": format_time(now + timedelta(minutes=self.minutes)),
                "tries": 0, "codes": sent + 1}

    async def verify(self, request: PrivacyRequest, answer: Answer, now: datetime) -> Outcome:
        state = dict(request.verification)
        expected, expires = state.get("code_hash"), state.get("expires")
        if not isinstance(expected, str) or not isinstance(expires, str):
            return Outcome(False, state, "no code is waiting for this request; ask for a new one")
        tries = int(state.get("tries", 0)) + 1
        state["tries"] = tries
        if now > parse_time(expires):
            return Outcome(False, state, "the code has expired; ask for a new one")
        code = "".join(ch for ch in answer.code if not ch.isspace())[:32]
        if not hmac.compare_digest(self._hash(request.id, code), expected):
            if tries >= MAX_TRIES:
                state.pop("code_hash", None)
                spent = int(state.get("codes", 0)) >= MAX_CODES
                return Outcome(False, state, "too many wrong codes", give_up=spent)
            return Outcome(False, state, "the code is not right")
        if self.needs_declaration(request) and not answer.declaration:
            return Outcome(False, state, "this request needs the signed declaration")
        if level_of(request) == "high" and self.match is not None and not await self.match(request, answer.fields):
            state.pop("code_hash", None)
            return Outcome(False, state, "the information given does not match what the site holds", give_up=True)
        state.pop("code_hash", None)
        return Outcome(True, state)


__all__ = ["DECLARATION", "Answer", "EmailCodeVerifier", "Level", "Outcome", "RequestVerifier", "level_of"]
