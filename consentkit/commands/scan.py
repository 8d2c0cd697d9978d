"""``consentkit scan URL``: visit a site in Chromium and check its cookies and
third-party requests against its consent policy; exit 1 on a violation, so that
it can gate a CI pipeline (0: clean, 2: the scan could not be made)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``scan`` to the ``consentkit`` command's subparsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "scan",
        help="check a site's cookies and trackers against its policy",
        description="Visit URL in Chromium three times (no choice, reject all, accept all), list the cookies and "
        "third-party requests of each visit, and compare them with the policy. Exit status: 0 clean, 1 violations, "
        "2 the scan could not be made. Chromium: $CONSENTKIT_CHROMIUM, /usr/bin/chromium, or chromium on PATH.",
    )
    parser.add_argument("url", metavar="URL", help="the page to scan, e.g. http://localhost:8000/")
    parser.add_argument("--policy", metavar="FILE", type=Path,
                        help="the policy as TOML; default: the one the page's widget declares")
    parser.add_argument("--json", action="store_true", help="print the report as JSON instead of text")
    parser.add_argument("--html", metavar="REPORT", type=Path, help="also write a self-contained HTML report here")
    parser.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                        help="how long to wait for a page (default: 30)")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from .. import __version__
    from ..policy import Policy, PolicyError
    from ..scan import ScanError, dumps, scan, to_html, to_text

    policy = None
    source = ""
    if args.policy is not None:
        try:
            policy = Policy.from_toml(args.policy)
        except OSError as exc:
            print(f"consentkit scan: cannot read the policy {args.policy}: {exc.strerror}", file=sys.stderr)
            return 2
        except PolicyError as exc:
            print(f"consentkit scan: {exc}", file=sys.stderr)
            return 2
        source = f"the policy file {args.policy}"
    try:
        report = scan(args.url, policy, policy_source=source, timeout=args.timeout)
    except ScanError as exc:
        print(f"consentkit scan: {exc}", file=sys.stderr)
        return 2
    print(dumps(report) if args.json else to_text(report), end="" if not args.json else "\n")
    if args.html is not None:
        try:
            args.html.write_text(to_html(report, __version__), encoding="utf-8")
        except OSError as exc:
            print(f"consentkit scan: cannot write {args.html}: {exc.strerror}", file=sys.stderr)
            return 2
    return 0 if report.ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="consentkit")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["scan", *(argv if argv is not None else sys.argv[1:])])
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
