"""The opt-out hook across a ledger outage (R42, §7026(f)): visitors keep deciding,
withdrawing categories now and then, while PostgreSQL is cut and restored; the hook
gets every withdrawal the ledger ends up holding, exactly once, and nothing else."""

from __future__ import annotations

import json
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from consentkit import ConsentKit
from tests.kits import SECRET, make_policy
from tests.postgres import Proxy, through

from .visitors import OPTIONAL, decide_through_a_cut

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]

VISITORS = 6
PHASES = (24, 30, 24)


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
    tally, _ = await decide_through_a_cut(
        kit, proxy, VISITORS, PHASES, drained=(lambda: not kit.opt_outs.pending, "the hooks' spool to drain"))

    assert tally.problems == []
    expected = _withdrawals(postgres_url, pg_schema)
    told = Counter(e["id"] for e in events)
    assert expected, "the visitors withdrew nothing: the test proves nothing"
    assert [i for i, n in told.items() if n > 1] == [], "an opt-out reached the hook twice"
    assert set(told) == expected
