"""The parental flow's secrets: the links sent to parents, the forms' CSRF tokens,
and the keyed hash that stands in for the parent's e-mail address.

Links are itsdangerous tokens under the kit's rotating keys (the newest signs,
all verify), each kind with its own salt, timed by the kit's clock so that tests
can move past an expiry. A link names the child's visitor id and an opaque id;
never the address. Whether a valid link was already used or revoked is for the
ledger to say (``history``), not the token.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Literal

import itsdangerous

from ..csrf import CsrfGuard

if TYPE_CHECKING:
    from ..kit import ConsentKit

LinkKind = Literal["request", "manage"]
# How long a management link works: a parent's rights last, the link is renewed
# with every confirmation.
MANAGE_DAYS = 400
CSRF_SECONDS = 4 * 3600
MAX_TOKEN = 512
_SALTS: dict[LinkKind, str] = {"request": "consentkit.parental.request.v1", "manage": "consentkit.parental.manage.v1"}
_ID_KEY = {"request": "r", "manage": "m"}
_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
# A practical shape for an address (RFC 5321 lengths, no spaces, quotes, brackets or
# control characters, a dotted domain): enough to refuse typos and header injection.
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?=.{4,253}$)[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$")


@dataclass(frozen=True, slots=True)
class Link:
    """What a valid link names: the child, and the request or management id."""

    kind: LinkKind
    child_id: str
    id: str
    issued_at: datetime


def secret_keys(kit: ConsentKit) -> list[bytes]:
    """The kit's keys in itsdangerous' order (the signing key last)."""
    return kit.codec.secret_keys


@cache
def _serializer(kit: ConsentKit, kind: LinkKind) -> itsdangerous.URLSafeTimedSerializer:
    return kit.codec.serializer(_SALTS[kind])


def make_link_token(kit: ConsentKit, kind: LinkKind, child_id: str, id: str) -> str:
    """A signed token for a link of this kind."""
    return str(_serializer(kit, kind).dumps({"c": child_id, _ID_KEY[kind]: id}))


def read_link_token(kit: ConsentKit, token: str, *, max_age: dict[LinkKind, int]) -> Link | None:
    """The link a token names, or None when it is malformed, tampered with, signed
    under a key no longer held, or older than ``max_age[kind]`` seconds."""
    if not token or len(token) > MAX_TOKEN:
        return None
    for kind in ("request", "manage"):
        try:
            data, signed = _serializer(kit, kind).loads(token, max_age=max_age[kind], return_timestamp=True)
        except itsdangerous.BadData:
            continue
        if not isinstance(data, dict):
            return None
        child, id = data.get("c"), data.get(_ID_KEY[kind])
        if isinstance(child, str) and isinstance(id, str) and _ID.match(child) and _ID.match(id):
            return Link(kind, child, id, signed)
        return None
    return None


# -- CSRF: a form's token is bound to the link it was served under ---------------------


def _link_digest(link_token: str) -> str:
    return hashlib.sha256(link_token.encode("utf-8", "replace")).hexdigest()[:32]


@cache
@cache
def _csrf(kit: ConsentKit) -> CsrfGuard:
    return CsrfGuard(kit, "consentkit.parental.csrf.v1", CSRF_SECONDS)


def csrf_token(kit: ConsentKit, link_token: str) -> str:
    """A token for the forms of the page this link opens."""
    return _csrf(kit).token(_link_digest(link_token))


def csrf_valid(kit: ConsentKit, link_token: str, token: str | None) -> bool:
    return _csrf(kit).valid(_link_digest(link_token), token)


# -- the parent's address --------------------------------------------------------------


def normal_email(value: object) -> str | None:
    """The address, trimmed and lowercased, if it has the shape of one; else None."""
    if not isinstance(value, str) or len(value) > 254:
        return None
    address = value.strip().lower()
    return address if _EMAIL.match(address) else None


def _hash_with(key: bytes, address: str) -> str:
    derived = hmac.new(key, b"consentkit.parent-email.v1", hashlib.sha256).digest()
    return hmac.new(derived, address.encode("utf-8"), hashlib.sha256).hexdigest()


def email_hash(kit: ConsentKit, address: str) -> str:
    """The keyed hash kept instead of the address: HMAC-SHA256 under a key derived
    from the kit's newest secret key. Without the key, it cannot be reversed by
    hashing guessed addresses."""
    return _hash_with(secret_keys(kit)[-1], address)


def email_matches(kit: ConsentKit, address: str, hashed: str, keys: Sequence[bytes] | None = None) -> bool:
    """Whether ``address`` hashes to ``hashed`` under any of the kit's keys (a key
    rotated in after the request was made still lets the parent in)."""
    matched = False
    for key in keys if keys is not None else secret_keys(kit):
        matched |= hmac.compare_digest(_hash_with(key, address), hashed)
    return matched


__all__ = [
    "MANAGE_DAYS",
    "Link",
    "csrf_token",
    "csrf_valid",
    "email_hash",
    "email_matches",
    "make_link_token",
    "normal_email",
    "read_link_token",
    "secret_keys",
]
