"""Secret key rotation under load: the app restarts with keys ``[new, old]`` while
visitors keep browsing. Every visitor keeps their choices at every moment, and
cookies move to the new key on their next response, page view or decision (and any
cookie is re-signed once a week old, ``visit.REFRESH_AFTER_SECONDS``)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import anyio
import httpx
import pytest

from consentkit import ConsentKit
from consentkit.cookie import COOKIE_NAME, CookieCodec
from consentkit.testing.server import LiveServer, serve
from consentkit.visit import REFRESH_AFTER_SECONDS
from tests.apps import make_app
from tests.kits import Clock, make_policy

from .visitors import Tally, Visitor

pytestmark = pytest.mark.anyio

OLD = "old-secret-key-0123456789abcdef"
NEW = "new-secret-key-fedcba9876543210"
VISITORS = 8


def _signed_by(key: str, cookie: str | None, clock: Clock) -> bool:
    return cookie is not None and CookieCodec([key], clock=clock).loads(cookie, clock()) is not None


async def _serve(keys: list[str], clock: Clock, db: Path, port: int = 0) -> LiveServer:
    kit = ConsentKit(make_policy(), secret_keys=keys, store=f"sqlite:///{db}", clock=clock)
    return await anyio.to_thread.run_sync(lambda: serve(make_app(kit), port=port, lifespan="on"))


async def test_visitors_keep_their_choices_through_a_rotation_under_load(tmp_path: Path) -> None:
    clock = Clock()
    db = tmp_path / "ledger.db"
    old = await _serve([OLD], clock, db)
    visitors = [Visitor(old.url, n) for n in range(VISITORS)]
    tally = Tally()
    for step, visitor in enumerate(visitors):
        await visitor.decide(tally, step)
    assert tally.problems == [] and tally.total == VISITORS
    assert all(_signed_by(OLD, v.cookie, clock) for v in visitors)

    restarted = asyncio.Event()
    seen_after: dict[int, int] = {v.number: 0 for v in visitors}
    refused = 0

    async def browse(visitor: Visitor) -> None:
        """Page views and state reads, before, across and after the restart."""
        nonlocal refused
        while True:
            after = restarted.is_set()
            try:
                page = await visitor.client.get("/whoami")
                state = await visitor.check_state(tally)
            except httpx.TransportError:
                refused += 1  # the server is between its two lives
                await asyncio.sleep(0.01)
                continue
            if page.json() != {"analytics": visitor.choices["analytics"], "visitor": visitor.visitor_id}:
                tally.problems.append(f"visitor {visitor.number}: page saw {page.json()}")
            if state is not None and after:
                seen_after[visitor.number] += 1
                if seen_after[visitor.number] >= 3:
                    return

    async def restart() -> None:
        await asyncio.sleep(0.3)
        await anyio.to_thread.run_sync(old.stop)
        new = await _serve([NEW, OLD], clock, db, port=old.port)
        servers.append(new)
        restarted.set()

    servers: list[LiveServer] = []
    try:
        async with anyio.create_task_group() as group:
            group.start_soon(restart)
            for visitor in visitors:
                group.start_soon(browse, visitor)
        assert tally.problems == []
        assert all(count >= 3 for count in seen_after.values())
        assert refused > 0, "the load did not reach the restart"
        # Page views re-sign a cookie of the old key at once, so the old key can be retired soon.
        assert all(_signed_by(NEW, v.cookie, clock) for v in visitors)

        # A decision re-signs with the new key, and the choice stands.
        for step, visitor in enumerate(visitors, start=100):
            await visitor.decide(tally, step)
        assert tally.problems == []
        assert all(_signed_by(NEW, v.cookie, clock) and not _signed_by(OLD, v.cookie, clock) for v in visitors)
    finally:
        for visitor in visitors:
            await visitor.close()
        for server in servers:
            await anyio.to_thread.run_sync(server.stop)


async def test_a_week_old_cookie_moves_to_the_new_key_on_a_page_view(tmp_path: Path) -> None:
    clock = Clock()
    db = tmp_path / "ledger.db"
    old = await _serve([OLD], clock, db)
    visitor = Visitor(old.url, 1)
    tally = Tally()
    try:
        await visitor.decide(tally, 3)
        await anyio.to_thread.run_sync(old.stop)
        new = await _serve([NEW, OLD], clock, db, port=old.port)
        try:
            clock.advance(seconds=REFRESH_AFTER_SECONDS + 60)
            page = await visitor.client.get("/")  # an HTML page view: a JSON answer carries no cookie
            assert COOKIE_NAME in page.cookies
            assert _signed_by(NEW, visitor.cookie, clock)
            # The old key can now go: the visitor keeps their choice under the new one alone.
        finally:
            await anyio.to_thread.run_sync(new.stop)
        newest = await _serve([NEW], clock, db, port=old.port)
        try:
            await visitor.check_state(tally)
        finally:
            await anyio.to_thread.run_sync(newest.stop)
    finally:
        await visitor.close()
    assert tally.problems == []


async def test_a_page_view_re_signs_a_cookie_of_the_old_key_at_once(tmp_path: Path) -> None:
    clock = Clock()
    db = tmp_path / "ledger.db"
    old = await _serve([OLD], clock, db)
    visitor = Visitor(old.url, 1)
    try:
        await visitor.decide(Tally(), 3)
        await anyio.to_thread.run_sync(old.stop)
        new = await _serve([NEW, OLD], clock, db, port=old.port)
        try:
            await visitor.client.get("/")  # a page view
        finally:
            await anyio.to_thread.run_sync(new.stop)
    finally:
        await visitor.close()
    assert _signed_by(NEW, visitor.cookie, clock)
