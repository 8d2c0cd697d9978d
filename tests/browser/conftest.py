"""The browser tests' live sites, served by consentkit's own plugin: ``serve()``
from ``consentkit.testing`` runs each in uvicorn in a thread; the browser, the
profiles and the pages come from ``tests/conftest.py`` on the plugin's fixtures."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from consentkit.testing import LiveServer, serve

from .site import make_site


@pytest.fixture(scope="session")
def sites() -> Iterator[Callable[..., LiveServer]]:
    """``sites(mode="opt_out", age_gate=False, mapped=False)``: the live site for that
    policy, started on first use."""
    running: dict[tuple[str, bool, bool], LiveServer] = {}

    def get(mode: str = "opt_out", age_gate: bool = False, mapped: bool = False) -> LiveServer:
        key = (mode, age_gate, mapped)
        if key not in running:
            running[key] = serve(make_site(mode, age_gate, mapped))
        return running[key]

    yield get
    for server in running.values():
        server.stop()
