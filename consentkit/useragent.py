"""The coarse browser summary the ledger keeps instead of the User-Agent header.

Only the browser family, its major version, the OS family and a device class are
kept (rule 9); the raw string is never stored or logged. Parsing is cached, with a
bound, because a site sees the same few hundred User-Agents over and over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

Device = Literal["desktop", "mobile", "tablet", "bot", "other"]

# Longer headers are junk or attacks; the regex parser slows down on them.
MAX_LENGTH = 512
# "Firefox ESR and above, current Chrome/Edge, Safari current and one prior" (seed rule 35).
_MIN_MAJOR = {"chromium": 115, "firefox": 115, "safari": 16}
_FAMILIES = {
    "Chrome": "chromium", "Chrome Mobile": "chromium", "Chrome Mobile WebView": "chromium",
    "Chromium": "chromium", "HeadlessChrome": "chromium", "Edge": "chromium", "Edge Mobile": "chromium",
    "Firefox": "firefox", "Firefox Mobile": "firefox", "Firefox iOS": "firefox",
    "Safari": "safari", "Mobile Safari": "safari", "Mobile Safari UI/WKWebView": "safari",
}
_IE = {"IE", "IE Mobile"}


@dataclass(frozen=True, slots=True)
class BrowserSummary:
    """Browser family ("Firefox"), major version ("128" or ""), OS family ("Linux")
    and device class."""

    browser: str
    major: str
    os: str
    device: Device


UNKNOWN = BrowserSummary("Other", "", "Other", "other")


def browser_summary(ua: str | None) -> BrowserSummary:
    """Summarise a User-Agent header; garbage, empty or missing gives "Other"."""
    return _parse(ua)[0]


def _parse(ua: str | None) -> tuple[BrowserSummary, int | None]:
    if not ua:
        return UNKNOWN, None
    return _summarise(ua[:MAX_LENGTH])


@lru_cache(maxsize=2048)
def _summarise(ua: str) -> tuple[BrowserSummary, int | None]:
    """The summary and the OS major version (for iOS browsers); cached."""
    from user_agents import parse  # type: ignore[import-untyped]  # loaded on first use: a large regex table

    try:
        parsed = parse(ua)
        major = _major(parsed.browser.version)
        if parsed.is_bot:
            device: Device = "bot"
        elif parsed.is_tablet:
            device = "tablet"
        elif parsed.is_mobile:
            device = "mobile"
        elif parsed.is_pc:
            device = "desktop"
        else:
            device = "other"
        summary = BrowserSummary(_clean(parsed.browser.family), major, _clean(parsed.os.family), device)
        os_major = _major(parsed.os.version)
    except Exception:  # noqa: BLE001 - a header a client sends must never break a request
        return UNKNOWN, None
    return summary, int(os_major) if os_major else None


def _major(version: object) -> str:
    if isinstance(version, tuple) and version and isinstance(version[0], int):
        return str(version[0])
    return ""


def _clean(family: object) -> str:
    text = str(family or "Other")
    return "".join(ch for ch in text if ch.isprintable())[:64] or "Other"


_IE_TOKEN = re.compile(r"MSIE |Trident/")
_OTHER_SHELLS = re.compile(r"SamsungBrowser/|OPR/|YaBrowser/|UCBrowser/|Silk/")
_IOS = re.compile(r"(?:iPhone|iPad|iPod)[^)]*? OS (\d+)_")
# Checked in this order: Edge and Opera carry "Chrome/" too, Chrome carries "Safari/".
_ENGINES = (
    (re.compile(r"(?:Chrome|CriOS|Chromium|Edg|EdgA|EdgiOS)/(\d+)"), "chromium"),
    (re.compile(r"(?:Firefox|FxiOS)/(\d+)"), "firefox"),
    (re.compile(r"Version/(\d+)[.\d]* (?:Mobile/\S+ )?Safari/"), "safari"),
)


def is_supported(ua: str | None) -> bool:
    """Whether the widget supports this browser: no Internet Explorer, and no
    clearly outdated Chrome/Edge/Firefox (< 115) or Safari (< 16). Browsers and bots
    we cannot place are given the benefit of the doubt.

    This runs on every HTML page, so it reads a few version tokens with regular
    expressions instead of the full parser, whose first sight of a crafted header
    costs milliseconds; and remembers the answer for the last few headers, each cut
    to ``MAX_LENGTH`` first (a client's header must not grow the memory)."""
    return _supported(ua[:MAX_LENGTH]) if ua else True


@lru_cache(maxsize=1024)
def _supported(ua: str) -> bool:
    if _IE_TOKEN.search(ua):
        return False
    if _OTHER_SHELLS.search(ua):
        return True  # their own version numbers, not the engine's: we cannot place them
    ios = _IOS.search(ua)
    if ios:
        # Every iOS browser runs the system's WebKit (Safari 16 is iOS 16).
        return int(ios.group(1)) >= _MIN_MAJOR["safari"]
    for pattern, engine in _ENGINES:
        match = pattern.search(ua)
        if match:
            return int(match.group(1)) >= _MIN_MAJOR[engine]
    return True
