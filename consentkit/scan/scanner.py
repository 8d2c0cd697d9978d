"""Running a scan: three visits of each page in Chromium, each judged against the
policy (given, or read from the page). Playwright is imported only when a scan runs."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..policy import Policy
from ..testing.chromium import launch_options
from .findings import (
    VISITS,
    Finding,
    ScanError,
    ScanReport,
    VisitName,
    VisitResult,
    config_lists_hosts,
    granted_on,
    judge,
    policy_from_config,
    see_cookie,
    see_request,
)
from .visits import VisitError, visit

if TYPE_CHECKING:
    from playwright.sync_api import Browser

Progress = Callable[[str], None]
VISIT_WORDS = {"no-choice": "no choice", "reject-all": "reject all", "accept-all": "accept all"}


def _page(browser: Browser, url: str, policy: Policy | None, source: str, timeout: float,
          visits: Sequence[VisitName], test_token: str | None, progress: Progress) -> ScanReport:
    site_host = (urlsplit(url).hostname or "").lower()
    hosts_known = policy is not None
    notes: list[str] = []
    results: list[VisitResult] = []
    findings: list[Finding] = []
    for number, name in enumerate(visits, 1):
        progress(f"visit {number}/{len(visits)}: {VISIT_WORDS[name]}")
        choice = None if name == "no-choice" else name
        optional = policy.optional_ids if policy is not None else None
        try:
            log = visit(browser, url, choice, categories=optional, timeout=timeout, test_token=test_token)
        except VisitError as exc:
            raise ScanError(str(exc)) from None
        if name == "no-choice" and not log.banner:
            # No banner on a first visit: the visitor is never asked. The choices the
            # other visits would make have nowhere to go.
            findings.append(Finding(name, "no-banner", url, None, "no consentkit banner on a first visit"))
            if log.config is None:
                notes.append("The page runs no consentkit widget (is ConsentMiddleware mounted?): nothing "
                             "else could be checked.")
                return ScanReport(url, source or "none found", policy.mode if policy else "unknown", now_iso(),
                                  tuple(results), tuple(findings), tuple(notes))
        if policy is None:
            if log.config is None:
                findings.append(Finding(name, "no-banner", url, None, "no consentkit widget on the page"))
                return ScanReport(url, "none found", "unknown", now_iso(), (), tuple(findings), tuple(notes))
            policy = policy_from_config(log.config, log.state)
            hosts_known = config_lists_hosts(log.config)
            if not hosts_known:
                notes.append("The page's widget config lists no hosts, so no request could be "
                             "checked against the policy's hosts: pass the policy with --policy FILE.")
        result = VisitResult(
            name, log.how, granted_on(policy, name),
            tuple(see_cookie(policy, site_host, c) for c in log.cookies),
            tuple(r for u, t in dict.fromkeys(log.requests) if (r := see_request(policy, site_host, u, t))),
        )
        results.append(result)
        before = [see_cookie(policy, site_host, c) for c in log.cookies_before]
        findings.extend(judge(result, before, hosts_known=hosts_known))
        if name == "no-choice" and not log.banner and log.config is not None:
            break   # a widget without a banner: no choice to make
    if policy is None:
        raise ScanError("nothing was scanned: name at least one visit")
    if not test_token:
        notes.append("The scan's choices were recorded by the site as ordinary decisions: pass --test-token "
                     "(the site's kit.test_token) to have them recorded as a test's, out of its statistics.")
    return ScanReport(url, source or "the page's widget config", policy.mode, now_iso(), tuple(results),
                      tuple(findings), tuple(notes))


def _drive(urls: Sequence[str], policy: Policy | None, source: str, launch: Mapping[str, Any] | None,
           timeout: float, visits: Sequence[VisitName], test_token: str | None,
           progress: Progress) -> list[ScanReport]:
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise ScanError("consentkit scan drives Chromium through Playwright: pip install 'consentkit[scan]'") from None
    reports: list[ScanReport] = []
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(**(dict(launch) if launch is not None else launch_options()))
        except PlaywrightError as exc:
            raise ScanError(
                f"could not start Chromium ({exc.message.splitlines()[0]}): install it, or point "
                "$CONSENTKIT_CHROMIUM at it"
            ) from None
        try:
            for number, url in enumerate(urls, 1):
                def tell(step: str, number: int = number, url: str = url) -> None:
                    progress(f"[{number}/{len(urls)}] {url} {step}")

                reports.append(_page(browser, url, policy, source, timeout, visits, test_token, tell))
        finally:
            browser.close()
    return reports


def _check(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ScanError(f"{url!r} is not an http(s) URL")


def scan_pages(
    urls: Sequence[str],
    policy: Policy | None = None,
    *,
    policy_source: str = "",
    launch: Mapping[str, Any] | None = None,
    timeout: float = 30.0,
    visits: Sequence[VisitName] = VISITS,
    test_token: str | None = None,
    progress: Progress | None = None,
) -> list[ScanReport]:
    """Scan each of ``urls`` (one browser for all) against ``policy`` (without one,
    the policy each page declares in its widget's config); one report per page.
    ``test_token``: the site's ``kit.test_token``, so that the scan's decisions are
    recorded as a test's. ``progress`` is told each step. Raises ``ScanError`` when
    the scan cannot be made.

    The browser runs in a thread of its own, so that a caller that already drives
    Playwright, or runs an event loop, can scan too.
    """
    if not urls:
        raise ScanError("nothing to scan: name a URL or a sitemap")
    for url in urls:
        _check(url)
    outcome: list[list[ScanReport] | BaseException] = []

    def run() -> None:
        try:
            outcome.append(_drive(urls, policy, policy_source, launch, timeout, visits, test_token,
                                  progress or (lambda step: None)))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            outcome.append(exc)

    worker = threading.Thread(target=run, name="consentkit-scan", daemon=True)
    worker.start()
    worker.join()
    result = outcome[0]
    if isinstance(result, BaseException):
        raise result
    return result


def scan(
    url: str,
    policy: Policy | None = None,
    *,
    policy_source: str = "",
    launch: Mapping[str, Any] | None = None,
    timeout: float = 30.0,
    visits: Sequence[VisitName] = VISITS,
    test_token: str | None = None,
) -> ScanReport:
    """Scan ``url`` against ``policy`` (without one, the policy the page declares in
    its widget's config). ``launch``: ``chromium.launch()`` options, by default a
    system Chromium. Raises ``ScanError`` when the scan cannot be made."""
    return scan_pages([url], policy, policy_source=policy_source, launch=launch, timeout=timeout, visits=visits,
                      test_token=test_token)[0]


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
