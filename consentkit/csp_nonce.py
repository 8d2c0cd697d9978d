"""A CSP nonce that is not known yet when the template renders.

A view that renders its template and then sets ``Content-Security-Policy`` (or a
policy set on the response by code after the template) leaves ``consent_head()``
without a nonce at render time. It writes a placeholder attribute instead,
`` nonce="<random>"``, new for each request (a page cannot guess it, so reflected
markup never gets the nonce through it); the middleware fills every placeholder
with the response's nonce as the body streams, or removes them when the response
has none.
"""

from __future__ import annotations

import secrets
from collections.abc import MutableMapping
from html import escape
from typing import Any

__all__ = ["PLACEHOLDER_KEY", "NonceFiller", "placeholder"]

# Where the request's placeholder lives in the ASGI scope, once a template needed one.
PLACEHOLDER_KEY = "consentkit.nonce_placeholder"


def placeholder(scope: MutableMapping[str, Any]) -> str:
    """This request's placeholder nonce (made on first use)."""
    found = scope.get(PLACEHOLDER_KEY)
    if not isinstance(found, str):
        found = scope[PLACEHOLDER_KEY] = "consentkit-nonce-" + secrets.token_urlsafe(18)
    return found


class NonceFiller:
    """Replaces `` nonce="<placeholder>"`` in a streamed body by the real nonce's
    attribute (or by nothing), whatever the chunks' boundaries; holds back at most a
    placeholder's length between chunks."""

    def __init__(self, placeholder: str, nonce: str | None) -> None:
        self.find = f' nonce="{placeholder}"'.encode()
        self.put = f' nonce="{escape(nonce)}"'.encode() if nonce else b""
        self.held = b""
        self.count = 0

    def feed(self, data: bytes, *, final: bool) -> bytes:
        data = self.held + data if self.held else data
        if self.find in data:
            self.count += data.count(self.find)
            data = data.replace(self.find, self.put)
        if final:
            self.held = b""
            return data
        # Hold back the longest end of the data that could begin a placeholder.
        start = max(0, len(data) - len(self.find) + 1)
        at = data.find(b" ", start)
        while at >= 0 and not self.find.startswith(data[at:]):
            at = data.find(b" ", at + 1)
        if at < 0:
            self.held = b""
            return data
        self.held = data[at:]
        return data[:at]
