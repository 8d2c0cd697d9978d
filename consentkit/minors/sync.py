"""The child's side of parental consent: a child's request reflects the parent's
latest decision, or the request still waiting for one.

Only visitors under 13 who have a parental status (``pending``, ``granted`` or
``denied``) are looked up: no store access for anyone else. ``denied`` is looked
up too, because a parent who refused may change their mind through the
management link. What the ledger says is kept for a few seconds per child, so
that a child's page views do not each read the store; the flow's own writes
``forget`` the child at once, so that on a single instance a decision shows on the
child's very next request (other instances see it within ``CACHE_SECONDS``).
"""

from __future__ import annotations

import logging
import weakref
from collections import OrderedDict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..ledger.base import LedgerError
from ..state import ParentalStatus
from .history import History

if TYPE_CHECKING:
    from ..kit import ConsentKit
    from ..visit import Visit

logger = logging.getLogger("consentkit.minors")

CACHE_SECONDS = 20
CACHE_SIZE = 4096
Status = tuple[ParentalStatus | None, dict[str, bool]]


class _Cache:
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


_caches: weakref.WeakKeyDictionary[ConsentKit, _Cache] = weakref.WeakKeyDictionary()


def _cache(kit: ConsentKit) -> _Cache:
    cache = _caches.get(kit)
    if cache is None:
        cache = _caches[kit] = _Cache()
    return cache


def forget(kit: ConsentKit, visitor_id: str) -> None:
    """Drop what is remembered of this child: their records just changed."""
    cache = _caches.get(kit)
    if cache is not None:
        cache.entries.pop(visitor_id, None)


def needs_sync(visit: Visit) -> bool:
    choices = visit.choices
    return choices.age_band == "under_13" and choices.parental_consent is not None


async def _status(kit: ConsentKit, visitor_id: str, now: datetime) -> Status | None:
    cache = _cache(kit)
    status = cache.get(visitor_id, now)
    if status is not None:
        return status
    try:
        records = await kit.ledger.for_visitor(visitor_id)
    except LedgerError as exc:
        # The cookie's status stands until the store answers again.
        logger.warning("the parental status could not be read from the ledger: %s", exc)
        return None
    status = History(records).status()
    cache.put(visitor_id, status, now)
    return status


async def sync_child(visit: Visit) -> None:
    """Adopt the parental status the ledger holds for this child, if it differs.

    With no trace left in the ledger (the records were erased), a child whose cookie
    says ``granted`` or ``denied`` starts over with no status: without a record, no
    consent can be shown, and the child may ask again. A ``pending`` cookie stays
    pending (its request may still be on its way to the store).
    """
    choices = visit.choices
    found = await _status(visit.kit, choices.visitor_id, visit.now)
    if found is None:
        return
    status, grants = found
    if status is None:
        if choices.parental_consent == "pending":
            return
        grants = {}
    if choices.parental_consent == status and dict(choices.parental_choices) == grants:
        return
    visit.adopt(choices.evolve(parental_consent=status, parental_choices=grants, updated_at=visit.now))


__all__ = ["CACHE_SECONDS", "forget", "needs_sync", "sync_child"]
