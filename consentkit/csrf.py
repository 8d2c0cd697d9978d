"""Form tokens against cross-site forgery: each ties a form to its subject (the
visitor, or the parent's link), signed under the kit's rotating keys, short-lived."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING

import itsdangerous

if TYPE_CHECKING:
    from .kit import ConsentKit

# Long enough to read a page and decide, short enough to be no lasting key.
DEFAULT_MAX_AGE = 4 * 3600


class CsrfGuard:
    def __init__(self, kit: ConsentKit, salt: str, max_age: int = DEFAULT_MAX_AGE) -> None:
        self._signer = kit.codec.signer(salt)
        self._max_age = max_age

    def token(self, subject: str) -> str:
        """A token for a form about ``subject``."""
        return self._signer.sign(subject).decode("ascii")

    def valid(self, subject: str, token: str | None) -> bool:
        """Whether ``token`` was made for ``subject``, under a current key, recently."""
        if not token or len(token) > 256:
            return False
        try:
            value = self._signer.unsign(token, max_age=self._max_age)
        except itsdangerous.BadData:
            return False
        return hmac.compare_digest(value, subject.encode("utf-8"))
