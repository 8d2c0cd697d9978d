"""consentkit's own data about a person, as a built-in source (``consentkit``): the
consent records of the browser that made the request, exported as consent receipts
and erased keeping only the proof the law requires (the consent in force, the latest
opt-out of sale, and a parent's decisions about a child, which stay in force)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..ledger import Ledger
from ..minors.history import is_parent_record
from ..policy import Policy
from ..receipts import proof_of_consent, proof_of_opt_out, to_receipt
from .sources import Source, Subject

NAME = "consentkit"


def own_source(ledger: Ledger, policy: Policy, prefix: str, *, forget: Callable[[str], None],
               clock: Callable[[], datetime]) -> Source:
    """The built-in source over ``ledger``; ``forget(visitor_id)`` drops what the kit
    caches about an erased visitor."""

    async def export(subject: Subject) -> Any:
        if not subject.visitor_id:
            return []
        records = await ledger.for_visitor(subject.visitor_id)
        return [to_receipt(r, policy, prefix=prefix) for r in records]

    async def delete(subject: Subject) -> Any:
        if not subject.visitor_id:
            return {"erased": 0, "kept": 0}
        records = await ledger.for_visitor(subject.visitor_id)
        parents = [r for r in records if is_parent_record(r)]
        own = [r for r in records if not is_parent_record(r) and r.kind == "decision"]
        proof = [*parents, *proof_of_consent(own, clock(), secrets.token_urlsafe(18), policy=policy),
                 *proof_of_opt_out(own, clock(), secrets.token_urlsafe(18), policy=policy)]
        erased = await ledger.erase_visitor(subject.visitor_id, proof)
        forget(subject.visitor_id)
        return {"erased": erased - len(parents), "kept": len(proof)}

    return Source(NAME, export=export, delete=delete)

