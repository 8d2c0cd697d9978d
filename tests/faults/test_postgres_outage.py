"""PostgreSQL cut mid-load: a real uvicorn serves the app on the PostgreSQL ledger
through a TCP proxy; visitors keep deciding while the proxy cuts every connection
and refuses new ones, then lets them through again.

Decisions take effect during the cut (the spool holds them), and afterwards every
acknowledged decision is in PostgreSQL exactly once: none lost, none twice.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import anyio
import psycopg
import pytest
from psycopg import sql

from consentkit import ConsentKit
from consentkit.testing.server import LiveServer, serve
from tests.apps import make_app
from tests.kits import SECRET, make_policy
from tests.postgres import Proxy, through

from .visitors import Tally, Visitor, decide_through_a_cut

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]

VISITORS = 12
# Acknowledged decisions to wait for in each phase: before the cut, during it, after it.
PHASES = (60, 80, 60)


def _stored(postgres_url: str, schema: str) -> tuple[int, int, Counter[str]]:
    table = sql.Identifier(schema, "consentkit_records")
    with psycopg.connect(postgres_url) as conn:
        total, distinct = conn.execute(
            sql.SQL("SELECT COUNT(*), COUNT(DISTINCT receipt_id) FROM {}").format(table)).fetchone() or (0, 0)
        rows = conn.execute(sql.SQL("SELECT visitor_id, COUNT(*) FROM {} GROUP BY visitor_id").format(table))
        return total, distinct, Counter(dict(rows.fetchall()))


async def test_decisions_take_effect_through_a_cut_and_land_exactly_once(
    postgres_url: str, pg_schema: str, proxy: Proxy, tmp_path: Path
) -> None:
    store = f"{through(postgres_url, proxy.port)}?schema={pg_schema}"
    kit = ConsentKit(make_policy(), secret_keys=[SECRET], store=store, spool_dir=tmp_path / "spool")
    tally, during = await decide_through_a_cut(kit, proxy, VISITORS, PHASES, healthy_before=True)

    assert tally.problems == []
    assert during >= PHASES[1]
    # A decision waits for the store at most the ledger's timeout (2 s) before it spools.
    assert tally.slowest < 5.0, f"a decision took {tally.slowest:.1f} s"
    total, distinct, per_visitor = _stored(postgres_url, pg_schema)
    assert total == distinct == tally.total, f"{total} records ({distinct} distinct) for {tally.total} acknowledged"
    assert per_visitor == tally.acknowledged


async def test_receipts_during_an_outage_are_not_a_server_error(
    postgres_url: str, pg_schema: str, proxy: Proxy, tmp_path: Path
) -> None:
    store = f"{through(postgres_url, proxy.port)}?schema={pg_schema}"
    kit = ConsentKit(make_policy(), secret_keys=[SECRET], store=store, spool_dir=tmp_path / "spool")
    live: LiveServer = await anyio.to_thread.run_sync(lambda: serve(make_app(kit), lifespan="on"))
    visitor = Visitor(live.url, 0)
    tally = Tally()
    try:
        await visitor.decide(tally, 0)
        proxy.cut()
        await visitor.decide(tally, 1)  # spooled: the decision still takes effect
        r = await visitor.client.get("/consentkit/receipts")
        erase = await visitor.client.delete("/consentkit/receipts")
    finally:
        proxy.restore()
        await visitor.close()
        await anyio.to_thread.run_sync(live.stop)
    assert tally.problems == []
    # The ledger is down: the visitor's request is fine, the answer is "try later", never a 500.
    assert r.status_code in (200, 503), r.text
    assert erase.status_code in (200, 202, 503), erase.text
