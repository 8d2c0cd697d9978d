"""Running a scan: three visits of the site in Chromium, each judged against the
policy (given, or read from the page). Playwright is imported only when a scan runs."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
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


def _drive(url: str, policy: Policy | None, source: str, launch: Mapping[str, Any] | None, timeout: float,
           visits: Sequence[VisitName]) -> ScanReport:
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise ScanError("consentkit scan drives Chromium through Playwright: pip install 'consentkit[scan]'") from None
    site_host = (urlsplit(url).hostname or "").lower()
    hosts_known = policy is not None
    notes: list[str] = []
    results: list[VisitResult] = []
    findings: list[Finding] = []
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(**(dict(launch) if launch is not None else launch_options()))
        except PlaywrightError as exc:
            raise ScanError(
                f"could not start Chromium ({exc.message.splitlines()[0]}): install it, or point "
                "$CONSENTKIT_CHROMIUM at it"
            ) from None
        try:
            for name in visits:
                choice = None if name == "no-choice" else name
                optional = policy.optional_ids if policy is not None else None
                try:
                    log = visit(browser, url, choice, categories=optional, timeout=timeout)
                except VisitError as exc:
                    raise ScanError(str(exc)) from None
                if policy is None:
                    if log.config is None:
                        raise ScanError(
                            f"{url} runs no consentkit widget (is ConsentMiddleware mounted?): "
                            "pass the policy with --policy FILE"
                        )
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
        finally:
            browser.close()
    if policy is None:
        raise ScanError("nothing was scanned: name at least one visit")
    source = source or "the page's widget config"
    return ScanReport(url, source, policy.mode, now_iso(), tuple(results), tuple(findings), tuple(notes))


def scan(
    url: str,
    policy: Policy | None = None,
    *,
    policy_source: str = "",
    launch: Mapping[str, Any] | None = None,
    timeout: float = 30.0,
    visits: Sequence[VisitName] = VISITS,
) -> ScanReport:
    """Scan ``url`` against ``policy`` (without one, the policy the page declares in
    its widget's config). ``launch``: ``chromium.launch()`` options, by
    default a system Chromium. Raises ``ScanError`` when the scan cannot be made.

    The browser runs in a thread of its own, so that a caller that already drives
    Playwright, or runs an event loop, can scan too.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ScanError(f"{url!r} is not an http(s) URL")
    outcome: list[ScanReport | BaseException] = []

    def run() -> None:
        try:
            outcome.append(_drive(url, policy, policy_source, launch, timeout, visits))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            outcome.append(exc)

    worker = threading.Thread(target=run, name="consentkit-scan", daemon=True)
    worker.start()
    worker.join()
    result = outcome[0]
    if isinstance(result, BaseException):
        raise result
    return result


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
