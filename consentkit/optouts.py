"""Opt-out propagation (11 CCR §7026(f), R42): tell the site's server-side pipelines
(conversion APIs, CRM, CDP, the third parties it sold or shared with) when a visitor
opts out of sale or sharing or withdraws a category.

``ConsentKit(..., opt_out_hooks=[...])`` takes Python callables (sync or async, given
the event as a dict) and ``OptOutWebhook(url, secret)``, which POSTs the event signed
like the privacy requests' webhooks (``X-Consentkit-Timestamp``,
``X-Consentkit-Signature``: HMAC-SHA256 of ``timestamp.body``).

Every event is first written to a spool of its own (fsynced JSON lines, the ledger's
``Spool``), then delivered in the background, each hook until it succeeds: a failing
hook is retried (its own retries, then again every ``retry_interval``, doubling up to
five minutes), a restart finds the undelivered events on disk, and the ledger's store
being down changes nothing. A hook gets each event once; only a crash between a
delivery and its being noted can repeat one, so the event's ``id`` (the decision's
receipt id) is the key to ignore a repeat by.

An event still undelivered 15 business days after its opt-out (11 CCR §7026(f): the
opt-out's backlog is done within 15 business days; the business days of the privacy
requests' ``RequestClocks``) is overdue: it is logged as an error once, marked in the
spool, and listed by ``kit.opt_outs.overdue()`` until a hook takes it.

The event::

    {"event": "opt_out", "id": "<receipt id>", "visitor_id": "...", "at": "2026-11-27T13:00:00Z",
     "source": "link", "gpc": false, "categories": ["advertising"], "sale_or_sharing": ["advertising"],
     "policy_version": "2026-11-01", "region": null}

``categories`` are those the decision withdrew (granted before it, denied after);
``sale_or_sharing`` those of them, or for an opt-out request (GPC, the link) every
sale or sharing category, that are sold or shared.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from .ledger.spool import Spool
from .requests.clocks import RequestClocks
from .requests.sources import post_signed

logger = logging.getLogger("consentkit.optouts")

Hook = Callable[[dict[str, Any]], Any]
MAX_RETRY_INTERVAL = 300.0
# The opt-out's backlog is done within this many business days (11 CCR §7026(f)).
BACKLOG_BUSINESS_DAYS = 15


def _utcnow() -> datetime:
    return datetime.now(UTC)


class OptOutWebhook:
    """A signed webhook for opt-out events: POSTs the event as JSON; any 2xx is
    success. ``tries`` attempts with backoff each round; the spool retries later."""

    def __init__(self, url: str, secret: str, *, name: str = "", timeout: float = 5.0, tries: int = 3,
                 backoff: float = 0.5) -> None:
        if not url.startswith(("https://", "http://")):
            raise ValueError(f"webhook URL {url!r} must be http(s)")
        if len(secret) < 16:
            raise ValueError("a webhook secret must be at least 16 characters long")
        self.url, self._secret = url, secret.encode()
        self.name = name or url
        self.timeout, self.tries, self.backoff = timeout, tries, backoff

    async def __call__(self, event: dict[str, Any]) -> None:
        body = json.dumps(event, sort_keys=True).encode()
        await post_signed(self.url, self._secret, body, name=self.name, timeout=self.timeout, tries=self.tries,
                          backoff=self.backoff)


def _name(hook: Hook, index: int) -> str:
    """A hook's stable name in the spool: its position and what it is."""
    label = getattr(hook, "name", None) or getattr(hook, "__qualname__", None) or type(hook).__name__
    return f"{index}:{label}"


