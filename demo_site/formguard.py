"""The quote form's defence against bots when reCAPTCHA is refused.

Three checks that need no third party: a honeypot field people never see, a
minimum time between showing the form and sending it (the start time travels
signed in the form, so the server keeps nothing per visitor), and a per-client
rate limit kept in memory, keyed by a salted hash of the client address so that
no raw IP address is ever stored or logged.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from itsdangerous import BadSignature, URLSafeTimedSerializer

Verdict = Literal["ok", "honeypot", "too_fast", "expired", "rate_limited"]

HONEYPOT_FIELD = "website"
STARTED_FIELD = "form_started"


class RateLimit:
    """At most ``limit`` attempts per client in a sliding ``window`` of seconds."""

    def __init__(self, limit: int, window: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a rate limit needs limit >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self.clock = clock
        self._salt = secrets.token_bytes(32)
        self._attempts: dict[str, deque[float]] = {}

    def client_key(self, address: str) -> str:
        """A salted hash of the address: enough to tell clients apart, useless to
        anyone who reads memory later (the salt dies with the process)."""
        return hmac.new(self._salt, address.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:32]

    def hit(self, address: str) -> bool:
        """Count one attempt; False when this client is over its limit."""
        now = self.clock()
        key = self.client_key(address)
        attempts = self._attempts.setdefault(key, deque())
        while attempts and attempts[0] <= now - self.window:
            attempts.popleft()
        if len(attempts) >= self.limit:
            return False
        attempts.append(now)
        if len(self._attempts) > 10_000:
            self._forget_idle(now)
        return True

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, v in self._attempts.items() if not v or v[-1] <= now - self.window]:
            del self._attempts[key]


@dataclass(frozen=True, slots=True)
class FormGuard:
    """Issues the signed start time of a form and judges a submitted form."""

    secret: str
    min_seconds: float = 3.0
    max_age_seconds: int = 2 * 3600
    rate: RateLimit | None = None
    clock: Callable[[], float] = time.time

    @property
    def _serializer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret, salt="consentkit-demo.quote-form")

    def issue(self) -> str:
        """The value of the form's hidden start-time field."""
        return self._serializer.dumps({"t": round(self.clock(), 3)})

    def judge(self, form: Mapping[str, str], client_address: str) -> Verdict:
        """What to make of a submitted form; ``"ok"`` lets it through."""
        if self.rate is not None and not self.rate.hit(client_address):
            return "rate_limited"
        if form.get(HONEYPOT_FIELD, "").strip():
            return "honeypot"
        try:
            data = self._serializer.loads(form.get(STARTED_FIELD, ""), max_age=self.max_age_seconds)
        except BadSignature:
            return "expired"
        started = data.get("t") if isinstance(data, dict) else None
        if not isinstance(started, (int, float)):
            return "expired"
        if self.clock() - started < self.min_seconds:
            return "too_fast"
        return "ok"
