"""``OutcomeCache``: the rules' outcome per consent cookie, kept on the kit."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime

from .rules import Outcome


class OutcomeCache:
    """Outcomes of the rules for cookies seen recently, keyed by the cookie value and
    the GPC signal. A visitor sends the same cookie on every request, and its outcome
    changes only at a known moment (expiry, the end of the 12-month window), so it is
    worked out once, not on every request. Bounded; only outcomes with no decision."""

    def __init__(self, size: int = 4096) -> None:
        self._entries: OrderedDict[tuple[str, bool], tuple[Outcome, datetime | None]] = OrderedDict()
        self._size = size

    def get(self, raw: str, gpc: bool, now: datetime) -> Outcome | None:
        entry = self._entries.get((raw, gpc))
        if entry is None:
            return None
        outcome, until = entry
        if until is not None and now >= until:
            return None
        return outcome

    def put(self, raw: str, gpc: bool, outcome: Outcome, now: datetime) -> None:
        moments = [m for m in (outcome.state.expires_at, outcome.choices.reprompt_not_before) if m and m > now]
        self._entries[(raw, gpc)] = (outcome, min(moments) if moments else None)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)
