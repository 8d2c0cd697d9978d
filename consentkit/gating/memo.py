"""``PageMemo``: what the gate made of a whole page, kept for the next response
with the same bytes.

Most pages of a site are the same bytes for every visitor with the same choices
(a page rendered from the same template and data, a cached page). The gate's
answer depends on nothing but the body and the gate's context (the policy and
the grants' prepared rules, the nonce, the click-to-load placeholders, the
declared charset), except for the injection (state block and widget tags),
which differs from visitor to visitor (a new visitor's id) but goes where the
body alone decides. So the gate is run once with a marker for the injection,
and what it made is kept split at the marker; a response with the same body and
context is the two halves around its own injection. A dictionary lookup by the
body (equal bytes, not only an equal hash) replaces the scan.

A body is kept on its second sighting only (its hash is noted on the first), so
that pages unique to one response (a CSRF token, a user's name) cost a hash and
never fill the memo. Memory is bounded by ``limit`` bytes (bodies and what was
made of them), the oldest kept going first.
"""

from __future__ import annotations

import secrets
from collections.abc import Hashable

# A body longer than this is gated as it comes (a slice is the most the gate reads
# at once without yielding, response.SLICE).
LARGEST = 256 * 1024
# Hashes of bodies seen once, kept until this many (then forgotten all at once).
_SEEN = 4096


class PageMemo:
    """Bodies gated before, by body and gate context, with what was made of them
    (as the two halves around the injection)."""

    def __init__(self, limit: int = 8 * 1024 * 1024) -> None:
        self.limit = limit
        self.size = 0
        self.hits = self.misses = 0
        # The marker the injection is replaced with when a body is gated to be kept:
        # random per memo, so that no page can carry it by design (a body that holds
        # it is not kept).
        self.marker = b"<!--consentkit:" + secrets.token_hex(16).encode() + b"-->"
        self._kept: dict[tuple[bytes, Hashable], tuple[bytes, bytes, object]] = {}
        self._seen: set[int] = set()

    def get(self, body: bytes, context: Hashable) -> tuple[bytes, bytes, object] | None:
        found = self._kept.get((body, context))
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def wanted(self, body: bytes) -> bool:
        """Whether to gate this body to keep it: seen before, and no marker in it."""
        if len(body) > LARGEST or len(body) * 3 > self.limit:
            return False
        digest = hash(body)
        if digest not in self._seen:
            if len(self._seen) >= _SEEN:
                self._seen.clear()
            self._seen.add(digest)
            return False
        return self.marker not in body

    def keep(self, body: bytes, context: Hashable, made: bytes, owner: object = None) -> tuple[bytes, bytes, object] | None:
        """Keep what the gate made of ``body`` with the marker injected; the two
        halves, or None when the marker is not there exactly once. ``owner`` (the
        policy, named by its id in the context) is kept alive with the entry."""
        halves = made.split(self.marker)
        if len(halves) != 2:
            return None
        kept = (halves[0], halves[1], owner)
        key = (body, context)
        if key not in self._kept:
            self.size += len(body) + len(made)
            self._kept[key] = kept
            while self.size > self.limit:
                oldest = next(iter(self._kept))
                b, a, _ = self._kept.pop(oldest)
                self.size -= len(oldest[0]) + len(b) + len(a) + len(self.marker)
        return kept
