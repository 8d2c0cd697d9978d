"""The consent cookie: the visitor's ``Choices`` in one compact signed value.

Keys rotate: the first key signs, every key verifies. Anything that does not
verify, or does not decode to valid choices, is "no cookie": a new visitor,
never an error.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, NamedTuple

import itsdangerous

from .state import AGE_BANDS, PARENTAL_STATUSES, Choices

COOKIE_NAME = "consentkit"
# Browsers keep a cookie at most 400 days; a signature older than that is stale.
MAX_AGE_SECONDS = 400 * 86400
# A value larger than this cannot be ours: refuse it before any cryptography.
MAX_COOKIE_BYTES = 2048
_VISITOR_ID = re.compile(r"^[A-Za-z0-9_-]{16,43}$")
_VERSION_MAX = 64
_PARENTAL_CODES = {status[0]: status for status in PARENTAL_STATUSES}


class MissingSecretError(ValueError):
    """ConsentKit was given no usable secret key."""


def _epoch(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())


def _moment(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**33:
        raise ValueError("bad time")
    return datetime.fromtimestamp(value, UTC)


def _flags(value: Any) -> dict[str, bool]:
    if not isinstance(value, dict) or len(value) > 64:
        raise ValueError("bad choices")
    out = {}
    for key, flag in value.items():
        if not isinstance(key, str) or len(key) > 40 or flag not in (0, 1) or isinstance(flag, float):
            raise ValueError("bad choice")
        out[key] = bool(flag)
    return out


def encode_payload(choices: Choices) -> dict[str, Any]:
    """Short keys, defaults left out: the cookie stays well under 1 KB."""
    data: dict[str, Any] = {"v": choices.visitor_id}
    if choices.policy_version:
        data["p"] = choices.policy_version
    if choices.choices:
        data["c"] = {k: int(v) for k, v in choices.choices.items()}
    if choices.decided_at is not None:
        data["d"] = _epoch(choices.decided_at)
    if choices.gpc:
        data["g"] = 1
    if choices.reprompt_not_before is not None:
        data["r"] = _epoch(choices.reprompt_not_before)
    if choices.age_band != "unknown":
        data["a"] = AGE_BANDS.index(choices.age_band)
    if choices.parental_consent is not None:
        data["k"] = choices.parental_consent[0]
    if choices.parental_choices:
        data["pc"] = {k: int(v) for k, v in choices.parental_choices.items()}
    if choices.sale_opt_in:
        data["o"] = 1
    if choices.updated_at is not None:
        data["u"] = _epoch(choices.updated_at)
    if choices.services:
        data["s"] = {k: int(v) for k, v in choices.services.items()}
    if choices.sensitive_limited:
        data["l"] = 1
    return data


def decode_payload(data: Any) -> Choices:
    """The inverse of ``encode_payload``; ValueError or TypeError for anything malformed."""
    if not isinstance(data, dict):
        raise TypeError("not an object")
    visitor_id = data.get("v")
    if not isinstance(visitor_id, str) or not _VISITOR_ID.match(visitor_id):
        raise ValueError("bad visitor id")
    version = data.get("p", "")
    if not isinstance(version, str) or len(version) > _VERSION_MAX:
        raise ValueError("bad version")
    band = data.get("a", 0)
    if not isinstance(band, int) or isinstance(band, bool) or not 0 <= band < len(AGE_BANDS):
        raise ValueError("bad age band")
    parental = data.get("k")
    if parental is not None and parental not in _PARENTAL_CODES:
        raise ValueError("bad parental status")
    return Choices(
        visitor_id=visitor_id,
        policy_version=version,
        choices=MappingProxyType(_flags(data.get("c", {}))),
        decided_at=_moment(data.get("d")),
        gpc=data.get("g") == 1,
        reprompt_not_before=_moment(data.get("r")),
        age_band=AGE_BANDS[band],
        parental_consent=_PARENTAL_CODES[parental] if parental else None,
        parental_choices=MappingProxyType(_flags(data.get("pc", {}))),
        sale_opt_in=data.get("o") == 1,
        updated_at=_moment(data.get("u")),
        services=MappingProxyType(_flags(data.get("s", {}))),
        sensitive_limited=data.get("l") == 1,
    )


class _ClockedSigner(itsdangerous.TimestampSigner):
    """A TimestampSigner that reads the kit's clock, so tests can move time."""

    def __init__(self, secret_key: Any, salt: Any = "consentkit.state.v1", *, clock: Callable[[], datetime],
                 **options: Any) -> None:
        super().__init__(secret_key, salt=salt, **options)
        self._clock = clock

    def get_timestamp(self) -> int:
        return int(self._clock().timestamp())


