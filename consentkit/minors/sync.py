"""The child's side of parental consent: a child's request reflects the parent's
latest decision, or the request still waiting for one.

Only visitors under 13 who have a parental status (``pending``, ``granted`` or
``denied``) are looked up: no store access for anyone else. ``denied`` is looked
up too, because a parent who refused may change their mind through the
management link. What the ledger says is kept for a few seconds per child
(``kit.parental.statuses``), so that a child's page views do not each read the
store; the flow's own writes forget the child at once, so that on a single
instance a decision shows on the child's very next request (other instances see it
within ``flowstate.CACHE_SECONDS``).
"""

from __future__ import annotations

import logging
from datetime import datetime

from ..kit import ConsentKit
from ..ledger.base import LedgerError
from ..visit import Visit
from .flowstate import Status
from .history import History

logger = logging.getLogger("consentkit.minors")


def needs_sync(visit: Visit) -> bool:
    choices = visit.outcome.choices
    return choices.age_band == "under_13" and choices.parental_consent is not None


async def _status(kit: ConsentKit, visitor_id: str, now: datetime) -> Status | None:
    cache = kit.parental.statuses
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


__all__ = ["needs_sync", "sync_child"]
