"""The console's sessions and form tokens.

A session is a cookie signed under the kit's rotating keys (its own salt), holding
the user's name, a random session id and when it began: HttpOnly, SameSite=Strict,
``__Host-`` and Secure on HTTPS. It lapses after ``session_minutes`` without a
request (the signature's timestamp, renewed as it is used) and after
``session_hours`` in any case; logging out revokes its id in this process.

Every POST carries a token signed for its session id (double submit: a page of
another site can neither read the token nor send the cookie, SameSite=Strict).
The login form, before any session, gets a token bound to a random nonce in a
cookie of its own.
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets
from dataclasses import dataclass

import itsdangerous

from ..cookie import CookieCodec
from .config import Admin

SESSION_SALT = "consentkit.admin.session.v1"
CSRF_SALT = "consentkit.admin.csrf.v1"
LOGIN_SALT = "consentkit.admin.login.v1"
LOGIN_SECONDS = 1800  # to fill in the login form
_MAX_COOKIE = 1024


@dataclass(frozen=True, slots=True)
class Session:
    name: str
    sid: str
    began: int  # UNIX seconds
    refreshed: int  # UNIX seconds: when the cookie was last signed


class Sessions:
    """Makes and reads the console's session cookies and form tokens, for one kit."""

    def __init__(self, codec: CookieCodec, admin: Admin) -> None:
        self._session = codec.signer(SESSION_SALT)
        self._csrf = codec.signer(CSRF_SALT)
        self._login = codec.signer(LOGIN_SALT)
        self.admin = admin

    def issue(self, name: str, now: float, *, sid: str | None = None, began: int | None = None) -> str:
        payload = {"u": name, "s": sid or secrets.token_urlsafe(18), "b": int(now) if began is None else began}
        raw = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).rstrip(b"=")
        return self._session.sign(raw).decode("ascii")

    def read(self, value: str | None, now: float) -> Session | None:
        """The session a cookie holds, or None: unsigned, lapsed, too old or revoked."""
        if not value or len(value) > _MAX_COOKIE:
            return None
        try:
            raw, signed_at = self._session.unsign(value, max_age=self.admin.session_seconds, return_timestamp=True)
            data = json.loads(base64.urlsafe_b64decode(raw + b"=" * (-len(raw) % 4)))
        except (itsdangerous.BadData, ValueError):
            return None
        if not isinstance(data, dict):
            return None
        name, sid, began = data.get("u"), data.get("s"), data.get("b")
        if not isinstance(name, str) or not isinstance(sid, str) or not isinstance(began, int):
            return None
        if now - began > self.admin.session_max_seconds or sid in self.admin.revoked:
            return None
        return Session(name, sid, began, int(signed_at.timestamp()))

    def wants_refresh(self, session: Session, now: float) -> bool:
        """Renew the cookie's timestamp once a minute at most, not on every request."""
        return now - session.refreshed >= 60

    def revoke(self, session: Session, now: float) -> None:
        revoked = self.admin.revoked
        for sid, until in list(revoked.items()):
            if until < now:
                del revoked[sid]
        revoked[session.sid] = session.began + self.admin.session_max_seconds

    def csrf_token(self, subject: str) -> str:
        return self._csrf.sign(subject).decode("ascii")

    def csrf_valid(self, subject: str, token: str | None) -> bool:
        return _valid(self._csrf, subject, token, self.admin.session_max_seconds)

    def login_nonce(self) -> str:
        return secrets.token_urlsafe(18)

    def login_token(self, nonce: str) -> str:
        return self._login.sign(nonce).decode("ascii")

    def login_valid(self, nonce: str | None, token: str | None) -> bool:
        return bool(nonce) and _valid(self._login, nonce or "", token, LOGIN_SECONDS)


def _valid(signer: itsdangerous.TimestampSigner, subject: str, token: str | None, max_age: int) -> bool:
    if not token or len(token) > 256:
        return False
    try:
        value = signer.unsign(token, max_age=max_age)
    except itsdangerous.BadData:
        return False
    return hmac.compare_digest(value, subject.encode("utf-8"))
