"""The console's figures leave a QA run's decisions (source ``test``) out, as
``consentkit stats`` does (issue 19)."""

from __future__ import annotations

import dataclasses
import re

import pytest

from .console import ADMIN_PATH, accounts, admin, client, login
from .mix import make_mix

pytestmark = pytest.mark.anyio


async def test_test_runs_are_not_counted(make_kit, tmp_path, clock):
    kit = make_kit(store=f"sqlite:///{tmp_path}/ledger.db", admin=admin(accounts(tmp_path)[0]),
                   spool_dir=tmp_path / "spool")
    mix = make_mix(40, clock())
    await kit.startup()
    tests = [dataclasses.replace(r, receipt_id=f"test-{n:020d}", source="test") for n, r in enumerate(mix.records[:7])]
    await kit.ledger.store.append_many([*mix.records, *tests])
    async with client(kit) as http:
        await login(http, "ana")
        page = await http.get(f"{ADMIN_PATH}/?per=day&since={mix.first}")
        assert page.status_code == 200
        assert re.search(r"data-total>40<", page.text), re.findall(r"data-total>[^<]*<", page.text)
        versions = await http.get(f"{ADMIN_PATH}/dashboard.csv",
                                  params={"chart": "versions", "per": "day", "since": mix.first.isoformat()})
        assert ",test" not in versions.text.splitlines()[0]
    await kit.shutdown()



async def test_the_regions_table_leaves_test_runs_out(make_kit, tmp_path, clock, store_url):
    kit = make_kit(store=store_url, admin=admin(accounts(tmp_path)[0]), spool_dir=tmp_path / "spool")
    mix = make_mix(40, clock())
    await kit.startup()
    visitors = [dataclasses.replace(r, region="US-CO" if n % 2 else "EU") for n, r in enumerate(mix.records)]
    tests = [dataclasses.replace(r, receipt_id=f"test-{n:020d}", source="test", region="US-CO")
             for n, r in enumerate(mix.records[:9])]
    await kit.ledger.store.append_many([*visitors, *tests])
    async with client(kit) as http:
        await login(http, "ana")
        table = await http.get(f"{ADMIN_PATH}/dashboard.csv",
                               params={"chart": "regions", "per": "day", "since": mix.first.isoformat()})
    await kit.shutdown()
    rows = {line.split(",")[0]: line.split(",")[-1] for line in table.text.splitlines()[1:]}
    assert rows == {"EU": "20", "US-CO": "20"}
