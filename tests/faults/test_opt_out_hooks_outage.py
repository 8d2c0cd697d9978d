"""The opt-out hook across a ledger outage (R42, §7026(f)): visitors keep deciding,
withdrawing categories now and then, while PostgreSQL is cut and restored; the hook
gets every withdrawal the ledger ends up holding, exactly once, and nothing else."""

from __future__ import annotations

import asyncio
import json
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import anyio
import psycopg
import pytest
from psycopg import sql

from consentkit import ConsentKit
from consentkit.testing.server import LiveServer, serve
from tests.apps import make_app
from tests.kits import SECRET, make_policy
from tests.postgres import Proxy, through

from .test_postgres_outage import _until
from .visitors import Tally, Visitor

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]

VISITORS = 6
PHASES = (24, 30, 24)
OPTIONAL = ("analytics", "captcha", "advertising")


def _withdrawals(postgres_url: str, schema: str) -> set[str]:
    """The receipt ids of the stored decisions that withdrew a category: granted by the
    visitor's previous record (or by opt_out mode's default, before the first), denied now."""
    table = sql.Identifier(schema, "consentkit_records")
    with psycopg.connect(postgres_url) as conn:
        rows = conn.execute(sql.SQL("SELECT visitor_id, at, receipt_id, choices FROM {} ORDER BY visitor_id, at, "
                                    "receipt_id").format(table)).fetchall()
    found: set[str] = set()
    previous: dict[str, dict[str, bool]] = {}
    for visitor_id, _, receipt_id, choices in rows:
        now = choices if isinstance(choices, dict) else json.loads(choices)
        before = previous.get(visitor_id, dict.fromkeys(OPTIONAL, True))
        if any(before.get(c) and not now.get(c) for c in OPTIONAL):
            found.add(receipt_id)
        previous[visitor_id] = now
    return found


async def test_R42_the_hook_gets_every_withdrawal_once_across_a_ledger_outage(
    postgres_url: str, pg_schema: str, proxy: Proxy, tmp_path: Path
) -> None:
    events: list[dict[str, Any]] = []
    lock = threading.Lock()

    def hook(event: dict[str, Any]) -> None:
        with lock:
            events.append(event)

    store = f"{through(postgres_url, proxy.port)}?schema={pg_schema}"
    kit = ConsentKit(make_policy(), secret_keys=[SECRET], store=store, spool_dir=tmp_path / "spool",
                     opt_out_hooks=[hook])
    live: LiveServer = await anyio.to_thread.run_sync(lambda: serve(make_app(kit), lifespan="on"))
    tally = Tally()
    phase = {"name": "before"}
    during: list[int] = []
    visitors = [Visitor(live.url, n) for n in range(VISITORS)]
    stop = asyncio.Event()

    async def keep_deciding(visitor: Visitor) -> None:
        step = 0
        while not stop.is_set():
            started_in = phase["name"]
            if await visitor.decide(tally, step) and started_in == phase["name"] == "cut":
                during.append(1)
            step += 1

    try:
        async with anyio.create_task_group() as group:
            for visitor in visitors:
                group.start_soon(keep_deciding, visitor)
            await _until(lambda: tally.total >= PHASES[0], "decisions before the cut")
            proxy.cut()
            phase["name"] = "cut"
            await _until(lambda: len(during) >= PHASES[1], "decisions during the cut")
            assert kit.ledger.spool.pending() and not kit.ledger.healthy
            proxy.restore()
            phase["name"] = "after"
            restored_at = tally.total
            await _until(lambda: tally.total >= restored_at + PHASES[2], "decisions after the cut")
            stop.set()
        await _until(lambda: kit.ledger.healthy and not kit.ledger.spool.pending(), "the ledger's spool to drain")
        await _until(lambda: not kit.opt_outs.pending, "the hooks' spool to drain")
    finally:
        stop.set()
        for visitor in visitors:
            await visitor.close()
        await anyio.to_thread.run_sync(live.stop)

    assert tally.problems == []
    expected = _withdrawals(postgres_url, pg_schema)
    told = Counter(e["id"] for e in events)
    assert expected, "the visitors withdrew nothing: the test proves nothing"
    assert [i for i, n in told.items() if n > 1] == [], "an opt-out reached the hook twice"
    assert set(told) == expected
