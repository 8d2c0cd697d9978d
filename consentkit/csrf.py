"""Form tokens against cross-site forgery: each ties a form to its subject (the
visitor, or the parent's link), signed under the kit's rotating keys with a salt
per form, and valid for one lifetime, ``FORM_TOKEN_SECONDS``, for every form."""

from __future__ import annotations

import hmac

import itsdangerous

from .cookie import CookieCodec

# Long enough to read a page and decide, short enough to be no lasting key.
FORM_TOKEN_SECONDS = 4 * 3600
# One salt per form, so that no form's token is another's (nor a consent cookie).
PREFERENCES_SALT = "consentkit.csrf.v1"
PARENTAL_SALT = "consentkit.parental.csrf.v1"


class CsrfGuard:
    """Makes and checks the tokens of one kind of form (one salt)."""

    def __init__(self, codec: CookieCodec, salt: str) -> None:
        self._signer = codec.signer(salt)

    def token(self, subject: str) -> str:
        """A token for a form about ``subject``."""
        return self._signer.sign(subject).decode("ascii")

    def subject(self, token: str | None) -> str | None:
        """Whom ``token`` was made for, if it was made under a current key, recently."""
        if not token or len(token) > 256:
            return None
        try:
            return self._signer.unsign(token, max_age=FORM_TOKEN_SECONDS).decode("utf-8")
        except (itsdangerous.BadData, UnicodeDecodeError):
            return None

    def valid(self, subject: str, token: str | None) -> bool:
        """Whether ``token`` was made for ``subject``, under a current key, recently."""
        made_for = self.subject(token)
        return made_for is not None and hmac.compare_digest(made_for.encode("utf-8"), subject.encode("utf-8"))
