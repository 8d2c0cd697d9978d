"""Shared fixtures: a policy like the model site's, a kit on a movable clock (the
values come from ``tests/kits.py``), PostgreSQL (``tests/postgres.py``), and
browser profiles on consentkit's own pytest plugin (``consentkit.testing.plugin``:
its system Chromium, launch options and browser), sandboxed from the internet."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from consentkit import ConsentKit, Policy

from .kits import SECRET, Clock, make_policy

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

pytest_plugins = ["tests.postgres"]

# The sandbox has no internet: requests to anything but this machine fail at once
# (they are still seen as requests, which is what the tests count).
_OUTSIDE = re.compile(r"^https?://(?!127\.0\.0\.1[:/]|localhost[:/]|[a-z0-9-]+\.localhost[:/])")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def policy() -> Policy:
    return make_policy()


@pytest.fixture
def make_kit(clock: Clock) -> Callable[..., ConsentKit]:
    def factory(policy: Policy | None = None, **options: object) -> ConsentKit:
        options.setdefault("secret_keys", [SECRET])
        options.setdefault("store", "memory://")
        return ConsentKit(policy or make_policy(), clock=clock, **options)  # type: ignore[arg-type]

    return factory


@pytest.fixture
def consentkit_context_options() -> dict[str, Any]:
    return {"viewport": {"width": 1280, "height": 720}}


@pytest.fixture
def new_context(
    consentkit_browser: Browser, consentkit_context_options: dict[str, Any]
) -> Iterator[Callable[..., BrowserContext]]:
    """A fresh browser profile per call (no cookies), closed after the test."""
    opened: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        context = consentkit_browser.new_context(**{**consentkit_context_options, **options})
        context.route(_OUTSIDE, lambda route: route.abort())
        opened.append(context)
        return context

    yield make
    for context in opened:
        context.close()


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    return new_context().new_page()
