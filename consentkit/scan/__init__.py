"""``consentkit scan``: visit a site in Chromium three times (no choice, reject all,
accept all) and hold what it did against its policy.

Each visit starts from a fresh profile. The reject and accept visits load the page,
make the choice (with the banner's own button, or through the consent API when the
page has no banner), then load the page again; what counts for them is what
happened from the choice on. Findings:

- ``undeclared-host``: a request to another host that no category declares;
- ``undeclared-cookie``: a cookie that no category declares;
- ``loaded-before-consent`` / ``set-before-consent``: a gated category's host
  requested, or its cookie set, on a visit that had not granted it;
- ``loaded-after-reject`` / ``set-after-reject``: the same after "reject all",
  including a first-party cookie the site left in place instead of expiring it;
- ``no-banner``: the first visit showed no consentkit banner.

``problems()`` folds the findings of every page and visit into one per problem (a
host, a cookie, a page), each with its fix.

Cookie values are never read into a report: they are identifiers.
"""

from __future__ import annotations

from .findings import (
    VISITS,
    Finding,
    Problem,
    ScanError,
    ScanReport,
    SeenCookie,
    SeenRequest,
    VisitName,
    VisitResult,
    config_lists_hosts,
    granted_on,
    judge,
    policy_from_config,
    problems,
    see_cookie,
    see_request,
)
from .report import dumps, to_html, to_text
from .scanner import scan, scan_pages
from .visits import VisitError, VisitLog, visit

__all__ = [
    "VISITS",
    "Finding",
    "Problem",
    "ScanError",
    "ScanReport",
    "SeenCookie",
    "SeenRequest",
    "VisitError",
    "VisitLog",
    "VisitName",
    "VisitResult",
    "config_lists_hosts",
    "dumps",
    "granted_on",
    "judge",
    "policy_from_config",
    "problems",
    "scan",
    "scan_pages",
    "see_cookie",
    "see_request",
    "to_html",
    "to_text",
    "visit",
]
