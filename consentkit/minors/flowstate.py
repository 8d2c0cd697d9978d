"""What the parental flow keeps for one kit, made in ``ConsentKit.__init__``
(``kit.parental``), so that two kits in one process share nothing: the signers of
its links and forms, the lock that makes a link single-use, the parental status
of recently seen children, and how many requests went to each address today."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from datetime import datetime, timedelta

from ..cookie import CookieCodec
from ..state import ParentalStatus
from .tokens import ParentalTokens

# How long a child's status read from the ledger is trusted (other instances of the
# site see a parent's decision within this), and how many children are remembered.
CACHE_SECONDS = 20
CACHE_SIZE = 4096
# At most this many requests a day for one child, and to one address.
MAX_REQUESTS_PER_DAY = 3
_ADDRESSES_KEPT = 10000
Status = tuple[ParentalStatus | None, dict[str, bool]]


class StatusCache:
    """The parental status of recently seen children, by visitor id (bounded)."""

    def __init__(self) -> None:
        self.entries: OrderedDict[str, tuple[datetime, Status]] = OrderedDict()

    def get(self, visitor_id: str, now: datetime) -> Status | None:
        entry = self.entries.get(visitor_id)
        if entry is None:
            return None
        until, status = entry
        if now >= until or now < until - timedelta(seconds=CACHE_SECONDS):
            del self.entries[visitor_id]
            return None
        return status

    def put(self, visitor_id: str, status: Status, now: datetime) -> None:
        self.entries[visitor_id] = (now + timedelta(seconds=CACHE_SECONDS), status)
        self.entries.move_to_end(visitor_id)
        while len(self.entries) > CACHE_SIZE:
            self.entries.popitem(last=False)

    def forget(self, visitor_id: str) -> None:
        """Drop what is remembered of this child: their records just changed."""
        self.entries.pop(visitor_id, None)


class AddressLimit:
    """Requests sent to each address (by its keyed hash) in the last day, in this
    process: the request form must not become a way to mail strangers."""

    def __init__(self) -> None:
        self._sent: OrderedDict[str, list[datetime]] = OrderedDict()

    def allow(self, hashed: str, now: datetime) -> bool:
        """Whether another request may go to this address today; counts it if so."""
        recent = [t for t in self._sent.get(hashed, []) if now - timedelta(days=1) <= t <= now]
        if len(recent) >= MAX_REQUESTS_PER_DAY:
            return False
        self._sent[hashed] = recent + [now]
        self._sent.move_to_end(hashed)
        while len(self._sent) > _ADDRESSES_KEPT:
            self._sent.popitem(last=False)
        return True


class ParentalFlowState:
    """The parental flow's per-kit state."""

    def __init__(self, codec: CookieCodec) -> None:
        self.tokens = ParentalTokens(codec)
        self.statuses = StatusCache()
        self.addresses = AddressLimit()
        # Held while a link is checked and its decision recorded, so that two posts of
        # the same link cannot both pass (within one process).
        self.lock = asyncio.Lock()


__all__ = ["CACHE_SECONDS", "MAX_REQUESTS_PER_DAY", "AddressLimit", "ParentalFlowState", "Status", "StatusCache"]
