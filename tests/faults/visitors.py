"""What the fault tests share (PostgreSQL and the TCP proxy that cuts it come from
``tests/postgres.py``): visitors, each a browser with its own cookie jar, talking
to a live server, and the tally of what they saw."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from consentkit.cookie import COOKIE_NAME

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
