"""The dashboard: consent over time, per day, week or month, from the ledger's
daily rollups (four queries, one per rollup grouping, whatever the number of
records), drawn as SVG with the table under each chart and its CSV."""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from starlette.responses import Response

from ..ledger.base import LedgerError
from ..ledger.rollups import DailyCount
from .charts import draw
from .config import Role
from .figures import (
    DECISIONS_BY,
    MINORS_BY,
    REGIONS_BY,
    VERSIONS_BY,
    Crosstab,
    Figure,
    Per,
    crosstab,
    decision_figures,
    minors_figures,
    periods,
)
from .page import AdminCall, Handler, Refused

MAX_DAYS = 3 * 366
_DEFAULT_SPAN = {"day": 30, "week": 7 * 12, "month": 365}
CHARTS = ("outcomes", "categories", "gpc", "opt_outs", "ages", "parental")
TABLES = ("versions", "regions")


@dataclass(slots=True)
class Range:
    per: Per
    since: date
    until: date  # excluded

    def query(self) -> dict[str, str]:
        return {"per": self.per, "since": self.since.isoformat(), "until": self.until.isoformat()}


def parse_range(call: AdminCall) -> Range:
    """The period asked for (``per``, ``since``, ``until`` excluded), checked; the
    last 30 days, 12 weeks or 12 months by default. Refused (400) otherwise."""
    query = call.query
    per = query.get("per", "day")
    if per not in ("day", "week", "month"):
        raise Refused(400, "per is day, week or month")
    today = call.now.date()
    try:
        until = date.fromisoformat(query["until"]) if query.get("until") else today + timedelta(days=1)
        since = date.fromisoformat(query["since"]) if query.get("since") else until - timedelta(days=_DEFAULT_SPAN[per])
    except ValueError:
        raise Refused(400, "since and until are dates: YYYY-MM-DD") from None
    if per == "week":
        since -= timedelta(days=since.weekday())
    elif per == "month":
        since = since.replace(day=1)
        if until.day != 1:
            until = (until.replace(day=28) + timedelta(days=4)).replace(day=1)
    if not since < until or (until - since).days > MAX_DAYS:
        raise Refused(400, f"since comes before until, at most {MAX_DAYS} days apart")
    return Range(per, since, until)  # type: ignore[arg-type]


async def _counts(call: AdminCall, span: Range, by: tuple[str, ...]) -> list[DailyCount]:
    # Weeks and months are summed by the store: a row per period and values, not per day.
    rows = await call.kit.ledger.store.daily_counts(span.since, span.until, by, per=span.per)
    if "source" not in by:
        return rows
    # A QA run's decisions (source "test", ConsentKit.test_token) are no visitor's.
    at = by.index("source")
    return [row for row in rows if row.values[at] != "test"]


async def figures(call: AdminCall, span: Range) -> tuple[list[Figure], list[Crosstab]]:
    """Every figure of the dashboard for ``span``."""
    await call.kit.startup()
    if not call.kit.ledger.healthy:
        raise LedgerError("the ledger store is not available")
    try:
        async with asyncio.timeout(10):
            decisions, minors, versions, regions = await asyncio.gather(
                *(_counts(call, span, by) for by in (DECISIONS_BY, MINORS_BY, VERSIONS_BY, REGIONS_BY))
            )
    except TimeoutError:
        raise LedgerError("the ledger store did not answer in time") from None
    keys = periods(span.since, span.until, span.per)
    policy = call.kit.policy
    charts = decision_figures(decisions, keys, span.per, categories=policy.category_ids,
                              sale_ids=policy.sale_or_sharing_ids)
    charts += minors_figures(minors, keys, span.per)
    return charts, [crosstab("versions", versions), crosstab("regions", regions, none="(none)")]


async def get_dashboard(call: AdminCall) -> Response:
    span = parse_range(call)
    charts, tables = await figures(call, span)
    total = int(sum(charts[0].total(name) for name in charts[0].series))
    return call.render(
        "dashboard.html", span=span, total=total, figures=[(f, draw(f)) for f in charts], tables=tables,
        csv_query="&".join(f"{k}={v}" for k, v in span.query().items()),
    )


async def get_csv(call: AdminCall) -> Response:
    """One chart's or table's numbers as CSV (``?chart=outcomes&per=...``)."""
    span = parse_range(call)
    wanted = call.query.get("chart", "")
    if wanted not in CHARTS + TABLES:
        raise Refused(400, f"chart is one of {', '.join(CHARTS + TABLES)}")
    charts, tables = await figures(call, span)
    rows = ([f.rows() for f in charts if f.id == wanted] + [t.table() for t in tables if t.id == wanted])[0]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_safe(cell) for cell in row])
    await call.audit("download_csv", chart=wanted, **span.query())
    name = f"consent-{wanted}-{span.per}-{span.since}-{span.until}.csv"
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    })


def _safe(cell: Any) -> str:
    """A cell a spreadsheet will not run as a formula (a policy version or region is text from the site)."""
    text = str(cell)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(text) else text


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


ROUTES: dict[tuple[str, str], tuple[Handler, Role]] = {
    ("GET", ""): (get_dashboard, "viewer"),
    ("GET", "dashboard.csv"): (get_csv, "viewer"),
}
