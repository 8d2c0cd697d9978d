"""The dashboard's numbers are the ledger's: a known mix of decisions, counted
independently (tests/admin/mix.py), against the tables and CSVs the console
serves, on SQLite and PostgreSQL through their rollups."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import date, timedelta

import pytest

from consentkit.admin.charts import draw, nice_ceiling
from consentkit.admin.figures import Figure, periods

from .console import ADMIN_PATH, accounts, admin, audit_trail, client, login
from .mix import expected, make_mix, versions

pytestmark = pytest.mark.anyio


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))



async def test_dashboard_figures_are_the_ledgers(make_kit, tmp_path, clock, store_url):
    kit = make_kit(store=store_url, admin=admin(accounts(tmp_path)[0]), spool_dir=tmp_path / "spool")
    mix = make_mix(3000, clock())
    await kit.startup()
    await kit.ledger.store.append_many(mix.records)
    want = expected(mix)
    async with client(kit) as http:
        await login(http, "ana")
        page = await http.get(f"{ADMIN_PATH}/?per=day&since={mix.first}")
        assert page.status_code == 200
        assert re.search(r"data-total>3,000<", page.text)

        async def table(chart: str, **query: str) -> list[dict[str, str]]:
            params = {"chart": chart, "per": "day", "since": mix.first.isoformat(), **query}
            response = await http.get(f"{ADMIN_PATH}/dashboard.csv", params=params)
            assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
            return read_csv(response.text)

        outcomes = await table("outcomes")
        assert len(outcomes) == 30  # every day of the range, with or without decisions
        for row in outcomes:
            day = want.get(row["period"], {}).get("outcomes", Counter())
            for name in ("accepted_all", "rejected_all", "customised", "opt_out_signal"):
                assert int(row.get(name, 0)) == day[name], (row["period"], name)
            assert int(row["total"]) == sum(day.values())
        for row in await table("categories"):
            day = want[row["period"]]
            for cid in ("analytics", "captcha", "advertising"):
                assert int(row[f"{cid} granted"]) == day["granted"][cid]
                assert int(row[f"{cid} of"]) == day["decided"][cid]
                assert float(row[f"{cid} %"]) == pytest.approx(100 * day["granted"][cid] / day["decided"][cid], abs=0.05)
            assert "necessary %" not in row
        for row in await table("gpc"):
            assert (int(row["gpc granted"]), int(row["gpc of"])) == (want[row["period"]]["gpc"]["gpc"],
                                                                     want[row["period"]]["gpc"]["all"])
        for chart, key in (("opt_outs", "opt_outs"), ("ages", "ages"), ("parental", "parental")):
            for row in await table(chart):
                day = want[row["period"]][key]
                assert {k: int(v) for k, v in row.items() if k not in ("period", "total") and int(v)} == \
                    {k: v for k, v in day.items() if v}, (chart, row["period"])
        by_version = {row[""]: row for row in await table("versions")}
        for (version, source), n in versions(mix).items():
            assert int(by_version[version][source]) == n

        # Weeks and months add up the same days.
        weeks = await table("outcomes", per="week")
        assert sum(int(r["total"]) for r in weeks) == 3000
        for row in weeks:
            monday = date.fromisocalendar(int(row["period"][:4]), int(row["period"][6:]), 1)
            days = [(monday + timedelta(days=i)).isoformat() for i in range(7)]
            assert int(row["accepted_all"]) == sum(want.get(d, {}).get("outcomes", Counter())["accepted_all"]
                                                   for d in days)
        months = await table("outcomes", per="month")
        assert sum(int(r["total"]) for r in months) == 3000
        for row in months:
            assert int(row["total"]) == sum(sum(v["outcomes"].values()) for d, v in want.items()
                                            if d.startswith(row["period"]))
    assert {r.extra["action"] for r in await audit_trail(kit)} >= {"login", "download_csv"}
    await kit.shutdown()


@pytest.mark.parametrize("query", [
    "per=year", "since=yesterday", "since=2026-11-10&until=2026-11-01", "since=2020-01-01", "until=2026-13-01",
    "chart=nope",
])
async def test_bad_ranges_are_refused(make_kit, tmp_path, query):
    kit = make_kit(admin=admin(accounts(tmp_path)[0]))
    async with client(kit) as http:
        await login(http, "ana")
        assert (await http.get(f"{ADMIN_PATH}/dashboard.csv?chart=outcomes&{query}")).status_code == 400
        if not query.startswith("chart"):
            assert (await http.get(f"{ADMIN_PATH}/?{query}")).status_code == 400


async def test_csv_cells_are_never_formulas(make_kit, tmp_path, clock):
    from consentkit.ledger.base import Record

    kit = make_kit(admin=admin(accounts(tmp_path)[0]))
    await kit.startup()
    await kit.ledger.append(Record(receipt_id="x", visitor_id="v", at=clock(), policy_version="=HYPERLINK(1)",
                                   mode="opt_out", choices={"necessary": True}, source="banner"))
    async with client(kit) as http:
        await login(http, "ana")
        text = (await http.get(f"{ADMIN_PATH}/dashboard.csv?chart=versions")).text
    assert "'=HYPERLINK(1)" in text and "\n=HYPERLINK" not in text


def test_periods_cover_the_range_without_gaps():
    assert len(periods(date(2026, 1, 1), date(2026, 2, 1), "day")) == 31
    weeks = periods(date(2026, 1, 1), date(2026, 2, 1), "week")
    assert weeks[0] == date(2025, 12, 29) and all(w.weekday() == 0 for w in weeks) and len(weeks) == 5
    assert periods(date(2025, 11, 1), date(2026, 3, 1), "month") == [
        date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]


def test_stacked_bars_are_as_tall_as_their_numbers():
    figure = Figure("outcomes", "stack", ["a", "b"], {"x": [30.0, 0.0], "y": [10.0, 20.0]})
    chart = draw(figure)
    rects = [s for s in chart.shapes if s.kind == "rect"]
    assert [s.title for s in rects] == ["a x: 30", "a y: 10", "b y: 20"]
    top = nice_ceiling(40)
    assert top == 50
    unit = (chart.bottom - 12) / top
    assert rects[0].h == pytest.approx(30 * unit, abs=0.01) and rects[2].h == pytest.approx(20 * unit, abs=0.01)
    assert rects[1].y + rects[1].h == pytest.approx(rects[0].y, abs=0.01)  # stacked on top
    assert [label for _, label in chart.ticks] == ["0", "12.5", "25", "37.5", "50"]


def test_a_line_leaves_a_gap_where_nothing_was_decided():
    figure = Figure("gpc", "line", ["a", "b", "c"], {"gpc": [0.5, float("nan"), 0.25]}, unit="percent")
    chart = draw(figure)
    dots = [s for s in chart.shapes if s.kind == "dot"]
    assert [d.title for d in dots] == ["a gpc: 50.0%", "c gpc: 25.0%"]
