"""The reports of ``consentkit scan --json`` that the site saved (``Admin(scan_reports=
"scan-reports/")``, one ``*.json`` file each): the list, newest first, with each
page's result, and one report's findings and what each visit saw. For viewers.

A report is read as data, never trusted: a file that is not a scan report is listed
as unreadable, and every value is shown as text."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.responses import Response

from .config import Role
from .page import AdminCall, Handler, Refused

MAX_BYTES = 5_000_000
MAX_REPORTS = 500
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.json$")


@dataclass(slots=True)
class Report:
    """One saved report, as far as it could be read."""

    name: str
    readable: bool
    url: str = ""
    mode: str = ""
    scanned_at: str = ""
    ok: bool = False
    findings: list[dict[str, str]] = field(default_factory=list)
    visits: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def read(path: Path) -> Report:
    """A report file, or an unreadable entry: never an exception. One page's report
    (``consentkit scan URL --json``) or several pages' (``{"pages": [...]}``, from
    several URLs or ``--sitemap``): then the pages' findings and visits together."""
    try:
        if path.stat().st_size > MAX_BYTES:
            return Report(path.name, False)
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Report(path.name, False)
    if not isinstance(data, dict):
        return Report(path.name, False)
    several = isinstance(data.get("pages"), list)
    pages = [p for p in data["pages"] if isinstance(p, dict)] if several else [data]
    if not pages or not all(isinstance(p.get("visits"), list) and _text(p.get("url")) for p in pages):
        return Report(path.name, False)
    findings: list[dict[str, str]] = []
    visits: list[dict[str, Any]] = []
    notes: list[str] = []
    for page in pages:
        prefix = f"{_text(page.get('url'))} · " if several else ""
        findings += [{k: _text(f.get(k)) for k in ("visit", "kind", "subject", "category", "message")}
                     | {"visit": prefix + _text(f.get("visit"))}
                     for f in page.get("findings") or [] if isinstance(f, dict)]
        for v in page["visits"]:
            if isinstance(v, dict):
                cookies, requests = v.get("cookies"), v.get("requests")
                visits.append({"name": prefix + _text(v.get("name")), "how": _text(v.get("how")),
                               "granted": [g for g in v.get("granted") or [] if isinstance(g, str)],
                               "cookies": len(cookies) if isinstance(cookies, list) else 0,
                               "requests": len(requests) if isinstance(requests, list) else 0})
        notes += [n for n in page.get("notes") or [] if isinstance(n, str)]
    urls = [_text(p.get("url")) for p in pages]
    url = urls[0] + (f" (+{len(urls) - 1})" if len(urls) > 1 else "")
    return Report(path.name, True, url=url, mode=_text(pages[0].get("mode")),
                  scanned_at=_text(pages[0].get("scanned_at")), ok=not findings and data.get("ok") is True,
                  findings=findings, visits=visits, notes=notes)


def _folder(call: AdminCall) -> Path | None:
    return call.admin.scan_reports


async def get_scans(call: AdminCall) -> Response:
    folder = _folder(call)
    reports: list[Report] = []
    if folder is not None and folder.is_dir():
        files = sorted((p for p in folder.iterdir() if _NAME.match(p.name) and p.is_file()),
                       key=lambda p: p.stat().st_mtime, reverse=True)[:MAX_REPORTS]
        reports = [read(p) for p in files]
        reports.sort(key=lambda r: r.scanned_at, reverse=True)
    return call.render("scans.html", configured=folder is not None, reports=reports)


async def get_scan(call: AdminCall) -> Response:
    folder = _folder(call)
    name = call.tail
    if folder is None or not _NAME.match(name) or not (folder / name).is_file():
        raise Refused(404, "no such scan report")
    report = read(folder / name)
    if not report.readable:
        raise Refused(404, "this file is not a consentkit scan report")
    return call.render("scan.html", report=report)


ROUTES: dict[tuple[str, str], tuple[Handler, Role]] = {
    ("GET", "scans"): (get_scans, "viewer"),
    ("GET", "scans/*"): (get_scan, "viewer"),
}
