"""``OutcomeCache``: the rules' outcome per consent cookie, kept on the kit."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime

from .rules import Outcome


class Cached:
    """One cached outcome, good until ``until``, and what is made from it once for
    every request that brings the same cookie: the page's state block."""

    __slots__ = ("outcome", "state_block", "until")

    def __init__(self, outcome: Outcome, until: datetime | None) -> None:
        self.outcome = outcome
        self.until = until
        self.state_block: bytes | None = None


class OutcomeCache:
    """Outcomes of the rules for cookies seen recently, keyed by the cookie value, the
    GPC signal and the request's region. A visitor sends the same cookie on every request, and its outcome
    changes only at a known moment (expiry, the end of the 12-month window), so it is
    worked out once, not on every request. Bounded; only outcomes with no decision."""

    def __init__(self, size: int = 4096) -> None:
        self._entries: OrderedDict[tuple[str, bool, str | None], Cached] = OrderedDict()
        self._size = size

    def get(self, raw: str, gpc: bool, now: datetime, region: str | None = None) -> Cached | None:
        entry = self._entries.get((raw, gpc, region))
        if entry is None or (entry.until is not None and now >= entry.until):
            return None
        return entry

    def put(self, raw: str, gpc: bool, outcome: Outcome, now: datetime, region: str | None = None) -> Cached:
        moments = [m for m in (outcome.state.expires_at, outcome.choices.reprompt_not_before) if m and m > now]
        entry = self._entries[(raw, gpc, region)] = Cached(outcome, min(moments) if moments else None)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return entry
