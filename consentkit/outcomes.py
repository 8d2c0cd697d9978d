"""``OutcomeCache``: the rules' outcome per consent cookie, kept on the kit."""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Mapping
from datetime import UTC, datetime

from .cookie import MAX_AGE_SECONDS, Loaded
from .policy import Policy
from .rules import Outcome, Signals, evaluate
from .state import Choices, ConsentState

_set = object.__setattr__
# Re-sign a cookie this old on the visitor's next response, so that a returning
# visitor's choices (above all an opt-out) outlive the browser's 400-day cap.
REFRESH_AFTER_SECONDS = 7 * 86400
# The visitor id a new visitor's outcome is worked out with, then replaced.
_TEMPLATE_ID = "consentkit-new-visitor-template"


class Cached:
    """One cached outcome, good until ``until``, and what is made from it once for
    every request that brings the same cookie: the page's state block, what the
    gate may serve live. It keeps what the verified cookie said (``brought``, when it
    was signed and whether by the current key), so that a request bringing the same
    cookie again needs no verification."""

    __slots__ = ("allowed", "brought", "current_key", "denied", "good_until", "outcome", "signed_at", "stale_at",
                 "state_block", "until")

    def __init__(self, outcome: Outcome, until: datetime | None, loaded: Loaded, now: datetime) -> None:
        self.outcome = outcome
        self.until = until
        self.brought = loaded.choices
        self.signed_at = signed_at = int(now.timestamp()) - loaded.age
        self.current_key = loaded.current_key
        # The tests of get() and of staleness as moments, worked out once: ``int(now.timestamp())
        # - signed_at > N`` is ``now >= moment(signed_at + N + 1)``, a comparison of datetimes.
        tz = UTC if now.tzinfo is not None else None
        void = datetime.fromtimestamp(signed_at + MAX_AGE_SECONDS + 1, tz)
        self.good_until = void if until is None or until > void else until
        # From when the cookie is re-signed (at once when an older key signed it).
        self.stale_at = datetime.fromtimestamp(signed_at + REFRESH_AFTER_SECONDS + 1, tz) if self.current_key else None
        self.state_block: bytes | None = None
        self.allowed: frozenset[str] | None = None  # what the gate may serve live (gating.hosts.allowed_units)
        # The categories denied, and what finds their cookies in a Cookie header (cookies_out._denied).
        self.denied: tuple[list[str], re.Pattern[str] | None] | None = None


class Fresh:
    """A new visitor's outcome (no consent cookie, no decision), the same for every
    new visitor under one policy and GPC signal but for the visitor id; and the
    page's state block made from it, cut where the visitor id goes."""

    __slots__ = ("_choices", "_state", "allowed", "denied", "held", "outcome", "state_block")

    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome
        self.state_block: tuple[bytes, bytes] | None = None
        self.allowed: frozenset[str] | None = None
        self.denied: tuple[list[str], re.Pattern[str] | None] | None = None
        # The (categories, services) the gate serves live on a new visitor's page
        # (middleware._gate_grants), the same for every one.
        self.held: tuple[Mapping[str, bool], Mapping[str, bool]] | None = None
        # Each made by copying these attributes: no __init__ (a dataclass's sets its 22
        # fields one by one, the most of a new visitor's cost outside the gate).
        self._choices = dict(vars(outcome.choices))
        self._state = dict(vars(outcome.state))

    def for_visitor(self, visitor_id: str) -> Outcome:
        """The outcome of a new visitor with this id, as ``evaluate`` gives it."""
        made = self._choices.copy()
        made["visitor_id"] = visitor_id
        choices = object.__new__(Choices)
        _set(choices, "__dict__", made)
        made = self._state.copy()
        made["visitor_id"] = visitor_id
        made["choices"] = choices
        state = object.__new__(ConsentState)
        _set(state, "__dict__", made)
        # A frozen dataclass's __init__ sets each field through a global lookup of object.
        outcome = object.__new__(Outcome)
        _set(outcome, "choices", choices)
        _set(outcome, "state", state)
        _set(outcome, "decision", None)
        return outcome


class OutcomeCache:
    """Outcomes of the rules for cookies seen recently, keyed by the cookie value, the
    GPC signal and the request's region. A visitor sends the same cookie on every request, and its outcome
    changes only at a known moment (expiry, the end of the 12-month window), so it is
    worked out once, not on every request. Bounded; only outcomes with no decision."""

    def __init__(self, size: int = 4096) -> None:
        self._entries: OrderedDict[tuple[str, bool, str | None], Cached] = OrderedDict()
        self._size = size
        self._fresh: dict[tuple[str | None, bool], tuple[Policy, Fresh | None]] = {}

    def fresh(self, policy: Policy, gpc: bool) -> Fresh | None:
        """A new visitor's outcome under ``policy`` (a region's, or the policy itself),
        or None when the signal makes a decision (GPC in a policy that sells or
        shares), which is each visitor's own. It does not depend on the time: nothing
        was decided, nothing expires."""
        key = (policy.region, gpc)
        found = self._fresh.get(key)
        if found is not None and found[0] is policy:
            return found[1]
        outcome = evaluate(policy, Choices(visitor_id=_TEMPLATE_ID), Signals(gpc=gpc), datetime(2000, 1, 1))
        fresh = Fresh(outcome) if outcome.decision is None else None
        if len(self._fresh) < 256:  # regions are the policy's: a few
            self._fresh[key] = (policy, fresh)
        return fresh

    def get(self, raw: str, gpc: bool, now: datetime, region: str | None = None) -> Cached | None:
        """The entry for this cookie value, while both its outcome and the cookie's
        signature hold (``CookieCodec.loads`` refuses a signature older than ``MAX_AGE_SECONDS``)."""
        entry = self._entries.get((raw, gpc, region))
        if entry is None or now >= entry.good_until:
            return None
        return entry

    def put(self, raw: str, gpc: bool, outcome: Outcome, loaded: Loaded, now: datetime,
            region: str | None = None) -> Cached:
        """Keep the outcome of ``raw``, the cookie value ``loaded`` verified."""
        moments = [m for m in (outcome.state.expires_at, outcome.choices.reprompt_not_before) if m and m > now]
        entry = self._entries[(raw, gpc, region)] = Cached(outcome, min(moments) if moments else None, loaded, now)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return entry
