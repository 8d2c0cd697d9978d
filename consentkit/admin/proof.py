"""Proof on demand: a visitor's records found by receipt id or visitor id (from a
support ticket), and each receipt as the visitor gets it, printable or as JSON.
Every lookup is an admin action in the ledger."""

from __future__ import annotations

from starlette.responses import Response

from .config import Role
from .page import AdminCall, Handler


async def get_receipts(call: AdminCall) -> Response:
    return call.render("receipts.html", query="", records=None)


ROUTES: dict[tuple[str, str], tuple[Handler, Role]] = {
    ("GET", "receipts"): (get_receipts, "viewer"),
}
