"""A restart under a server (or a mount) that sends no lifespan events: the ledger
opens on the first request that needs it, whatever that request is."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from consentkit import ConsentKit
from consentkit.cookie import COOKIE_NAME
from tests.apps import make_app
from tests.kits import SECRET, make_policy

pytestmark = pytest.mark.anyio
SITE = "http://testserver"


def _client(kit: ConsentKit) -> httpx.AsyncClient:
    # httpx's ASGITransport, like a Mount, sends no lifespan events.
    transport = httpx.ASGITransport(app=make_app(kit), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url=SITE, headers={"Origin": SITE})


async def test_decisions_survive_a_restart_without_lifespan(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    first, second = (ConsentKit(make_policy(), secret_keys=[SECRET], store=store) for _ in range(2))
    async with _client(first) as before:
        r = await before.post("/consentkit/consent", json={"choices": {"analytics": False}, "source": "banner"})
        assert r.status_code == 200
        cookie = before.cookies[COOKIE_NAME]
    await first.shutdown()
    async with _client(second) as after:
        after.cookies.set(COOKIE_NAME, cookie)
        state = (await after.get("/consentkit/state")).json()
        again = await after.post("/consentkit/consent", json={"choices": {"analytics": True}, "source": "preferences"})
    await second.shutdown()
    assert state["categories"]["analytics"] is False and state["visitor_id"] == r.json()["visitor_id"]
    assert again.status_code == 200


@pytest.mark.parametrize("method", ["GET", "DELETE"])
async def test_receipts_as_the_first_request_after_a_restart(tmp_path: Path, method: str) -> None:
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    first, second = (ConsentKit(make_policy(), secret_keys=[SECRET], store=store) for _ in range(2))
    async with _client(first) as before:
        await before.post("/consentkit/consent", json={"choices": {"analytics": False}, "source": "banner"})
        cookie = before.cookies[COOKIE_NAME]
    await first.shutdown()
    try:
        async with _client(second) as after:
            after.cookies.set(COOKIE_NAME, cookie)
            r = await after.request(method, "/consentkit/receipts")
    finally:
        await second.shutdown()
    assert r.status_code == 200, r.text
