"""What the fault tests share (PostgreSQL and the TCP proxy that cuts it come from
``tests/postgres.py``): visitors, each a browser with its own cookie jar, talking
to a live server, and the tally of what they saw."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx

from consentkit import ConsentKit
from consentkit.cookie import COOKIE_NAME
from consentkit.testing.server import LiveServer, serve
from tests.apps import make_app
from tests.postgres import Proxy

OPTIONAL = ("analytics", "captcha", "advertising")


@dataclass
class Tally:
    """What the visitors saw: decisions answered 200, per visitor id, and anything wrong."""

    acknowledged: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    slowest: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.acknowledged.values())


class Visitor:
    """A browser on the site: a cookie jar, and the choices it last made."""

    def __init__(self, base_url: str, number: int) -> None:
        self.client = httpx.AsyncClient(base_url=base_url, headers={"Origin": base_url}, timeout=15.0)
        self.number = number
        self.choices: dict[str, bool] = {}
        self.visitor_id: str | None = None

    @property
    def cookie(self) -> str | None:
        return self.client.cookies.get(COOKIE_NAME)

    async def decide(self, tally: Tally, step: int) -> bool:
        """Make a decision (a different one each step) and check that it took effect:
        200, a new consent cookie, the answered state and the next request's state.
        Whether it was acknowledged (answered 200)."""
        choices = {c: bool((step >> i) & 1) ^ bool(self.number & 1) for i, c in enumerate(OPTIONAL)}
        before = self.cookie
        started = asyncio.get_running_loop().time()
        r = await self.client.post("/consentkit/consent", json={"choices": choices, "source": "preferences"})
        if r.status_code == 202:
            # Opting back in to sale after an opt-out takes a confirmation (§7028,
            # contract section 8): the first answer changes nothing, the second applies.
            r = await self.client.post("/consentkit/consent", json={"confirm": r.json()["confirm"]["token"]})
        tally.slowest = max(tally.slowest, asyncio.get_running_loop().time() - started)
        if r.status_code != 200:
            tally.problems.append(f"visitor {self.number}: decision answered {r.status_code}: {r.text[:200]}")
            return False
        state = r.json()
        tally.acknowledged[state["visitor_id"]] += 1
        self.visitor_id, self.choices = state["visitor_id"], choices
        if COOKIE_NAME not in r.cookies or self.cookie == before:
            tally.problems.append(f"visitor {self.number}: decision answered without a new consent cookie")
        if any(state["categories"][c] is not v for c, v in choices.items()):
            tally.problems.append(f"visitor {self.number}: answered state {state['categories']} is not {choices}")
        await self.check_state(tally)
        return True

    async def check_state(self, tally: Tally) -> dict[str, Any] | None:
        """The state the next request sees must be the visitor's last choice."""
        r = await self.client.get("/consentkit/state")
        if r.status_code != 200:
            tally.problems.append(f"visitor {self.number}: state answered {r.status_code}")
            return None
        state: dict[str, Any] = r.json()
        if self.choices and any(state["categories"][c] is not v for c, v in self.choices.items()):
            tally.problems.append(f"visitor {self.number}: state {state['categories']} lost the choice {self.choices}")
        if self.visitor_id is not None and state["visitor_id"] != self.visitor_id:
            tally.problems.append(f"visitor {self.number}: became a new visitor")
        return state

    async def close(self) -> None:
        await self.client.aclose()


async def until(check: Callable[[], object], what: str, timeout: float = 45.0) -> None:
    """Wait for ``check()`` to hold, at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def decide_through_a_cut(kit: ConsentKit, proxy: Proxy, visitors: int, phases: tuple[int, int, int],
                               *, healthy_before: bool = False,
                               drained: tuple[Callable[[], object], str] | None = None) -> tuple[Tally, int]:
    """A real uvicorn serves ``kit``'s app; ``visitors`` keep deciding while the proxy
    to its PostgreSQL ledger is cut and restored: ``phases`` are the acknowledged
    decisions to wait for before the cut, during it and after it. Returns the tally and
    how many decisions were acknowledged during the cut, once the ledger's spool (and
    what ``drained`` waits for, while the server still runs) drained."""
    # Started from a thread: the proxy runs on this test's event loop and must keep
    # serving while the server's start-up opens the ledger through it.
    live: LiveServer = await anyio.to_thread.run_sync(lambda: serve(make_app(kit), lifespan="on"))
    tally = Tally()
    phase = {"name": "before"}
    during: list[int] = []
    browsers = [Visitor(live.url, n) for n in range(visitors)]
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
            for visitor in browsers:
                group.start_soon(keep_deciding, visitor)
            await until(lambda: tally.total >= phases[0], "decisions before the cut")
            if healthy_before:
                assert kit.ledger.healthy and not kit.ledger.spool.pending()
            proxy.cut()
            phase["name"] = "cut"
            await until(lambda: len(during) >= phases[1], "decisions during the cut")
            assert kit.ledger.spool.pending(), "decisions during the cut must wait in the spool"
            assert not kit.ledger.healthy
            proxy.restore()
            phase["name"] = "after"
            restored_at = tally.total
            await until(lambda: tally.total >= restored_at + phases[2], "decisions after the cut")
            stop.set()
        # The keeper replays the spool once the server answers again.
        await until(lambda: kit.ledger.healthy and not kit.ledger.spool.pending(), "the spool to drain")
        if drained is not None:
            await until(*drained)
    finally:
        stop.set()
        for visitor in browsers:
            await visitor.close()
        await anyio.to_thread.run_sync(live.stop)
    return tally, len(during)
