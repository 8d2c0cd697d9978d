"""Proof on demand: find a visitor's records by receipt id or visitor id, see and
export the receipt the visitor gets, each lookup recorded as an admin action."""

from __future__ import annotations

import re

import pytest

from consentkit.receipts import to_receipt

from .console import ADMIN_PATH, accounts, admin, audit_trail, client, login

pytestmark = pytest.mark.anyio


async def decide(http, clock) -> list[dict]:
    """A visitor who accepts all, then refuses analytics: their receipts as they get them."""
    for analytics in (True, False):
        answer = await http.post("/consentkit/consent", json={"choices": {"analytics": analytics}, "source": "banner"})
        assert answer.status_code == 200, answer.text
        clock.advance(minutes=5)
    mine = (await http.get("/consentkit/receipts")).json()
    return mine["receipts"] if isinstance(mine, dict) else mine


@pytest.fixture(params=["memory", "sqlite"])
def store_url(request, tmp_path):
    return "memory://" if request.param == "memory" else f"sqlite:///{tmp_path}/ledger.db"


async def test_find_by_receipt_or_visitor_and_show_the_receipt(make_kit, tmp_path, clock, store_url):
    kit = make_kit(store=store_url, admin=admin(accounts(tmp_path)[0]), spool_dir=tmp_path / "spool")
    async with client(kit) as visitor:
        receipts = await decide(visitor, clock)
    assert len(receipts) == 2
    first, second = receipts[0]["consentReceiptID"], receipts[1]["consentReceiptID"]
    visitor_id = receipts[0]["piiPrincipalId"]
    async with client(kit) as http:
        await login(http, "ana")
        for query in (second, visitor_id):
            page = await http.get(f"{ADMIN_PATH}/receipts", params={"q": query})
            assert page.status_code == 200
            assert f"data-visitor>{visitor_id}<" in page.text
            history = page.text[page.text.index('id="history"'):]
            assert history.index(first) < history.index(second)  # oldest first
        # Bounded to the receipt's day, and outside it.
        day = clock().date().isoformat()
        assert second in (await http.get(f"{ADMIN_PATH}/receipts", params={"q": second, "day": day})).text
        shown = await http.get(f"{ADMIN_PATH}/receipts/{second}", params={"day": day})
        assert shown.status_code == 200 and f"data-receipt-id>{second}<" in shown.text
        assert re.search(r'<script src="[^"]+admin\.js\?v=\w+" nonce="([^"]+)"', shown.text).group(1) in \
            shown.headers["content-security-policy"]
        exported = await http.get(f"{ADMIN_PATH}/receipts/{second}.json")
        assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
        record = await kit.ledger.find_receipt(second)
        assert exported.json() == to_receipt(record, kit.policy, prefix=kit.prefix) == receipts[1]
        none = await http.get(f"{ADMIN_PATH}/receipts", params={"q": "no-such-id"})
        assert none.status_code == 200 and "data-none" in none.text
        assert (await http.get(f"{ADMIN_PATH}/receipts/no-such-id")).status_code == 404
        assert (await http.get(f"{ADMIN_PATH}/receipts", params={"q": "<script>"})).status_code == 400
        assert (await http.get(f"{ADMIN_PATH}/receipts", params={"q": second, "day": "x"})).status_code == 400
    trail = [(r.extra["action"], r.extra.get("query") or r.extra.get("receipt")) for r in await audit_trail(kit)]
    assert ("lookup", second) in trail and ("lookup", visitor_id) in trail
    assert ("receipt_view", second) in trail and ("receipt_export", second) in trail
    await kit.shutdown()


async def test_the_audit_trail_is_not_a_visitor(make_kit, tmp_path):
    kit = make_kit(admin=admin(accounts(tmp_path)[0]))
    async with client(kit) as http:
        await login(http, "ana")
        page = await http.get(f"{ADMIN_PATH}/receipts", params={"q": "admin-console"})
        assert "data-none" in page.text
        trail = await audit_trail(kit)
        assert (await http.get(f"{ADMIN_PATH}/receipts/{trail[0].receipt_id}")).status_code == 404
