"""The visitor's own records: access (``GET /consentkit/receipts``) and erasure
(``DELETE``), keeping only the minimal proof of what stays in force: the consent
(R27) and the opt-out of sale."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response

from .call import Call, Handler
from .minors.history import History, is_parent_record
from .minors.records import erasure_proof
from .receipts import proof_of_consent, proof_of_limit, proof_of_opt_out, to_receipt


async def get_receipts(call: Call) -> Response:
    visit = call.visit
    if visit.brought is None and not visit.records:
        records = []
    else:
        records = await call.kit.ledger.for_visitor(visit.choices.visitor_id)
    receipts = [to_receipt(r, call.kit.policy, prefix=call.visit.prefix) for r in records]
    return JSONResponse({"receipts": receipts}, headers={"Cache-Control": "no-store"})


async def delete_receipts(call: Call) -> Response:
    kit, visit = call.kit, call.visit
    if visit.brought is None and not visit.records:
        nothing = {"consent": [], "opt_out": [], "parent": False}
        return JSONResponse({"erased": 0, "kept": 0, "in_force": nothing}, headers={"Cache-Control": "no-store"})
    visitor_id = visit.choices.visitor_id
    records = await kit.ledger.for_visitor(visitor_id)
    if any(is_parent_record(r) for r in records):
        # A child's own erasure keeps the parent's decision in force, as the parent's delete does.
        proof = erasure_proof(kit, History(records), visit.now)
    else:
        proof = [*proof_of_consent(records, visit.now, kit.new_receipt_id(), policy=kit.policy),
                 *proof_of_opt_out(records, visit.now, kit.new_receipt_id(), policy=kit.policy),
                 *proof_of_limit(records, visit.now, kit.new_receipt_id(), policy=kit.policy)]
    erased = await kit.ledger.erase_visitor(visitor_id, proof)
    kit.parental.statuses.forget(visitor_id)
    # Say what was kept, and why: the proof of what is still in force (R27, R16).
    in_force = {"consent": sorted(cid for r in proof if r.source != "parent" for cid, v in r.choices.items() if v),
                "opt_out": sorted(cid for r in proof for cid, v in r.choices.items() if v is False),
                "parent": any(r.source == "parent" for r in proof)}
    return JSONResponse({"erased": erased, "kept": len(proof), "in_force": in_force},
                        headers={"Cache-Control": "no-store"})


ROUTES: dict[tuple[str, str], Handler] = {("GET", "receipts"): get_receipts, ("DELETE", "receipts"): delete_receipts}
