"""The scan's report: JSON for machines, plain text for the terminal, and a
self-contained HTML page a compliance reviewer can file. Every piece of text from
the site (URLs, cookie names, hosts) is escaped."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from html import escape

from ..policy import Policy
from .findings import Finding, Problem, ScanReport, SeenCookie, VisitResult, problems

KIND_TITLES = {
    "undeclared-host": "Undeclared third-party host",
    "undeclared-cookie": "Undeclared cookie",
    "loaded-before-consent": "Loaded before consent",
    "set-before-consent": "Cookie set before consent",
    "loaded-after-reject": "Loaded after \u201creject all\u201d",
    "set-after-reject": "Cookie set or kept after \u201creject all\u201d",
    "no-banner": "No consent banner",
}
VISIT_TITLES = {
    "no-choice": "Visit 1: no choice made",
    "reject-all": "Visit 2: \u201creject all\u201d",
    "accept-all": "Visit 3: \u201caccept all\u201d",
}

_STYLE = """
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b2733; margin: 2rem auto;
       max-width: 72rem; padding: 0 1.5rem; }
h1 { font-size: 1.6rem; margin-bottom: .25rem; } h2 { margin-top: 2.5rem; } h3 { margin-top: 1.5rem; }
.verdict { display: inline-block; padding: .3rem .8rem; border-radius: 4px; font-weight: 700; color: #fff; }
.pass { background: #0b6e4f; } .fail { background: #a4161a; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.meta dt { font-weight: 600; } dl.meta dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: .75rem 0 1.5rem; }
caption { text-align: left; font-weight: 600; padding: .4rem 0; }
th, td { border: 1px solid #c9d3dc; padding: .4rem .6rem; text-align: left; vertical-align: top; }
thead th { background: #eef3f6; }
td.url, td.subject { word-break: break-all; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85rem; }
tr.violation td { background: #fdf0f0; }
.empty { color: #4f5d6b; font-style: italic; }
.note { border-left: 4px solid #f2a900; background: #fff8e6; padding: .5rem .75rem; }
footer { margin-top: 3rem; color: #4f5d6b; font-size: .85rem; }
@media print { body { margin: 0; } .verdict { border: 1px solid #000; color: #000; background: none; } }
"""


def _expires(cookie: SeenCookie) -> str:
    if cookie.expires is None:
        return "session"
    return datetime.fromtimestamp(cookie.expires, UTC).strftime("%Y-%m-%d")


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "NO"


def problem_line(problem: Problem) -> str:
    """One problem on one line: what, where it showed, and the fix."""
    visits = ", ".join(problem.visits)
    where = f"visits: {visits}" + (f"; {len(problem.pages)} pages" if len(problem.pages) > 1 else "")
    return f"  {KIND_TITLES[problem.kind]}: {problem.subject} ({where}) - fix: {problem.fix}"


def verdict(reports: list[ScanReport], policy: Policy | None = None) -> str:
    """PASS, or FAIL and one line per problem across every page and visit."""
    found = problems(reports, policy)
    if not found:
        return "PASS: no violation found.\n"
    return "\n".join([f"FAIL: {len(found)} problem(s):", *map(problem_line, found)]) + "\n"


def pages_to_text(reports: list[ScanReport], policy: Policy | None = None) -> str:
    """Several pages' reports, then the problems of all of them."""
    return "".join(_details(report) + "\n" for report in reports) + verdict(reports, policy)


def pages_to_json(reports: list[ScanReport], policy: Policy | None = None) -> dict[str, object]:
    found = problems(reports, policy)
    return {"ok": not found, "pages": [r.to_json() for r in reports], "problems": [asdict(p) for p in found]}


def to_text(report: ScanReport, policy: Policy | None = None) -> str:
    return _details(report) + "\n" + verdict([report], policy)


def _details(report: ScanReport) -> str:
    lines = [f"consentkit scan of {report.url} ({report.mode} mode; policy from {report.policy_source})"]
    for visit in report.visits:
        lines.append(f"\n{VISIT_TITLES[visit.name]}: {visit.how}")
        lines.append(f"  categories it may use: {', '.join(visit.granted)}")
        lines.append(f"  cookies ({len(visit.cookies)}):")
        for c in visit.cookies:
            lines.append(f"    {c.name} on {c.domain} [{c.category or 'undeclared'}, expires {_expires(c)}, "
                         f"declared: {_yes_no(c.declared)}]")
        lines.append(f"  third-party requests ({len(visit.requests)}):")
        for r in visit.requests:
            lines.append(f"    {r.url} [{r.category or 'undeclared'}, declared: {_yes_no(r.declared)}]")
    for note in report.notes:
        lines.append(f"\nNote: {note}")
    return "\n".join(lines) + "\n"


def _cell(text: object, css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    return f"<td{cls}>{escape(str(text))}</td>"


def _findings_table(findings: tuple[Finding, ...]) -> str:
    if not findings:
        return '<p class="empty">No violation found.</p>'
    rows = "".join(
        '<tr class="violation">' + _cell(i) + _cell(VISIT_TITLES[f.visit]) + _cell(KIND_TITLES[f.kind])
        + _cell(f.subject, "subject") + _cell(f.category or "\u2014") + _cell(f.message) + "</tr>"
        for i, f in enumerate(findings, 1)
    )
    head = "".join(f'<th scope="col">{h}</th>' for h in ("#", "Visit", "Finding", "Culprit", "Category", "Details"))
    return f"<table><caption>Violations</caption><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _problems_section(report: ScanReport) -> str:
    found = problems([report])
    if not found:
        return ""
    items = "".join(
        f"<li><strong>{escape(KIND_TITLES[p.kind])}: {escape(p.subject)}</strong> "
        f"(visits: {escape(', '.join(p.visits))})<br>Fix: {escape(p.fix)}</li>"
        for p in found
    )
    return f"<section><h2>Problems and fixes</h2><ol>{items}</ol></section>"


def _visit_section(visit: VisitResult) -> str:
    out = [f"<section><h2>{escape(VISIT_TITLES[visit.name])}</h2>",
           f"<p>How: {escape(visit.how)}.<br>Categories this visit may use: {escape(', '.join(visit.granted))}.</p>"]
    if visit.cookies:
        head = "".join(f'<th scope="col">{h}</th>' for h in ("Cookie", "Domain", "Party", "Expires", "Category",
                                                           "Third party with access", "Declared"))
        rows = "".join(
            "<tr>" + _cell(c.name, "subject") + _cell(c.domain) + _cell("first" if c.first_party else "third")
            + _cell(_expires(c)) + _cell(c.category or "\u2014") + _cell(c.vendor or "\u2014")
            + _cell(_yes_no(c.declared)) + "</tr>"
            for c in visit.cookies
        )
        out.append(f"<table><caption>Cookies at the end of the visit ({len(visit.cookies)})</caption>"
                   f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    else:
        out.append('<p class="empty">No cookies at the end of the visit.</p>')
    if visit.requests:
        head = "".join(f'<th scope="col">{h}</th>' for h in ("Host", "URL", "Type", "Category", "Vendor", "Declared"))
        rows = "".join(
            "<tr>" + _cell(r.host) + _cell(r.url, "url") + _cell(r.resource_type) + _cell(r.category or "\u2014")
            + _cell(r.vendor or "\u2014") + _cell(_yes_no(r.declared)) + "</tr>"
            for r in visit.requests
        )
        out.append(f"<table><caption>Third-party requests ({len(visit.requests)})</caption>"
                   f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    else:
        out.append('<p class="empty">No third-party requests.</p>')
    out.append("</section>")
    return "".join(out)


def to_html(report: ScanReport, version: str = "") -> str:
    verdict = ('<span class="verdict pass">PASS</span>' if report.ok
               else f'<span class="verdict fail">FAIL: {len(report.findings)} violation(s)</span>')
    meta = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in (
        ("Site", report.url), ("Scanned at", report.scanned_at), ("Consent mode", report.mode),
        ("Policy", report.policy_source), ("Visits", ", ".join(v.name for v in report.visits)),
    ))
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Consent scan of {escape(report.url)}</title><style>{_STYLE}</style></head><body>"
        f"<header><h1>Consent scan of {escape(report.url)}</h1><p>{verdict}</p>"
        f'<dl class="meta">{meta}</dl>'
        + "".join(f'<p class="note"><strong>Note:</strong> {escape(n)}</p>' for n in report.notes)
        + "</header>"
        + _problems_section(report)
        + f"<section><h2>Findings</h2>{_findings_table(report.findings)}</section>"
        + "".join(_visit_section(v) for v in report.visits)
        + "<footer><p>Method: each visit starts in a fresh Chromium profile. The \u201creject all\u201d and "
        "\u201caccept all\u201d visits make the choice with the site's banner (or, without one, its consent API), "
        "then load the page again; they list what happened from the choice on. A request is third-party when its "
        "host differs from the site's. Cookie values are not recorded.</p>"
        f"<p>Generated by consentkit{(' ' + escape(version)) if version else ''} scan.</p></footer>"
        "</body></html>"
    )


def dumps(report: ScanReport, policy: Policy | None = None) -> str:
    """The report as indented JSON (``--json``), with its problems (one per problem)."""
    data = report.to_json()
    data["problems"] = [asdict(p) for p in problems([report], policy)]
    return json.dumps(data, indent=2)
