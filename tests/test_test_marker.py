"""QA runs' decisions (issue 19): a request carrying the kit's test marker
(``X-Consentkit-Test: kit.test_token``) is recorded with source ``test``, which the
statistics leave out; only who holds the secret key can make the marker."""

from __future__ import annotations

import pytest

from consentkit import ConsentKit
from consentkit.ledger.stats import compute, from_store

from .apps import client
from .kits import OLD_SECRET, SECRET

pytestmark = pytest.mark.anyio


async def _stream(records):
    for record in sorted(records, key=lambda r: r.at):
        yield record


def _sources(kit: ConsentKit) -> list[str]:
    return sorted(r.source for r in kit.ledger.store.records.values())


async def test_a_marked_decision_is_recorded_as_a_test_and_left_out_of_the_stats(make_kit) -> None:
    kit = make_kit()
    async with client(kit, **{"x-consentkit-test": kit.test_token}) as c:
        assert (await c.post("/consentkit/consent", json={"choices": {"analytics": True}})).status_code == 200
    async with client(kit, **{"sec-gpc": "1", "x-consentkit-test": kit.test_token}) as c:
        await c.get("/")                                        # GPC, recorded by the middleware
    async with client(kit) as c:
        await c.post("/consentkit/consent", json={"choices": {"analytics": False}, "source": "banner"})
    assert _sources(kit) == ["banner", "test", "test"]
    stats = await compute(_stream(kit.ledger.store.records.values()))
    assert stats.total().records == 1 and stats.total().gpc_signal == 0
    rolled = await from_store(kit.ledger.store)
    assert rolled.total().records == 1


@pytest.mark.parametrize("marker", ["0" * 32, "", "ü".encode() * 16, "not-the-token"])
async def test_a_wrong_marker_changes_nothing(make_kit, marker: str | bytes) -> None:
    kit = make_kit()
    async with client(kit, **{"x-consentkit-test": marker}) as c:
        response = await c.post("/consentkit/consent", json={"choices": {"analytics": True}, "source": "banner"})
    assert response.status_code == 200
    assert _sources(kit) == ["banner"]


async def test_only_the_keys_holder_makes_the_marker(make_kit) -> None:
    kit, other = make_kit(), make_kit(secret_keys=["another-secret-key-0123456789"])
    assert kit.test_token != other.test_token and len(kit.test_token) == 32
    assert SECRET not in kit.test_token
    async with client(kit, **{"x-consentkit-test": other.test_token}) as c:
        await c.post("/consentkit/consent", json={"choices": {"analytics": True}})
    assert _sources(kit) == ["api"]
    # After a key rotation the old key's marker still counts, as its cookies do.
    rotated = make_kit(secret_keys=["a-brand-new-secret-key-0123", SECRET])
    async with client(rotated, **{"x-consentkit-test": kit.test_token}) as c:
        await c.post("/consentkit/consent", json={"choices": {"analytics": True}})
    assert _sources(rotated) == ["test"]
    assert make_kit(secret_keys=[OLD_SECRET]).test_token != kit.test_token
