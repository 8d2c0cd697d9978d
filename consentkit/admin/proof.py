"""Proof on demand: a visitor's records found by receipt id or visitor id (from a
support ticket), and each receipt as the visitor gets it (``GET
/consentkit/receipts``), printable or as JSON. Every lookup and every receipt
shown is an admin action in the ledger; nothing is shown that the ledger does not
already hold."""

from __future__ import annotations

import json
import re
from datetime import date

from starlette.responses import Response

from ..ledger.base import Record
from ..receipts import to_receipt
from .config import Role
from .page import AUDIT_VISITOR, AdminCall, Handler, Refused

# Receipt and visitor ids are URL-safe tokens; anything else is no id of ours.
ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


def _day(call: AdminCall) -> date | None:
    text = call.query.get("day", "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Refused(400, "day is a date: YYYY-MM-DD") from None


async def _history(call: AdminCall, wanted: str, day: date | None) -> tuple[Record | None, list[Record]]:
    """(the receipt's record if ``wanted`` is a receipt id, the visitor's records)."""
    await call.kit.startup()
    ledger = call.kit.ledger
    found = await ledger.find_receipt(wanted, day)
    visitor = found.visitor_id if found is not None else wanted
    if visitor == AUDIT_VISITOR:
        return None, []
    return found, await ledger.for_visitor(visitor)


async def get_receipts(call: AdminCall) -> Response:
    wanted = call.query.get("q", "").strip()
    if not wanted:
        return call.render("receipts.html", query="", day="", records=None, found=None)
    if not ID.match(wanted):
        raise Refused(400, "a receipt id or visitor id is letters, digits, '-' and '_'")
    day = _day(call)
    found, records = await _history(call, wanted, day)
    await call.audit("lookup", query=wanted, by="receipt" if found else "visitor", records=len(records))
    return call.render("receipts.html", query=wanted, day=day.isoformat() if day else "", records=records,
                       found=found, visitor=records[0].visitor_id if records else None)


async def _receipt(call: AdminCall) -> Record:
    receipt_id = call.tail.removesuffix(".json")
    if not ID.match(receipt_id):
        raise Refused(404, "no such receipt")
    await call.kit.startup()
    record = await call.kit.ledger.find_receipt(receipt_id, _day(call))
    if record is None or record.visitor_id == AUDIT_VISITOR:
        raise Refused(404, "no such receipt")
    return record


async def get_receipt(call: AdminCall) -> Response:
    """One receipt: printable HTML, or ``<id>.json`` as the visitor's receipts endpoint gives it."""
    record = await _receipt(call)
    receipt = to_receipt(record, call.kit.policy, prefix=call.kit.prefix)
    if call.tail.endswith(".json"):
        await call.audit("receipt_export", receipt=record.receipt_id)
        body = json.dumps(receipt, indent=2, ensure_ascii=False)
        return Response(body, media_type="application/json", headers={
            "Content-Disposition": f'attachment; filename="receipt-{record.receipt_id}.json"',
            "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
        })
    await call.audit("receipt_view", receipt=record.receipt_id)
    return call.render("receipt.html", record=record, receipt=receipt,
                       receipt_json=json.dumps(receipt, indent=2, ensure_ascii=False))


ROUTES: dict[tuple[str, str], tuple[Handler, Role]] = {
    ("GET", "receipts"): (get_receipts, "viewer"),
    ("GET", "receipts/*"): (get_receipt, "viewer"),
}
