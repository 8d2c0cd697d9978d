"""The two-step opt-in's token (contract section 8; 11 CCR 7001(a), 7028).

A grant of sale or sharing that needs confirming changes nothing: its answer carries
a token, and the visitor's separate confirmation sends the token back. The token is
the grant itself, signed under the kit's keys with a salt of its own (so it is never
a cookie or a form token), on the kit's clock, and bound to the visitor and to the
state they were in when they asked: any decision in between (an opt-out, a GPC
signal, the confirmation itself) makes it stale.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import itsdangerous

from .cookie import CookieCodec
from .state import AGE_BANDS, SOURCES, AgeBand, Choices, Source

SALT = "consentkit.confirm.v1"
# How long a visitor has to confirm: long enough to read, short enough to be one act.
CONFIRM_SECONDS = 10 * 60
MAX_TOKEN_CHARS = 4096


class ConfirmationError(ValueError):
    """A confirmation that cannot be applied; ``status`` is the HTTP answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Pending:
    """A grant waiting for its confirmation: what the first request asked for."""

    given: Mapping[str, bool] | None
    age_band: AgeBand | None
    sale_opt_in: bool | None
    source: Source
    categories: tuple[str, ...]
    requested_at: datetime
    services: Mapping[str, bool] | None = None


def _stamp(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())


class Confirmations:
    """Issues and redeems two-step tokens for one kit."""

    def __init__(self, codec: CookieCodec, *, max_age: int = CONFIRM_SECONDS) -> None:
        self._serializer = codec.serializer(SALT)
        self.max_age = max_age

    def issue(self, choices: Choices, pending: Pending) -> str:
        payload: dict[str, Any] = {
            "v": choices.visitor_id,
            "u": _stamp(choices.updated_at),
            "g": dict(pending.given) if pending.given is not None else None,
            "a": pending.age_band,
            "o": pending.sale_opt_in,
            "s": pending.source,
            "c": list(pending.categories),
            "t": _stamp(pending.requested_at),
            "sv": dict(pending.services) if pending.services is not None else None,
        }
        token: str = self._serializer.dumps(payload)
        return token

    def redeem(self, token: object, choices: Choices) -> Pending:
        """The grant this token confirms, for this visitor in this state; raises
        ConfirmationError (400 malformed or not theirs, 410 expired, 409 stale)."""
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
            raise ConfirmationError(400, "confirm must be the token of a pending grant")
        try:
            data = self._serializer.loads(token, max_age=self.max_age)
        except itsdangerous.SignatureExpired:
            raise ConfirmationError(410, "this confirmation has expired: ask again") from None
        except (itsdangerous.BadData, ValueError, UnicodeError):
            raise ConfirmationError(400, "this confirmation token is not valid") from None
        try:
            pending = _pending(data)
            visitor, updated = data["v"], data["u"]
        except (KeyError, TypeError, ValueError):
            raise ConfirmationError(400, "this confirmation token is not valid") from None
        if visitor != choices.visitor_id:
            raise ConfirmationError(400, "this confirmation token was made for another visitor")
        if updated != _stamp(choices.updated_at):
            raise ConfirmationError(409, "your choices changed since you asked: ask again")
        return pending


def _flags(value: Any) -> dict[str, bool] | None:
    if value is not None and not (isinstance(value, dict) and all(isinstance(v, bool) for v in value.values())):
        raise ValueError("bad grant")
    return value


def _pending(data: Any) -> Pending:
    given, services = _flags(data["g"]), _flags(data.get("sv"))
    band, source, opt_in, categories = data["a"], data["s"], data["o"], data["c"]
    if band is not None and band not in AGE_BANDS:
        raise ValueError("bad band")
    if source not in SOURCES or not (opt_in is None or isinstance(opt_in, bool)):
        raise ValueError("bad source")
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        raise ValueError("bad categories")
    return Pending(given, band, opt_in, source, tuple(categories), datetime.fromtimestamp(int(data["t"]), tz=UTC),
                   services)

