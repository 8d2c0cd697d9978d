"""R34 (the seed's own policy; §7025(d), §1798.135(c)(1)): what comes with an opt-out
request (the client's address, its browser, the signal, a form's fields) is used only
to comply with it: the decision, its minimal record, and the §7026(f) hooks' event,
each holding the opt-out and nothing else about the request."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from pathlib import Path

import httpx
import pytest

from consentkit import ConsentKit
from consentkit.ledger.codec import to_json
from tests.apps import make_app
from tests.kits import SECRET, make_policy

pytestmark = pytest.mark.anyio

CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36"
IP = "198.51.100.23"
EMAIL = "ana.optout@example.com"
# What an opt-out event is, and all it is (consentkit.optouts).
EVENT_KEYS = {"event", "id", "visitor_id", "at", "source", "gpc", "categories", "sale_or_sharing", "policy_version",
              "region"}


async def test_R34_what_comes_with_an_opt_out_is_used_only_to_comply_with_it(
    tmp_path: Path, clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    events: list[dict] = []
    kit = ConsentKit(make_policy(age_gate=False), secret_keys=[SECRET], store="memory://",
                     spool_dir=tmp_path / "spool", opt_out_hooks=[events.append], clock=clock)
    await kit.startup()
    transport = httpx.ASGITransport(app=make_app(kit), client=(IP, 51000))
    headers = {"Origin": "http://testserver", "User-Agent": CHROME, "Referer": f"http://testserver/?email={EMAIL}"}
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver", headers=headers) as c:
            r = await c.post("/consentkit/opt-out", data={"next": f"/thanks?email={EMAIL}"})
            assert r.status_code == 303
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver",
                                     headers={**headers, "Sec-GPC": "1"}) as g:
            assert (await g.get("/consentkit/state")).json()["sale_opt_out"] is True
        deadline = time.monotonic() + 20
        while len(events) < 2 or kit.opt_outs.pending:
            assert time.monotonic() < deadline, events
            await asyncio.sleep(0.02)
        records = [rec async for rec in kit.ledger.iter_records()]
    finally:
        await kit.shutdown()
    # The opt-out took effect, and its record and event say that and nothing else.
    assert sorted(rec.source for rec in records) == ["gpc", "link"]
    assert all(rec.choices["advertising"] is False for rec in records)
    assert [set(e) for e in events] == [EVENT_KEYS, EVENT_KEYS]
    kept = json.dumps([to_json(rec) for rec in records]) + json.dumps(events) + caplog.text
    for leaked in (IP, EMAIL, "Chrome", "Linux", "thanks", "Referer"):
        assert leaked not in kept, leaked
