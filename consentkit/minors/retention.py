"""Children's records follow a shorter retention than the ledger's (COPPA §312.10,
2025; R45): ``Policy(children_retention_days=...)``, 365 days by default.

A child's record is any record made with the age band ``under_13``: the child's own
decisions (the age answer, the banner, the preferences), the requests sent to a
parent (with the keyed hash of the parent's address), the parent's decisions and
the management links the parent revoked. Once older than the children's retention,
they are deleted, except the minimal proof the law needs while it is in force:

- the parent's decision in force (COPPA §312.5: the proof of verifiable parental
  consent, or of the refusal), without the browser: without it the child's status
  could not be shown, and the child would be asked again;
- the request that decision answers, reduced to its id and the keyed hash of the
  parent's address: it is how the parent proves, on an expired management link, that
  the new link may go to them (§312.6, R21);
- the proof of the child's latest opt-out of sale or sharing, if any (R16).

The parent's decision is the proof of consent for a child (a child's own grant
never goes beyond the parent's), so the child's own decisions are not kept. What is
kept carries ``retained_at`` and goes, like every record, with the ledger's own
retention. A lapsed request's hash is gone long before (``lapse.forget_lapsed``);
past this retention the request itself goes.

``expire_children(ledger, now, days)`` does it; the kit's sweep (``lapse.sweep``)
runs it with the lapsed requests.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from ..ledger import Ledger
from ..ledger.base import Record
from ..policy import Policy
from ..receipts import proof_of_opt_out
from .history import History, is_parent_record

CHILD_BAND = "under_13"
RETAINED = "retained_at"
# What the kept request and decision keep of their ``extra``.
_REQUEST_KEEPS = ("request_id", "email_hash")
_DECISION_KEEPS = ("request_id", "management_id")


def _is_child_record(record: Record) -> bool:
    return record.age_band == CHILD_BAND and RETAINED not in record.extra


def _stripped(record: Record, keeps: Iterable[str], stamp: str) -> Record:
    """The record without the browser and with only ``keeps`` of its ``extra``."""
    extra = {key: record.extra[key] for key in keeps if key in record.extra}
    return dataclasses.replace(record, browser="", browser_major="", os="", device="",
                               extra={**extra, RETAINED: stamp})


def minimal_proof(records: list[Record], cutoff: datetime, now: datetime,
                  policy: Policy | None = None) -> list[Record]:
    """What stays of one visitor's records once their children's records older than
    ``cutoff`` go: everything else as it was, and the minimal proof (module docstring)."""
    stamp = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    found = History(records)
    old = [r for r in found.records if r.at < cutoff and _is_child_record(r)]
    doomed = {r.receipt_id for r in old}
    kept = [r for r in found.records if r.receipt_id not in doomed]
    decision = found.latest_decision
    if decision is not None:
        if decision.receipt_id in doomed:
            kept.append(_stripped(decision, _DECISION_KEEPS, stamp))
        answered = decision.extra.get("request_id")
        kept.extend(_stripped(r, _REQUEST_KEEPS, stamp) for r in found.requests
                    if r.receipt_id in doomed and answered and r.extra.get("request_id") == answered)
    own = [r for r in old if not is_parent_record(r) and r.kind == "decision"]
    for proof in proof_of_opt_out(own, now, secrets.token_urlsafe(18), policy=policy):
        kept.append(dataclasses.replace(proof, age_band=CHILD_BAND, extra={**proof.extra, RETAINED: stamp}))
    return sorted(kept, key=lambda r: (r.at, r.receipt_id))


async def expire_children(ledger: Ledger, now: datetime, days: int, *, since: datetime | None = None,
                          policy: Policy | None = None) -> int:
    """Delete the children's records older than ``days``, keeping the minimal proof;
    the number of children whose records were cut. ``since``: where the scan starts
    (by default, the oldest record the ledger's own retention keeps)."""
    cutoff = now - timedelta(days=days)
    start = since if since is not None else now - timedelta(days=ledger.retention_days + 1)
    children: set[str] = set()
    async for record in ledger.iter_records(start):
        if record.at >= cutoff:
            break
        if _is_child_record(record):
            children.add(record.visitor_id)
    cut = 0
    for child in sorted(children):
        records = await ledger.for_visitor(child)
        if not any(r.at < cutoff and _is_child_record(r) for r in records):
            continue  # done since the scan (another instance's sweep)
        await ledger.erase_visitor(child, minimal_proof(records, cutoff, now, policy))
        cut += 1
    return cut


__all__ = ["CHILD_BAND", "RETAINED", "expire_children", "minimal_proof"]
