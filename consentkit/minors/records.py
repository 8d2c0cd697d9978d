"""Writing the parental flow's records, and what the flow's writers share: ids,
the links' URLs and lifetimes, the parent's grants from a form. (The lock that
makes a link single-use and the limits per address are the kit's, in
``kit.parental``: see ``flowstate``.)"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, cast

from ..call import Call
from ..kit import ConsentKit
from ..ledger.base import Record
from ..receipts import proof_of_opt_out
from ..rules import Decision
from ..state import ParentalStatus, Source
from .history import History, is_parent_record
from .notifiers import DEFAULT_LINK_DAYS
from .tokens import MANAGE_DAYS, LinkKind
from .verifiers import DISCLOSURE_NEEDS, may_disclose

# Requests to one address are counted in the ledger, under a pseudonym of the
# address, so that every worker of every instance sees the same count.
LIMIT_KIND = "address_limit"
# At most this many requests a day for one child, and to one address.
MAX_REQUESTS_PER_DAY = 3


def new_id() -> str:
    return secrets.token_urlsafe(12)


def link_days(kit: ConsentKit) -> int:
    days = getattr(kit.notifier, "link_days", DEFAULT_LINK_DAYS)
    return days if isinstance(days, int) and not isinstance(days, bool) and days > 0 else DEFAULT_LINK_DAYS


def max_ages(kit: ConsentKit) -> dict[LinkKind, int]:
    return {"request": link_days(kit) * 86400, "manage": MANAGE_DAYS * 86400}


def link_url(call: Call, token: str) -> str:
    """The absolute URL of a parental link: on the notifier's ``site_url`` if it has
    one, else on the request's own scheme and host."""
    origin = getattr(call.kit.notifier, "site_url", None)
    if not isinstance(origin, str) or not origin:
        origin = f"{call.scope.get('scheme', 'http')}://{call.visit.headers.get('host', 'localhost')}"
    return f"{origin.rstrip('/')}{call.visit.prefix}/parental/{token}"


def address_key(kit: ConsentKit, address: str) -> str:
    """The ledger's pseudonym for an address, for counting requests to it: sub-addresses
    (``parent+1@``, ``parent+2@``) reach one inbox, so they count as one address."""
    local, _, domain = address.partition("@")
    inbox = local.split("+", 1)[0] or local
    return "addr-" + kit.parental.tokens.email_hash(f"{inbox}@{domain}")[:40]


async def address_allowed(kit: ConsentKit, address: str, now: datetime) -> bool:
    """Whether another request may go to this address today, by the ledger's count."""
    since = now - timedelta(days=1)
    sent = await kit.ledger.for_visitor(address_key(kit, address))
    return sum(1 for r in sent if r.kind == LIMIT_KIND and since <= r.at <= now) < MAX_REQUESTS_PER_DAY


async def count_address(kit: ConsentKit, address: str, now: datetime) -> None:
    """Count a request sent to this address (a record under its pseudonym, no choices)."""
    decision = Decision(
        visitor_id=address_key(kit, address), at=now, policy_version=kit.policy.version, mode=kit.policy.mode,
        choices=MappingProxyType({}), source="api", gpc=False, age_band="unknown", parental_consent=None,
    )
    await kit.ledger.append(kit.make_record(decision, None, kind=LIMIT_KIND))


async def history(kit: ConsentKit, child_id: str) -> History:
    return History(await kit.ledger.for_visitor(child_id))


def grants(kit: ConsentKit, form: Mapping[str, str]) -> dict[str, bool]:
    """The parent's grants from a form: a ticked box (``<category>=1``) grants it,
    unless the parent pressed "refuse everything"; necessary is always on. Disclosure
    (a sale or sharing category) only under a verifier stronger than e-mail plus (R45)."""
    refused = form.get("decision") == "refuse"
    disclose = may_disclose(str(getattr(kit.parental_verifier, "method", "")))
    return {c.id: c.required or (not refused and form.get(c.id) == "1" and (disclose or not c.sale_or_sharing))
            for c in kit.policy.categories}


def disclosure_needs(kit: ConsentKit) -> str:
    """What the parent's pages say when this kit's verifier may not grant disclosure."""
    return "" if may_disclose(str(getattr(kit.parental_verifier, "method", ""))) else DISCLOSURE_NEEDS


def status_of(choices: Mapping[str, bool], kit: ConsentKit) -> ParentalStatus:
    return "granted" if any(choices.get(cid) for cid in kit.policy.optional_ids) else "denied"


async def append(
    kit: ConsentKit,
    *,
    child_id: str,
    at: datetime,
    kind: str,
    source: str,
    choices: Mapping[str, bool],
    parental_consent: ParentalStatus | None,
    gpc: bool = False,
    user_agent: str | None = None,
    verification: str | None = None,
    extra: Mapping[str, Any],
) -> Record:
    """Append one of the flow's records for the child, and forget the child's
    cached status so that their next request sees it."""
    decision = Decision(
        visitor_id=child_id,
        at=at,
        policy_version=kit.policy.version,
        mode=kit.policy.mode,
        choices=MappingProxyType(dict(choices)),
        source=cast(Source, source),
        gpc=gpc,
        age_band="under_13",
        parental_consent=parental_consent,
    )
    record = kit.make_record(decision, user_agent, kind=kind, verification=verification, extra=extra)
    # Unlike kit.record, a failure is raised: the parent's decision exists only in
    # the ledger, so the flow answers 503 rather than pretend it took effect.
    await kit.ledger.append(record)
    kit.parental.statuses.forget(child_id)
    return record


def erasure_proof(kit: ConsentKit, found: History, now: datetime) -> list[Record]:
    """What stays when a parent has the child's records deleted: the parent's
    decision in force (so it goes on applying and can be shown), stripped of the
    browser, and the proof of the child's own opt-out of sale, if any."""
    kept: list[Record] = []
    decision = found.latest_decision
    if decision is not None:
        kept.append(Record(
            receipt_id=kit.new_receipt_id(),
            visitor_id=decision.visitor_id,
            at=decision.at,
            policy_version=decision.policy_version,
            mode=decision.mode,
            choices=dict(decision.choices),
            source="parent",
            gpc=decision.gpc,
            age_band=decision.age_band,
            parental_consent=decision.parental_consent,
            verification=decision.verification,
            kind="proof",
            extra={key: decision.extra[key] for key in ("management_id", "request_id") if key in decision.extra}
            | {"erased_at": now.isoformat(), "proves": decision.receipt_id},
        ))
    own = [r for r in found.records if not is_parent_record(r) and r.kind == "decision"]
    kept.extend(proof_of_opt_out(own, now, kit.new_receipt_id(), policy=kit.policy))
    return kept


__all__ = [
    "LIMIT_KIND", "MAX_REQUESTS_PER_DAY", "address_allowed", "address_key", "append", "count_address",
    "erasure_proof", "grants", "history", "link_days", "link_url", "max_ages", "new_id", "status_of",
]
