"""Steps of the parental flow, in-process through httpx: a child under 13, the
request to a parent, the parent's page and decision, the management link."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import httpx

from consentkit import ConsentKit
from consentkit.ledger.base import LedgerError, Record
from consentkit.ledger.memory import MemoryStore

SITE = "http://testserver"
PARENT = "Parent.Person@Example.com"
JSON = {"Accept": "application/json"}
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page carries no CSRF token"
    return found.group(1)


def path_of(url: str) -> str:
    assert url.startswith(SITE + "/consentkit/parental/"), url
    return url[len(SITE):]


async def make_child(c: httpx.AsyncClient) -> str:
    """Answer the age question as a child under 13; the child's visitor id."""
    r = await c.post("/consentkit/consent", json={"age_band": "under_13", "source": "banner"})
    assert r.status_code == 200, r.text
    assert r.json()["age_band"] == "under_13"
    return str(r.json()["visitor_id"])


async def ask_parent(c: httpx.AsyncClient, kit: ConsentKit, email: str = PARENT) -> str:
    """Send the request; the path of the link the parent received."""
    before = len(kit.notifier.messages)  # type: ignore[attr-defined]
    r = await c.post("/consentkit/parental/request", json={"parent_email": email})
    assert r.status_code == 202, r.text
    messages = kit.notifier.messages  # type: ignore[attr-defined]
    assert len(messages) == before + 1
    return path_of(messages[-1].link)


async def decide(
    p: httpx.AsyncClient, path: str, grant: Iterable[str] = (), *, email: str = PARENT, **fields: str
) -> httpx.Response:
    """The parent opens the link and records a decision granting ``grant``."""
    page = await p.get(path, headers=HTML)
    assert page.status_code == 200, page.text
    form: dict[str, Any] = {"csrf_token": csrf(page.text), "parent_email": email, "decision": "ticked"}
    form.update({cid: "1" for cid in grant})
    form.update(fields)
    return await p.post(path, data=form, headers=HTML)


async def manage(p: httpx.AsyncClient, path: str, action: str, grant: Iterable[str] = ()) -> httpx.Response:
    page = await p.get(path, headers=HTML)
    assert page.status_code == 200, page.text
    form = {"csrf_token": csrf(page.text), "action": action, **{cid: "1" for cid in grant}}
    return await p.post(path, data=form, headers=HTML)


async def all_records(kit: ConsentKit) -> list[Record]:
    return [r async for r in kit.ledger.store.iter_records()]


class CountingStore(MemoryStore):
    """The in-memory store, counting the reads of a visitor's records; ``down``
    makes reads fail like an unreachable database."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0
        self.down = False

    async def for_visitor(self, visitor_id: str) -> list[Record]:
        self.reads += 1
        if self.down:
            raise LedgerError("the store is down")
        return await super().for_visitor(visitor_id)
