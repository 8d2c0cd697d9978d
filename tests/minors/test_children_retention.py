"""Children's records follow a shorter retention than the ledger's (COPPA §312.10,
2025; R45): past ``Policy(children_retention_days=...)`` only the minimal proof stays
(the parent's decision in force, the request it answers reduced to the address's
keyed hash, a child's opt-out); a lapsed request goes, with its hash."""

from __future__ import annotations

import asyncio

import pytest

from consentkit import ConsentKit, Policy, PolicyError
from consentkit.minors.retention import RETAINED, expire_children
from tests.apps import client
from tests.kits import SECRET, make_policy

from .flow import SITE, all_records, ask_parent, decide, make_child

pytestmark = pytest.mark.anyio

DAYS = 30


def short_policy(days: object = DAYS) -> Policy:
    base = make_policy()
    return Policy(base.version, base.categories, mode=base.mode, age_gate=True, controller=base.controller,
                  children_retention_days=days)  # type: ignore[arg-type]


async def _children_and_an_adult(kit: ConsentKit) -> tuple[str, str, str]:
    """A child whose parent granted analytics (and who chose on the banner too), a
    child whose request lapsed, and an adult; their visitor ids."""
    async with client(kit, Origin=SITE) as c:
        answered = await make_child(c)
        path = await ask_parent(c, kit)
        async with client(kit, Origin=SITE) as p:
            assert (await decide(p, path, grant=["analytics"])).status_code == 303
        await c.post("/consentkit/consent", json={"choices": {"captcha": True}, "source": "preferences"})
    async with client(kit, Origin=SITE) as c:
        lapsed = await make_child(c)
        await ask_parent(c, kit, email="other.parent@example.com")
    async with client(kit, Origin=SITE) as c:
        r = await c.post("/consentkit/consent", json={"age_band": "16_plus", "choices": {"analytics": True},
                                                      "source": "banner"})
        adult = str(r.json()["visitor_id"])
    return answered, lapsed, adult


async def test_R45_past_the_childrens_retention_only_the_minimal_proof_stays(make_kit, clock):
    kit = make_kit(short_policy())
    answered, lapsed, adult = await _children_and_an_adult(kit)
    before = await all_records(kit)
    adult_records = [r for r in before if r.visitor_id == adult]
    assert {r.kind for r in before if r.visitor_id == answered} >= {"decision", "request"}
    clock.advance(days=DAYS - 1)
    assert await expire_children(kit.ledger, clock(), DAYS) == 0
    assert await all_records(kit) == before  # not yet
    clock.advance(days=2)
    assert await expire_children(kit.ledger, clock(), DAYS, policy=kit.policy) == 2
    after = await all_records(kit)
    # The lapsed request went, and the keyed hash of the address with it.
    assert [r for r in after if r.visitor_id == lapsed] == []
    # The answered child: the parent's decision in force and the request it answered.
    kept = [r for r in after if r.visitor_id == answered]
    assert sorted(r.kind for r in kept) == ["decision", "request"]
    [decision] = [r for r in kept if r.kind == "decision"]
    [request] = [r for r in kept if r.kind == "request"]
    assert decision.source == "parent" and decision.choices["analytics"] is True
    assert (decision.browser, decision.os, decision.device) == ("", "", "")
    assert set(decision.extra) == {"request_id", "management_id", RETAINED}
    assert set(request.extra) == {"request_id", "email_hash", RETAINED}
    assert request.extra["request_id"] == decision.extra["request_id"] and request.extra["email_hash"]
    # The adult's records are the ledger's: untouched.
    assert [r for r in after if r.visitor_id == adult] == adult_records
    # Once: what is kept is not cut again.
    assert await expire_children(kit.ledger, clock(), DAYS) == 0
    assert await all_records(kit) == after


async def test_R45_the_parents_decision_kept_still_applies_to_the_child(make_kit, clock):
    kit = make_kit(short_policy())
    async with client(kit, Origin=SITE) as c:
        await make_child(c)
        path = await ask_parent(c, kit)
        async with client(kit, Origin=SITE) as p:
            assert (await decide(p, path, grant=["analytics"])).status_code == 303
        assert (await c.get("/consentkit/state")).json()["parental_consent"] == "granted"
        clock.advance(days=DAYS + 1)
        assert await expire_children(kit.ledger, clock(), DAYS) == 1
        state = (await c.get("/consentkit/state")).json()
    assert state["parental_consent"] == "granted" and state["categories"]["analytics"] is True


