"""Finding a Chromium to drive, and the switches it needs in a container or CI.

Playwright normally downloads its own browser; consentkit's plugin and ``consentkit
scan`` use the system's Chromium instead, so that CI needs no download.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ENV_VAR = "CONSENTKIT_CHROMIUM"
# No sandbox: CI containers run as root, where Chromium's sandbox cannot start.
# No background networking, component updates or sync: a test run talks to the
# site under test and nothing else, which also keeps the network log clean.
CHROMIUM_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
_DEFAULT_PATHS = ("/usr/bin/chromium",)
_ON_PATH = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium(environ: Mapping[str, str] | None = None) -> str | None:
    """The Chromium to launch: ``$CONSENTKIT_CHROMIUM``, ``/usr/bin/chromium``, then
    ``chromium``, ``chromium-browser`` or ``google-chrome`` on ``PATH``; None if none
    is found (Playwright's own browser is then used, if it was installed)."""
    env = os.environ if environ is None else environ
    chosen = env.get(ENV_VAR, "").strip()
    if chosen:
        if not Path(chosen).is_file():
            raise FileNotFoundError(f"${ENV_VAR} names {chosen!r}, which is not a file: point it at a Chromium binary")
        return chosen
    for path in _DEFAULT_PATHS:
        if Path(path).is_file() and os.access(path, os.X_OK):
            return path
    for name in _ON_PATH:
        found = shutil.which(name, path=env.get("PATH"))
        if found:
            return found
    return None


def launch_options(*, headless: bool = True, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Keyword arguments for ``playwright.chromium.launch()``, in the shape of
    pytest-playwright's ``browser_type_launch_args``."""
    options: dict[str, Any] = {"headless": headless, "args": list(CHROMIUM_ARGS)}
    path = find_chromium(environ)
    if path is not None:
        options["executable_path"] = path
    return options
