"""The parent's management page, opened through the link in the confirmation: the
parent's rights of 16 CFR 312.6 at any time, without an account. Review what was
recorded, change the choices, refuse further collection, have the child's records
deleted, or revoke the link itself.

Every change is a new record for the child (the ledger only appends), naming the
verification method of the decision it changes; deletion erases the child's
records and keeps only the parent's decision in force, so that it goes on
applying, and the proof of any opt-out of sale.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import RedirectResponse, Response

from ..call import Call
from ..catalogue import catalogue
from ..ledger.base import Record
from . import records
from .history import History
from .render import failure, not_found, page
from .tokens import Link

ACTIONS = frozenset({"save", "refuse", "delete", "revoke"})
_DONE = {
    "decided": "Your decision is recorded.",
    "saved": "Your changes are recorded.",
    "refused": "Further collection is refused: everything optional is off for your child.",
    "deleted": "Your child's records are deleted. Only your current decision is kept, so that it goes on applying.",
}
_WHAT = {
    ("request", "api"): "Your consent was requested",
    ("decision", "parent"): "Your decision",
    ("proof", "parent"): "Your decision (kept after deletion)",
    ("revocation", "parent"): "A management link was revoked",
}


def _describe(record: Record, kit_policy_labels: dict[str, str]) -> dict[str, Any]:
    optional = [cid for cid in record.choices if kit_policy_labels.get(cid) is not None]
    return {
        "at": record.at.strftime("%Y-%m-%d %H:%M UTC"),
        "what": _WHAT.get((record.kind, record.source), "Your child's own choice"),
        "status": record.parental_consent or "",
        "allowed": [kit_policy_labels[c] for c in optional if record.choices[c]],
        "verification": record.verification or "",
        "browser": " ".join(x for x in (record.browser, record.browser_major, "on", record.os) if x).strip()
        if record.browser else "",
    }


def _page(call: Call, token: str, found: History, decision: Record, status: int = 200) -> Response:
    kit = call.kit
    labels = {c.id: c.label for c in kit.policy.categories if not c.required}
    categories = catalogue(kit.policy)
    for category in categories:
        category["checked"] = category["required"] or bool(decision.choices.get(category["id"]))
    return page(
        call,
        "parental_manage.html",
        status=status,
        action=f"{call.visit.prefix}/parental/{token}",
        requests_url=f"{call.visit.prefix}/requests?requester=parent",
        link=records.link_url(call, token),
        csrf=kit.parental.tokens.form_token(token),
        done=_DONE.get(call.query.get("done", "")),
        mailed=call.query.get("mailed"),
        decision=_describe(decision, labels),
        collected=[c for c in categories if not c["sale_or_sharing"]],
        disclosed=[c for c in categories if c["sale_or_sharing"]],
        history=[_describe(r, labels) for r in reversed(found.records)],
        contact=kit.policy.controller.contact,
        disclosure_needs=records.disclosure_needs(kit),
    )


async def show(call: Call, token: str, link: Link) -> Response:
    found = await records.history(call.kit, link.child_id)
    decision = found.managed_decision(link.id)
    if decision is None:
        return not_found(call)
    return _page(call, token, found, decision)


async def act(call: Call, token: str, link: Link) -> Response:
    kit, visit = call.kit, call.visit
    form = await call.form()
    action = form.get("action", "")
    async with kit.parental.lock:
        found = await records.history(kit, link.child_id)
        decision = found.managed_decision(link.id)
        if decision is None:
            return not_found(call)
        if not kit.parental.tokens.form_valid(token, form.get("csrf_token")):
            return failure(call, 403, "this form has expired: open the link again")
        if action not in ACTIONS:
            return failure(call, 400, f"action must be one of {', '.join(sorted(ACTIONS))}")
        common: dict[str, Any] = {
            "child_id": link.child_id, "at": found.next_moment(visit.now), "source": "parent", "gpc": decision.gpc,
            "user_agent": visit.headers.get("user-agent"),
        }
        ids = {key: decision.extra[key] for key in ("request_id", "management_id") if key in decision.extra}
        if action == "revoke":
            await records.append(kit, kind="revocation", choices={}, parental_consent=None,
                                 extra={"management_id": link.id}, **common)
            return page(call, "parental_revoked.html")
        if action == "delete":
            await kit.ledger.erase_visitor(link.child_id, records.erasure_proof(kit, found, visit.now))
            kit.parental.statuses.forget(link.child_id)
            done = "deleted"
        else:
            if action == "save":
                grants = records.grants(kit, form)
            else:
                grants = {c.id: c.required for c in kit.policy.categories}
            await records.append(kit, kind="decision", choices=grants, parental_consent=records.status_of(grants, kit),
                                 verification=decision.verification, extra=ids, **common)
            done = "saved" if action == "save" else "refused"
    return RedirectResponse(f"{call.visit.prefix}/parental/{token}?done={done}", status_code=303,
                            headers={"Cache-Control": "no-store", "Referrer-Policy": "same-origin"})
