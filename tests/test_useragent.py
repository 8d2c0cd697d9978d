"""The browser summary kept in the ledger, and the widget's browser support check."""

from __future__ import annotations

import time

import pytest

from consentkit.useragent import MAX_LENGTH, UNKNOWN, BrowserSummary, browser_summary, is_supported

CHROME_120 = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
)
UAS = {
    "chrome": CHROME_120,
    "old_chrome": CHROME_120.replace("Chrome/120", "Chrome/109"),
    "edge": CHROME_120 + " Edg/120.0.0.0",
    "legacy_edge": CHROME_120.replace("Chrome/120", "Chrome/70") + " Edge/18.19582",
    "firefox_esr": "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0",
    "old_firefox": "Mozilla/5.0 (X11; Linux x86_64; rv:102.0) Gecko/20100101 Firefox/102.0",
    "safari_17": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Safari/605.1.15",
    "safari_15": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/15.6 Safari/605.1.15",
    "iphone_chrome_ios15": "Mozilla/5.0 (iPhone; CPU iPhone OS 15_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) CriOS/120.0 Mobile/15E148 Safari/604.1",
    "iphone_chrome_ios17": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) CriOS/120.0 Mobile/15E148 Safari/604.1",
    "ipad_safari_16": "Mozilla/5.0 (iPad; CPU OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/16.0 Mobile/15E148 Safari/604.1",
    "android": "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/116.0.0.0 Mobile Safari/537.36",
    "ie11": "Mozilla/5.0 (Windows NT 10.0; Trident/7.0; rv:11.0) like Gecko",
    "googlebot": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "tv": "Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/4.0 "
    "Chrome/76.0.3809.146 TV Safari/537.36",
}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("chrome", BrowserSummary("Chrome", "120", "Windows", "desktop")),
        ("edge", BrowserSummary("Edge", "120", "Windows", "desktop")),
        ("firefox_esr", BrowserSummary("Firefox", "115", "Linux", "desktop")),
        ("safari_17", BrowserSummary("Safari", "17", "Mac OS X", "desktop")),
        ("iphone_chrome_ios15", BrowserSummary("Chrome Mobile iOS", "120", "iOS", "mobile")),
        ("ipad_safari_16", BrowserSummary("Mobile Safari", "16", "iOS", "tablet")),
        ("android", BrowserSummary("Chrome Mobile", "116", "Android", "mobile")),
        ("ie11", BrowserSummary("IE", "11", "Windows", "desktop")),
        ("googlebot", BrowserSummary("Googlebot", "2", "Other", "bot")),
        ("tv", BrowserSummary("Samsung Internet", "4", "Tizen", "other")),
    ],
)
def test_browser_summary(name: str, expected: BrowserSummary) -> None:
    assert browser_summary(UAS[name]) == expected


@pytest.mark.parametrize("junk", [None, "", "\x00\x01garbage\xff", "}{][", "Mozilla/5.0 (" + "A" * 200_000])
def test_junk_never_raises_and_gives_a_short_summary(junk: str | None) -> None:
    started = time.perf_counter()
    summary = browser_summary(junk)
    assert time.perf_counter() - started < 0.5  # truncated before the regexes see it
    assert summary.device in {"desktop", "mobile", "tablet", "bot", "other"}
    assert all(len(part) <= 64 and part.isprintable() for part in (summary.browser, summary.major, summary.os))
    if not junk:
        assert summary == UNKNOWN


def test_the_summary_does_not_keep_the_raw_string() -> None:
    summary = browser_summary(CHROME_120)
    assert CHROME_120 not in repr(summary)
    assert set(summary.__slots__) == {"browser", "major", "os", "device"}  # type: ignore[attr-defined]


def test_the_cache_is_bounded_and_keyed_on_the_truncated_string() -> None:
    from consentkit.useragent import _summarise

    assert _summarise.cache_info().maxsize is not None
    long_a = CHROME_120 + " " * MAX_LENGTH + "a"
    long_b = CHROME_120 + " " * MAX_LENGTH + "b"
    browser_summary(long_a)
    hits = _summarise.cache_info().hits
    browser_summary(long_b)
    assert _summarise.cache_info().hits == hits + 1


@pytest.mark.parametrize(
    ("name", "supported"),
    [
        ("chrome", True), ("old_chrome", False), ("edge", True), ("legacy_edge", False),
        ("firefox_esr", True), ("old_firefox", False), ("safari_17", True), ("safari_15", False),
        ("iphone_chrome_ios15", False), ("iphone_chrome_ios17", True), ("ipad_safari_16", True),
        ("android", True), ("ie11", False), ("googlebot", True), ("tv", True),
    ],
)
def test_is_supported(name: str, supported: bool) -> None:
    assert is_supported(UAS[name]) is supported


@pytest.mark.parametrize("ua", [None, "", "something unheard of/1.0"])
def test_unknown_browsers_are_given_the_benefit_of_the_doubt(ua: str | None) -> None:
    assert is_supported(ua) is True
