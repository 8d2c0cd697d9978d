"""``TrackerRecorder``: the requests a browser page makes to the hosts a policy
declares, each with its category and whether the visitor had consented to that
category when the request left.

The recorder learns of consent the way the site does: from the visitor's own
requests to the consent endpoints (the banner's and the preferences dialog's
POSTs, the preferences form, the opt-out link), and from ``preset_consent()``.
Until then only required categories count as consented, so in ``opt_out`` mode a
tracker that runs from the first page view shows up as "before consent", which is
what a test of "nothing before consent" wants to see.
"""

from __future__ import annotations

import json
import time
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from ..policy import Policy, split_url

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from playwright.sync_api import BrowserContext, Page, Request

# The recorders listening to each browser context, so that preset_consent() can
# tell them what it granted: that request goes through the API, not the page.
_RECORDERS: weakref.WeakKeyDictionary[Any, list[TrackerRecorder]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True, slots=True)
class TrackedRequest:
    """One request to a declared host of a gated category."""

    url: str
    host: str
    category: str
    resource_type: str
    method: str
    consented: bool
    seconds: float

    def __str__(self) -> str:
        when = "after consent" if self.consented else "BEFORE consent"
        return f"{self.method} {self.url} [{self.category}, {self.resource_type}, {when}, at {self.seconds:.2f}s]"


class TrackerRecorder:
    """Listens to a Playwright page or context; see ``requests``, ``for_category()``
    and ``before_consent``. ``prefix`` is the site's consent endpoint prefix."""

    def __init__(self, policy: Policy, *, prefix: str = "/consentkit") -> None:
        self.policy = policy
        self.prefix = prefix.rstrip("/")
        self.requests: list[TrackedRequest] = []
        self.consented: set[str] = {c.id for c in policy.categories if c.required}
        self._started = time.monotonic()

    def attach(self, target: Page | BrowserContext) -> TrackerRecorder:
        """Record every request of ``target`` (a page, or a whole context) from now on."""
        target.on("request", self._on_request)
        context = getattr(target, "context", target)
        _RECORDERS.setdefault(context, []).append(self)
        return self

    def clear(self) -> None:
        """Forget the requests seen so far (consent is kept)."""
        self.requests.clear()

    def note_consent(self, categories: Mapping[str, bool]) -> None:
        """Record that the visitor now grants (True) or denies (False) these categories."""
        for category, granted in categories.items():
            if category in self.policy and not self.policy.category(category).required:
                if granted:
                    self.consented.add(category)
                else:
                    self.consented.discard(category)

    def for_category(self, category: str) -> list[TrackedRequest]:
        return [r for r in self.requests if r.category == category]

    def wait_for(self, page: Page, category: str, *, timeout: float = 5000) -> TrackedRequest:
        """The first request to a host of ``category``, waiting up to ``timeout``
        milliseconds for ``page`` to make one (tags activated after a click load a
        moment later). Raises ``AssertionError`` if none comes."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

        if not self.for_category(category):
            try:
                page.wait_for_event(
                    "request", lambda r: self.policy.category_for_url(r.url) == category, timeout=timeout
                )
            except PlaywrightTimeoutError:
                pass
        found = self.for_category(category)
        if not found:
            raise AssertionError(f"no request to a host of {category!r} within {timeout / 1000:.1f} s")
        return found[0]

    @property
    def before_consent(self) -> list[TrackedRequest]:
        return [r for r in self.requests if not r.consented]

    @property
    def categories(self) -> set[str]:
        """The categories whose hosts were requested."""
        return {r.category for r in self.requests}

    # -- listening -----------------------------------------------------------------

    def _on_request(self, request: Request) -> None:
        url = request.url
        category = self.policy.category_for_url(url)
        if category is not None:
            host, _ = split_url(url)
            self.requests.append(TrackedRequest(
                url=url, host=host, category=category, resource_type=request.resource_type,
                method=request.method, consented=category in self.consented,
                seconds=time.monotonic() - self._started,
            ))
            return
        if request.method == "POST":
            self._learn(urlsplit(url).path, request.headers.get("content-type", ""), request.post_data or "")

    def _learn(self, path: str, content_type: str, body: str) -> None:
        """Update ``consented`` from a visitor's request to a consent endpoint."""
        # The app may be mounted under a sub-path (/shop/consentkit/consent).
        if path.endswith(f"{self.prefix}/consent"):
            try:
                data = json.loads(body)
            except ValueError:
                return
            choices = data.get("choices") if isinstance(data, dict) else None
            if isinstance(choices, dict):
                self.note_consent({k: v for k, v in choices.items() if isinstance(v, bool)})
        elif path.endswith(f"{self.prefix}/opt-out"):
            self.note_consent({c: False for c in self.policy.sale_or_sharing_ids})
        elif path.endswith(f"{self.prefix}/preferences") and "form" in content_type:
            ticked = {k for k, _ in parse_qsl(body, keep_blank_values=True)}
            self.note_consent({c: c in ticked for c in self.policy.optional_ids})


def recorders_of(context: Any) -> Iterable[TrackerRecorder]:
    """The recorders attached to a browser context (or to one of its pages)."""
    return tuple(_RECORDERS.get(context, ()))