async def test_R45_a_childs_opt_out_keeps_its_proof(make_kit, clock):
    kit = make_kit(short_policy())
    async with client(kit, Origin=SITE) as c:
        child = await make_child(c)
        assert (await c.post("/consentkit/opt-out")).status_code in (200, 303)
    clock.advance(days=DAYS + 1)
    assert await expire_children(kit.ledger, clock(), DAYS, policy=kit.policy) == 1
    [proof] = [r for r in await all_records(kit) if r.visitor_id == child]
    assert proof.kind == "proof" and proof.choices == {"advertising": False} and RETAINED in proof.extra


@pytest.mark.parametrize("days", [0, -1, True, "30", 3651])
def test_R45_the_childrens_retention_is_a_positive_number_of_days(days):
    with pytest.raises(PolicyError, match="children_retention_days"):
        short_policy(days)


def test_R45_the_childrens_retention_is_never_longer_than_the_ledgers(tmp_path):
    with pytest.raises(PolicyError, match=r"children_retention_days \(800\) is longer than the ledger's"):
        ConsentKit(short_policy(800), secret_keys=[SECRET], store="memory://")
    kit = ConsentKit(short_policy(800), secret_keys=[SECRET], store="memory://", retention_days=1000)
    assert kit.policy.children_retention_days == 800
    assert ConsentKit(make_policy(), secret_keys=[SECRET], store="memory://").policy.children_retention_days == 365


def test_R45_the_childrens_retention_is_read_from_toml(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text('version = "1"\nage_gate = true\nchildren_retention_days = 90\n'
                    '[[categories]]\nid = "necessary"\nrequired = true\n')
    assert Policy.from_toml(path).children_retention_days == 90
    path.write_text('version = "1"\nchildren_retention_days = 0\n[[categories]]\nid = "necessary"\nrequired = true\n')
    with pytest.raises(PolicyError, match="children_retention_days"):
        Policy.from_toml(path)



async def test_R45_the_kits_sweep_applies_the_childrens_retention_on_the_real_stores(clock, store_url, tmp_path):
    """The kit's own sweep (the one that forgets lapsed requests) cuts the records at
    its first run after start: a kit started once the retention has passed."""
    options = {"secret_keys": [SECRET], "store": store_url, "spool_dir": tmp_path / "spool", "clock": clock}
    kit = ConsentKit(short_policy(), **options)
    try:
        answered, lapsed, adult = await _children_and_an_adult(kit)
    finally:
        await kit.shutdown()
    clock.advance(days=DAYS + 1)
    later = ConsentKit(short_policy(), **options)
    await later.startup()
    try:
        # The sweep forgets the lapsed request first, then cuts the children's records:
        # wait for both (the first alone was waited for, and the cut read half done).
        for _ in range(400):
            kept = await later.ledger.for_visitor(answered)
            if not await later.ledger.for_visitor(lapsed) and all(RETAINED in r.extra for r in kept):
                break
            await asyncio.sleep(0.05)
        assert await later.ledger.for_visitor(lapsed) == []
        assert sorted(r.kind for r in kept) == ["decision", "request"]
        assert all(RETAINED in r.extra for r in kept)
        assert [r.age_band for r in await later.ledger.for_visitor(adult)] == ["16_plus"]
    finally:
        await later.shutdown()


async def test_R45_a_kit_started_after_a_long_stop_forgets_what_lapsed_meanwhile(clock, tmp_path):
    """A request that lapsed while no kit ran (longer ago than a run looks back) loses
    the address's keyed hash at the next kit's first sweep, not a year later."""
    from consentkit.minors.lapse import SCAN_DAYS, forget_lapsed

    options = {"secret_keys": [SECRET], "store": f"sqlite:///{tmp_path}/ledger.db", "spool_dir": tmp_path / "spool",
               "clock": clock}
    kit = ConsentKit(make_policy(), **options)
    try:
        async with client(kit, Origin=SITE) as c:
            child = await make_child(c)
            await ask_parent(c, kit)
    finally:
        await kit.shutdown()
    clock.advance(days=7 + SCAN_DAYS + 6)
    later = ConsentKit(make_policy(), **options)
    await later.ledger.start()
    assert await forget_lapsed(later.ledger, clock(), 7) == 0  # an ordinary run looks back too little
    await later.ledger.stop()
    later = ConsentKit(make_policy(), **options)
    await later.startup()
    try:
        for _ in range(100):
            [request] = [r for r in await later.ledger.for_visitor(child) if r.kind == "request"]
            if "email_hash" not in request.extra:
                break
            await asyncio.sleep(0.05)
        assert "email_hash" not in request.extra and request.extra["address_forgotten_at"]
    finally:
        await later.shutdown()
