"""Forgetting what an unanswered request to a parent kept (COPPA §312.5(c)(1), 2025;
R45): a request no parent answered before its link expired keeps no trace of the
address it went to. Its record is rewritten without the address's keyed hash (with
``address_forgotten_at``), and the per-address counters (``address_limit`` records,
named by another keyed hash of the address) go once their day is over. Answered
requests keep their hash: it is what lets the parent ask for a new management link.

``forget_lapsed(ledger, now, link_days)`` does it; the kit runs it every few hours
(``sweep``), with the children's retention (``retention.expire_children``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from ..ledger import Ledger
from ..ledger.base import LedgerError
from ..policy import Policy
from .history import History
from .retention import expire_children

logger = logging.getLogger("consentkit.minors")
LIMIT_KIND = "address_limit"
# How far before the links' expiry a run looks; the first run after a start looks back
# over the whole ledger, so that a kit down for longer forgets what lapsed meanwhile.
SCAN_DAYS = 7
SWEEP_EVERY = timedelta(hours=6)


async def forget_lapsed(ledger: Ledger, now: datetime, link_days: int, *, scan_days: int = SCAN_DAYS) -> int:
    """Forget the address of every request that lapsed in the ``scan_days`` before its
    link's expiry, and the counters older than a day; the number of requests whose
    address was forgotten."""
    cutoff = now - timedelta(days=link_days)
    day_ago = now - timedelta(days=1)
    children: set[str] = set()
    counters: set[str] = set()
    # Only the recent past: run every few hours, a request is seen in many runs after it lapses.
    async for record in ledger.iter_records(cutoff - timedelta(days=scan_days)):
        if record.at >= now:
            break
        if record.kind == "request" and record.at < cutoff and record.extra.get("email_hash"):
            children.add(record.visitor_id)
        elif record.kind == LIMIT_KIND and record.at < day_ago:
            counters.add(record.visitor_id)
    stamp = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    forgotten = 0
    for child in sorted(children):
        found = History(await ledger.for_visitor(child))
        lapsed = {r.receipt_id for r in found.requests
                  if r.at < cutoff and r.extra.get("email_hash") and found.open_request(str(r.extra["request_id"]))}
        if not lapsed:
            continue
        kept = [dataclasses.replace(r, extra={**{k: v for k, v in r.extra.items() if k != "email_hash"},
                                              "address_forgotten_at": stamp})
                if r.receipt_id in lapsed else r for r in found.records]
        await ledger.erase_visitor(child, kept)
        forgotten += len(lapsed)
    for key in sorted(counters):
        await ledger.erase_visitor(key, [r for r in await ledger.for_visitor(key) if r.at >= day_ago])
    return forgotten


async def sweep(ledger: Ledger, clock: Callable[[], datetime], link_days: int, *,
                children_days: int | None = None, policy: Policy | None = None) -> None:
    """Run ``forget_lapsed`` every ``SWEEP_EVERY``, for ever (the kit cancels it), and
    with it ``retention.expire_children`` for ``children_days``: each over the whole
    ledger the first time (a kit stopped for weeks catches up at its start), then over
    what is new since the run before. It holds the ledger, the clock and the policy,
    never the kit."""
    since: datetime | None = None
    scan_days = ledger.retention_days  # the first run: everything the ledger keeps
    while True:
        try:
            now = clock()
            forgotten = await forget_lapsed(ledger, now, link_days, scan_days=scan_days)
            scan_days = SCAN_DAYS
            if forgotten:
                logger.info("forgot the parent's address of %d lapsed request(s)", forgotten)
            if children_days is not None:
                cut = await expire_children(ledger, now, children_days, since=since, policy=policy)
                since = now - timedelta(days=children_days + 1)
                if cut:
                    logger.info("cut the records of %d child(ren) to the minimal proof (children's retention)", cut)
        except LedgerError:
            pass  # the store is down: the next run does it
        await asyncio.sleep(SWEEP_EVERY.total_seconds())


__all__ = ["forget_lapsed", "sweep"]