class OptOutHooks:
    """The hooks, their spool and the task that delivers what waits in it."""

    def __init__(self, hooks: Iterable[Hook], spool_dir: str | Path, *, retry_interval: float = 1.0,
                 clock: Callable[[], datetime] = _utcnow, clocks: RequestClocks | None = None) -> None:
        self.hooks = tuple(hooks)
        for hook in self.hooks:
            if not callable(hook):
                raise TypeError("opt_out_hooks takes callables (given the event) or OptOutWebhook(url, secret)")
        self.names = tuple(_name(hook, i) for i, hook in enumerate(self.hooks))
        self.spool = Spool(spool_dir, owner="consentkit.opt-out-hooks") if self.hooks else None
        self.retry_interval = retry_interval
        self.clock = clock
        self.clocks = clocks or RequestClocks()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._failing = 0

    def __bool__(self) -> bool:
        return bool(self.hooks)

    async def notify(self, event: dict[str, Any]) -> None:
        """Keep the event on disk for every hook, then wake the deliverer."""
        if self.spool is None:
            return
        try:
            await asyncio.to_thread(self.spool.write, [{"event": event, "pending": list(self.names)}])
        except Exception:  # the opt-out itself has taken effect; say it loudly
            logger.exception("opt-out event %s could not be spooled for the hooks", event.get("id"))
            return
        self._wake.set()

    async def start(self) -> None:
        if self.spool is not None and self._task is None:
            self._task = asyncio.create_task(self._deliver_forever(), name="consentkit-opt-out-hooks")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self.spool is not None:
            await asyncio.to_thread(self.spool.close)

    @property
    def pending(self) -> bool:
        """Whether events still wait for a hook."""
        return self.spool is not None and self.spool.pending()

    def due(self, event: Mapping[str, Any]) -> date:
        """The last day the event may wait for its hooks: 15 business days after the opt-out."""
        at = datetime.fromisoformat(str(event["at"]))  # Python 3.11 reads the Z
        return self.clocks.calendar.add_business_days(self.clocks.local_date(at), BACKLOG_BUSINESS_DAYS)

    def _is_overdue(self, event: Mapping[str, Any], today: date) -> bool:
        try:
            return today > self.due(event)
        except (KeyError, ValueError):
            return False

    async def overdue(self) -> list[dict[str, Any]]:
        """The events still waiting past their 15 business days: each event's ``id``,
        ``at``, ``due`` day and the hooks it waits for, oldest first."""
        if self.spool is None:
            return []
        today = self.clocks.local_date(self.clock())
        entries = await asyncio.to_thread(lambda: list(self.spool.entries()) if self.spool else [])
        late = [{"id": e["event"].get("id"), "at": e["event"].get("at"), "due": self.due(e["event"]).isoformat(),
                 "pending": list(e.get("pending", []))}
                for e in entries if e.get("pending") and self._is_overdue(e["event"], today)]
        return sorted(late, key=lambda e: str(e["at"]))

    async def _deliver_forever(self) -> None:
        while True:
            self._wake.clear()
            try:
                failed = await self.deliver()
            except asyncio.CancelledError:
                raise
            except Exception:  # the deliverer must survive to retry
                logger.exception("delivering opt-out events failed; retrying")
                failed = True
            self._failing = self._failing + 1 if failed else 0
            wait = min(self.retry_interval * (2 ** max(self._failing - 1, 0)), MAX_RETRY_INTERVAL)
            busy = failed or await asyncio.to_thread(self.spool.pending) if self.spool else False
            try:
                async with asyncio.timeout(wait if busy else 3600):
                    await self._wake.wait()
            except TimeoutError:
                pass

    async def deliver(self) -> bool:
        """Deliver every spooled event to the hooks it still waits for; whether any
        delivery failed (those events go back to the spool, for those hooks only)."""
        assert self.spool is not None
        spool = self.spool
        await asyncio.to_thread(spool.seal)
        failed = False
        today = self.clocks.local_date(self.clock())
        for path in await asyncio.to_thread(spool.files):
            claim = await asyncio.to_thread(spool.claim, path)
            if claim is None:
                continue
            left: list[dict[str, Any]] = []
            settling = False
            try:
                for entry in claim.entries:
                    pending = [name for name in entry.get("pending", []) if name in self.names]
                    still = []
                    for name in pending:
                        if not await self._call(self.hooks[self.names.index(name)], entry["event"]):
                            still.append(name)
                    if still:
                        kept = {"event": entry["event"], "pending": still}
                        if entry.get("overdue") or self._is_overdue(entry["event"], today):
                            if not entry.get("overdue"):
                                logger.error("opt-out event %s is overdue: %d business days after the opt-out, hook(s) "
                                             "%s have not taken it (11 CCR §7026(f)); it is still retried",
                                             entry["event"].get("id"), BACKLOG_BUSINESS_DAYS, ", ".join(still))
                            kept["overdue"] = True
                        left.append(kept)
                failed = failed or bool(left)
                settling = True
                # What is left goes back to the spool and the file goes, in one step
                # that a shutdown waits for: never both (the event twice) nor neither.
                await _uninterrupted(asyncio.to_thread(_settle, spool, claim, left))
            finally:
                if not settling:
                    # Stopped while a hook was called: the file stays whole, and what
                    # was delivered of it is delivered again (at least once, never lost).
                    await asyncio.to_thread(spool.release, claim, done=False)
        return failed

    async def _call(self, hook: Hook, event: Mapping[str, Any]) -> bool:
        try:
            result = hook(dict(event)) if not _is_sync(hook) else await asyncio.to_thread(hook, dict(event))
            if inspect.isawaitable(result):
                await result
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - a hook's failure is retried, never the visitor's
            logger.warning("opt-out hook %s failed for event %s (%s); it will be retried",
                           getattr(hook, "name", hook), event.get("id"), exc)
            return False
        return True


def _settle(spool: Spool, claim: Any, left: list[dict[str, Any]]) -> None:
    """Put back what is left of a claimed file, then remove the file (kept whole if
    the write fails)."""
    try:
        if left:
            spool.write(left)
    except BaseException:
        spool.release(claim, done=False)
        raise
    spool.release(claim, done=True)


async def _uninterrupted(work: Awaitable[None]) -> None:
    """Await ``work`` to its end even when the awaiting task is cancelled meanwhile
    (the cancellation is raised after it)."""
    task = asyncio.ensure_future(work)
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        await task
        raise


def _is_sync(hook: Hook) -> bool:
    """A plain function runs in a thread (it may block); a coroutine function, or an
    object whose __call__ is one, runs on the loop."""
    if inspect.isfunction(hook) or inspect.ismethod(hook):
        return not inspect.iscoroutinefunction(hook)
    return not inspect.iscoroutinefunction(type(hook).__call__)


__all__ = ["BACKLOG_BUSINESS_DAYS", "OptOutHooks", "OptOutWebhook"]
