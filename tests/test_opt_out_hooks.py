"""Opt-out propagation (11 CCR §7026(f), R42): the hooks get every opt-out of sale
or sharing and every withdrawal, once, through a spool of their own; a signed
webhook (a real HTTP endpoint) is retried until it answers 2xx, across a restart."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from consentkit import ConsentKit
from consentkit.optouts import OptOutWebhook
from consentkit.requests.sources import signature
from tests.apps import client
from tests.kits import SECRET, make_policy
from tests.minors.flow import SITE
from tests.requests.flow import Provider

pytestmark = pytest.mark.anyio
HOOK_SECRET = "hook-secret-0123456789"


async def _until(check, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


async def test_R42_every_opt_out_and_withdrawal_reaches_the_hooks_once(tmp_path: Path, clock) -> None:
    got: list[dict] = []
    async_got: list[dict] = []

    async def on_async(event):
        async_got.append(event)

    kit = ConsentKit(make_policy(age_gate=False), secret_keys=[SECRET], store="memory://",
                     spool_dir=tmp_path / "spool", opt_out_hooks=[got.append, on_async], clock=clock)
    await kit.startup()
    try:
        async with client(kit, Origin=SITE) as c:
            await c.post("/consentkit/consent", json={"choices": {"analytics": True}, "source": "banner"})  # a grant
            await c.post("/consentkit/consent", json={"choices": {"analytics": False}, "source": "preferences"})
            await c.post("/consentkit/opt-out", json={})
            await c.post("/consentkit/opt-out", json={})  # an opt-out request again: told again
        async with client(kit, Origin=SITE, **{"Sec-GPC": "1"}) as g:
            await g.get("/")
            await g.get("/")  # the signal, once honoured, is no new opt-out
        await _until(lambda: len(got) == 4 and len(async_got) == 4 and not kit.opt_outs.pending, "the hooks")
        receipts = {r.receipt_id: r.source async for r in kit.ledger.iter_records()}
    finally:
        await kit.shutdown()
    assert got == async_got
    assert [(e["source"], e["categories"], e["sale_or_sharing"]) for e in got] == [
        ("preferences", ["analytics"], []),
        ("link", ["advertising"], ["advertising"]),
        ("link", [], ["advertising"]),
        ("gpc", ["advertising"], ["advertising"]),
    ]
    # Each event is one decision's record, named by its receipt id.
    assert len({e["id"] for e in got}) == 4 and all(receipts[e["id"]] == e["source"] for e in got)
    assert set(got[0]) == {"event", "id", "visitor_id", "at", "source", "gpc", "categories", "sale_or_sharing",
                           "policy_version", "region"}


async def test_R42_a_signed_webhook_is_retried_until_it_answers_even_across_a_restart(tmp_path: Path) -> None:
    provider = Provider()
    provider.answers = [503, 503, 503, 500, 500, 500]  # two rounds of three tries fail
    hook = OptOutWebhook(provider.url, HOOK_SECRET, tries=3, backoff=0.01)
    try:
        kit = ConsentKit(make_policy(age_gate=False), secret_keys=[SECRET], store="memory://",
                         spool_dir=tmp_path / "spool", opt_out_hooks=[hook])
        kit.opt_outs.retry_interval = 0.05
        await kit.startup()
        async with client(kit, Origin=SITE) as c:
            r = await c.post("/consentkit/opt-out", json={})
            assert r.status_code == 200  # the opt-out takes effect whatever the hook does
        await _until(lambda: len(provider.posts) >= 3, "the first round")
        await kit.shutdown()  # a restart while the event still waits
        assert kit.opt_outs.spool is not None
        waiting = list(kit.opt_outs.spool.entries())
        assert len(waiting) == 1 and waiting[0]["event"]["source"] == "link"
        again = ConsentKit(make_policy(age_gate=False), secret_keys=[SECRET], store="memory://",
                           spool_dir=tmp_path / "spool", opt_out_hooks=[OptOutWebhook(provider.url, HOOK_SECRET,
                                                                                      tries=3, backoff=0.01)])
        again.opt_outs.retry_interval = 0.05
        await again.startup()
        try:
            await _until(lambda: len(provider.posts) == 7 and not again.opt_outs.pending, "the delivery")
        finally:
            await again.shutdown()
    finally:
        provider.stop()
    bodies = {body for _, body in provider.posts}
    assert len(bodies) == 1  # the same event each time
    headers, body = provider.posts[-1]
    assert headers["x-consentkit-signature"] == signature(HOOK_SECRET.encode(), headers["x-consentkit-timestamp"], body)
    event = json.loads(body)
    assert event["event"] == "opt_out" and event["sale_or_sharing"] == ["advertising"]
    await asyncio.sleep(0.2)
    assert len(provider.posts) == 7  # delivered: never again


async def test_R42_an_event_whose_hook_is_still_running_at_shutdown_stays_in_the_spool(tmp_path: Path) -> None:
    """Stopped while a hook is being called, the deliverer leaves the event's file in
    the spool (it was unlinked before: a shutdown at that moment lost the event)."""
    called, never = asyncio.Event(), asyncio.Event()

    async def slow(event: dict) -> None:
        called.set()
        await never.wait()

    kit = ConsentKit(make_policy(age_gate=False), secret_keys=[SECRET], store="memory://",
                     spool_dir=tmp_path / "spool", opt_out_hooks=[slow])
    await kit.startup()
    async with client(kit, Origin=SITE) as c:
        assert (await c.post("/consentkit/opt-out", json={})).status_code == 200
    await asyncio.wait_for(called.wait(), 20)
    await kit.shutdown()
    assert kit.opt_outs.spool is not None
    waiting = list(kit.opt_outs.spool.entries())
    assert len(waiting) == 1 and waiting[0]["event"]["source"] == "link"


async def test_R42_a_shutdown_while_a_failed_event_goes_back_to_the_spool_keeps_it_once(tmp_path: Path) -> None:
    """Stopped while what is left of a file is written back, the deliverer finishes
    that step: the event is in the spool once (not twice: the file and its copy)."""
    writing = asyncio.Event()

    async def failing(event: dict) -> None:
        raise RuntimeError("the provider is down")

    kit = ConsentKit(make_policy(age_gate=False), secret_keys=[SECRET], store="memory://",
                     spool_dir=tmp_path / "spool", opt_out_hooks=[failing])
    spool = kit.opt_outs.spool
    assert spool is not None
    loop = asyncio.get_running_loop()
    write = spool.write

    def slow_write(entries: list) -> None:  # the real write, slowed so that the shutdown lands in it
        if not writing.is_set() and spool.pending():  # the claimed file is there: this is the write back
            loop.call_soon_threadsafe(writing.set)
            time.sleep(0.3)
        write(entries)

    spool.write = slow_write  # type: ignore[method-assign]
    await kit.startup()
    async with client(kit, Origin=SITE) as c:
        assert (await c.post("/consentkit/opt-out", json={})).status_code == 200
    await asyncio.wait_for(writing.wait(), 20)
    await asyncio.sleep(0.05)
    await kit.shutdown()
    await asyncio.sleep(0.5)  # no write of the deliverer's may land after the shutdown
    waiting = list(spool.entries())
    assert len(waiting) == 1 and waiting[0]["event"]["source"] == "link"


def test_R42_hooks_must_be_callables_and_webhooks_need_a_secret(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="opt_out_hooks takes callables"):
        ConsentKit(make_policy(), secret_keys=[SECRET], store="memory://", spool_dir=tmp_path, opt_out_hooks=["x"])
    with pytest.raises(ValueError, match="at least 16 characters"):
        OptOutWebhook("https://example.test/hook", "short")


async def test_R9_an_opt_out_left_undelivered_is_flagged_overdue_after_15_business_days(tmp_path: Path, caplog) -> None:
    """The backlog of an opt-out (its §7026(f) hooks) is done within 15 business days:
    an event still waiting after them is logged as an error once, listed by
    ``overdue()``, still retried, and gone from the list once a hook takes it."""
    from datetime import UTC, date, datetime

    from consentkit.optouts import OptOutHooks
    from tests.kits import Clock

    down = [True]
    taken: list[dict] = []

    def crm(event):
        if down[0]:
            raise ConnectionError("the CRM is down")
        taken.append(event)

    # Friday 20 November 2026 in California; Thanksgiving (26 Nov) is no business day.
    clock = Clock(datetime(2026, 11, 20, 18, 0, tzinfo=UTC))
    hooks = OptOutHooks([crm], tmp_path / "hooks", clock=clock)
    event = {"event": "opt_out", "id": "r-1", "at": "2026-11-20T18:00:00Z", "source": "link"}
    await hooks.notify(event)
    assert hooks.due(event) == date(2026, 12, 14)
    assert await hooks.deliver() is True and await hooks.overdue() == []
    clock.now = datetime(2026, 12, 14, 23, 0, tzinfo=UTC)  # the last day, in California
    assert await hooks.deliver() is True and await hooks.overdue() == []
    assert "is overdue" not in caplog.text
    clock.now = datetime(2026, 12, 15, 17, 0, tzinfo=UTC)
    caplog.clear()
    assert await hooks.deliver() is True
    [flag] = [r for r in caplog.records if "is overdue" in r.getMessage()]
    assert flag.levelname == "ERROR" and "r-1" in flag.getMessage()
    assert await hooks.overdue() == [{"id": "r-1", "at": "2026-11-20T18:00:00Z", "due": "2026-12-14",
                                      "pending": list(hooks.names)}]
    caplog.clear()
    assert await hooks.deliver() is True
    assert "is overdue" not in caplog.text  # flagged once
    down[0] = False
    assert await hooks.deliver() is False
    assert taken == [event] and await hooks.overdue() == [] and not hooks.pending
    await hooks.stop()


def test_R9_the_kits_hooks_keep_its_clock_and_its_business_days(tmp_path: Path, clock) -> None:
    from consentkit.requests import RequestClocks
    from consentkit.requests.clocks import BusinessCalendar

    clocks = RequestClocks(calendar=BusinessCalendar("US", "CA"))
    kit = ConsentKit(make_policy(age_gate=False), secret_keys=[SECRET], store="memory://", spool_dir=tmp_path / "spool",
                     opt_out_hooks=[print], request_clocks=clocks, clock=clock)
    assert kit.opt_outs.clock is clock and kit.opt_outs.clocks is clocks