class Loaded(NamedTuple):
    """A verified cookie: the choices, the signature's age in seconds, and whether
    the current (first) key signed it; if not, it should be re-signed."""

    choices: Choices
    age: int
    current_key: bool


class CookieCodec:
    """Signs and verifies consent cookies under rotating keys.

    Verified values are remembered (bounded), since a visitor sends the same cookie
    on every request: checking it again would only repeat the same HMAC.
    """

    def __init__(
        self,
        secret_keys: Sequence[str],
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        cache_size: int = 4096,
    ) -> None:
        if isinstance(secret_keys, str | bytes):
            secret_keys = [secret_keys]
        if not isinstance(secret_keys, Iterable):
            raise MissingSecretError(
                f"ConsentKit needs secret_keys, a list of strings of 16 characters or more (newest first), not "
                f"{secret_keys!r}: for example secret_keys=[os.environ['CONSENT_KEY']]"
            )
        secret_keys = list(secret_keys)
        keys = [k for k in secret_keys if isinstance(k, str) and k]
        if not keys or len(keys) != len(secret_keys):
            raise MissingSecretError(
                "ConsentKit needs secret_keys: a list of non-empty strings, newest first "
                "(for example from an environment variable); the first signs, all verify"
            )
        if any(len(k) < 16 for k in keys):
            raise MissingSecretError("each secret key must be at least 16 characters long")
        # itsdangerous signs with the last key of the list and verifies with all.
        self._keys = list(reversed(keys))
        # QA runs mark their decisions with a token only the key's holder can make
        # (``test_tokens``): the ledger records them with source "test", out of the stats.
        tokens = [hmac.new(key.encode(), b"consentkit test marker", hashlib.sha256).hexdigest()[:32] for key in keys]
        self.test_token = tokens[0]
        self.test_tokens = frozenset(tokens)
        self._clock = clock
        self._signer = _ClockedSigner(self._keys, clock=clock)
        self._current = _ClockedSigner(self._keys[-1:], clock=clock)
        self._cache: OrderedDict[str, tuple[Choices, int, bool]] = OrderedDict()
        self._cache_size = cache_size

    @property
    def secret_keys(self) -> list[bytes]:
        """The keys in itsdangerous' order (the signing key last), as bytes."""
        return [k.encode() for k in self._keys]

    def signer(self, salt: str) -> itsdangerous.TimestampSigner:
        """A signer under the same rotating keys and clock, for another purpose
        (``salt`` keeps its signatures apart from the cookie's)."""
        return _ClockedSigner(self._keys, salt, clock=self._clock)

    def serializer(self, salt: str) -> itsdangerous.URLSafeTimedSerializer:
        """A URL-safe serializer (for links) under the same keys and clock."""
        return itsdangerous.URLSafeTimedSerializer(
            self._keys, salt=salt, signer=_ClockedSigner, signer_kwargs={"clock": self._clock}
        )

    def dumps(self, choices: Choices) -> str:
        raw = json.dumps(encode_payload(choices), separators=(",", ":")).encode()
        return self._signer.sign(base64.urlsafe_b64encode(raw).rstrip(b"=")).decode("ascii")

    def loads(self, value: str | None, now: datetime) -> Loaded | None:
        """The verified choices, or None for "no cookie"."""
        if not value or len(value) > MAX_COOKIE_BYTES:
            return None
        cached = self._cache.get(value)
        if cached is not None:
            choices, signed_at, current = cached
            age = int(now.timestamp()) - signed_at
            return Loaded(choices, age, current) if age <= MAX_AGE_SECONDS else None
        try:
            try:
                payload, signed = self._current.unsign(value, return_timestamp=True)
                current = True
            except itsdangerous.BadSignature:
                payload, signed = self._signer.unsign(value, return_timestamp=True)
                current = len(self._keys) == 1
            padded = payload + b"=" * (-len(payload) % 4)
            choices = decode_payload(json.loads(base64.urlsafe_b64decode(padded)))
        except (itsdangerous.BadData, ValueError, TypeError, UnicodeError, RecursionError):
            return None
        signed_at = int(signed.timestamp())
        age = int(now.timestamp()) - signed_at
        if age > MAX_AGE_SECONDS:
            return None
        self._cache[value] = (choices, signed_at, current)
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return Loaded(choices, age, current)
