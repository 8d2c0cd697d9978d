"""The parental flow's secrets: the links sent to parents, the forms' CSRF tokens,
and the keyed hash that stands in for the parent's e-mail address.

``ParentalTokens`` holds them for one kit (``kit.parental.tokens``). Links are
itsdangerous tokens under the kit's rotating keys (the newest signs, all verify),
each kind with its own salt, timed by the kit's clock so that tests can move past
an expiry. A link names the child's visitor id and an opaque id; never the
address. Whether a valid link was already used or revoked is for the ledger to say
(``history``), not the token.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import itsdangerous

from ..cookie import CookieCodec
from ..csrf import PARENTAL_SALT, CsrfGuard

LinkKind = Literal["request", "manage"]
LINK_KINDS: tuple[LinkKind, ...] = ("request", "manage")
# How long a management link works: a parent's rights last, the link is renewed
# with every confirmation.
MANAGE_DAYS = 400
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


def normal_email(value: object) -> str | None:
    """The address, trimmed and lowercased, if it has the shape of one; else None."""
    if not isinstance(value, str) or len(value) > 254:
        return None
    address = value.strip().lower()
    return address if _EMAIL.match(address) else None


def _link_digest(link_token: str) -> str:
    return hashlib.sha256(link_token.encode("utf-8", "replace")).hexdigest()[:32]


def _hash_with(key: bytes, address: str) -> str:
    derived = hmac.new(key, b"consentkit.parent-email.v1", hashlib.sha256).digest()
    return hmac.new(derived, address.encode("utf-8"), hashlib.sha256).hexdigest()


class ParentalTokens:
    """The parental flow's signers for one kit, made once from its cookie codec."""

    def __init__(self, codec: CookieCodec) -> None:
        self._codec = codec
        self._links = {kind: codec.serializer(_SALTS[kind]) for kind in LINK_KINDS}
        self._forms = CsrfGuard(codec, PARENTAL_SALT)

    # -- links -----------------------------------------------------------------------

    def link(self, kind: LinkKind, child_id: str, id: str) -> str:
        """A signed token for a link of this kind."""
        return str(self._links[kind].dumps({"c": child_id, _ID_KEY[kind]: id}))

    def read(self, token: str, *, max_age: Mapping[LinkKind, int]) -> Link | None:
        """The link a token names, or None when it is malformed, tampered with, signed
        under a key no longer held, or older than ``max_age[kind]`` seconds."""
        if not token or len(token) > MAX_TOKEN:
            return None
        for kind in LINK_KINDS:
            try:
                data, signed = self._links[kind].loads(token, max_age=max_age[kind], return_timestamp=True)
            except itsdangerous.BadData:
                continue
            if not isinstance(data, dict):
                return None
            child, id = data.get("c"), data.get(_ID_KEY[kind])
            if isinstance(child, str) and isinstance(id, str) and _ID.match(child) and _ID.match(id):
                return Link(kind, child, id, signed)
            return None
        return None

    # -- CSRF: a form's token is bound to the link it was served under -----------------

    def form_token(self, link_token: str) -> str:
        """A token for the forms of the page this link opens."""
        return self._forms.token(_link_digest(link_token))

    def form_valid(self, link_token: str, token: str | None) -> bool:
        return self._forms.valid(_link_digest(link_token), token)

    # -- the parent's address ------------------------------------------------------------

    def email_hash(self, address: str) -> str:
        """The keyed hash kept instead of the address: HMAC-SHA256 under a key derived
        from the kit's newest secret key. Without the key, it cannot be reversed by
        hashing guessed addresses."""
        return _hash_with(self._codec.secret_keys[-1], address)

    def email_matches(self, address: str, hashed: str, keys: Sequence[bytes] | None = None) -> bool:
        """Whether ``address`` hashes to ``hashed`` under any of the kit's keys (a key
        rotated in after the request was made still lets the parent in)."""
        matched = False
        for key in keys if keys is not None else self._codec.secret_keys:
            matched |= hmac.compare_digest(_hash_with(key, address), hashed)
        return matched


__all__ = ["LINK_KINDS", "MANAGE_DAYS", "Link", "LinkKind", "ParentalTokens", "normal_email"]
