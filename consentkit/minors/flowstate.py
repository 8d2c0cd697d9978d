"""What the parental flow keeps for one kit, made in ``ConsentKit.__init__``
(``kit.parental``), so that two kits in one process share nothing: the signers of
its links and forms, the lock that makes a link single-use, and the parental
status of recently seen children. (Requests to an address are counted in the
ledger, so that every instance sees them: ``records.address_allowed``.)"""

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


class ParentalFlowState:
    """The parental flow's per-kit state."""

    def __init__(self, codec: CookieCodec) -> None:
        self.tokens = ParentalTokens(codec)
        self.statuses = StatusCache()
        # Held while a link is checked and its decision recorded, so that two posts of
        # the same link cannot both pass (within one process).
        self.lock = asyncio.Lock()


__all__ = ["CACHE_SECONDS", "ParentalFlowState", "Status", "StatusCache"]
