"""The dashboard: consent over time, from the ledger's daily rollups."""

from __future__ import annotations

from datetime import timedelta

from starlette.responses import Response

from .config import Role
from .page import AdminCall, Handler


async def get_dashboard(call: AdminCall) -> Response:
    until = call.now.date() + timedelta(days=1)
    since = until - timedelta(days=30)
    await call.kit.startup()
    rows = await call.kit.ledger.store.daily_counts(since, until)
    total = sum(r.decisions for r in rows)
    return call.render("dashboard.html", total=total, since=since, until=until)


ROUTES: dict[tuple[str, str], tuple[Handler, Role]] = {
    ("GET", ""): (get_dashboard, "viewer"),
}
