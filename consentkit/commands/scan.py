"""``consentkit scan URL...``: visit pages in Chromium and check their cookies and
third-party requests against the consent policy; exit 1 on a problem, so that it can
gate a CI pipeline (0: clean, 2: the scan could not be made)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

TOKEN_ENV = "CONSENTKIT_TEST_TOKEN"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``scan`` to the ``consentkit`` command's subparsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "scan",
        help="check a site's cookies and trackers against its policy",
        description="Visit each URL (and each page of --sitemap) in Chromium three times (no choice, reject all, "
        "accept all), list the cookies and third-party requests of each visit, and compare them with the policy; "
        "then one line per problem, with its fix. Exit status: 0 clean, 1 problems, 2 the scan could not be "
        "made. Chromium: $CONSENTKIT_CHROMIUM, /usr/bin/chromium, or chromium on PATH.",
    )
    parser.add_argument("urls", metavar="URL", nargs="*", help="a page to scan, e.g. http://localhost:8000/")
    parser.add_argument("--sitemap", metavar="SITEMAP", action="append", default=[],
                        help="also scan the pages a sitemap lists (a URL or a file; repeatable)")
    parser.add_argument("--max-pages", type=int, default=20, metavar="N",
                        help="scan at most N pages of the sitemaps (default: 20)")
    parser.add_argument("--policy", metavar="FILE", type=Path,
                        help="the policy as TOML; default: the one each page's widget declares")
    parser.add_argument("--test-token", metavar="TOKEN", default=os.environ.get(TOKEN_ENV),
                        help="the site's kit.test_token (default: $CONSENTKIT_TEST_TOKEN): the site records the "
                             "scan's decisions as a test's, out of its statistics")
    parser.add_argument("--json", action="store_true", help="print the report as JSON instead of text")
    parser.add_argument("--html", metavar="REPORT", type=Path,
                        help="also write a self-contained HTML report here (of the first page)")
    parser.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                        help="how long to wait for a page (default: 30)")
    parser.set_defaults(run=run)
    return parser


def tty_progress(stream: TextIO) -> Callable[[str], None] | None:
    """A progress line rewritten in place on a terminal; nothing when ``stream`` is not
    one (a CI log or a pipe keeps only the report)."""
    if not stream.isatty():
        return None

    def show(step: str) -> None:
        stream.write("\r\x1b[K" + step[:200])
        stream.flush()

    return show


def run(args: argparse.Namespace) -> int:
    from .. import __version__
    from ..policy import Policy, PolicyError
    from ..scan import ScanError, dumps, scan_pages, to_html, to_text
    from ..scan.report import pages_to_json, pages_to_text
    from ..scan.sitemap import sitemap_urls

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
    progress = tty_progress(sys.stderr)
    try:
        urls = list(args.urls)
        for sitemap in args.sitemap:
            urls += sitemap_urls(sitemap, limit=args.max_pages, timeout=args.timeout)
        urls = list(dict.fromkeys(urls))
        reports = scan_pages(urls, policy, policy_source=source, timeout=args.timeout,
                             test_token=args.test_token or None, progress=progress)
    except ScanError as exc:
        if progress:
            sys.stderr.write("\n")
        print(f"consentkit scan: {exc}", file=sys.stderr)
        return 2
    if progress:
        sys.stderr.write("\r\x1b[K")
        sys.stderr.flush()
    if len(reports) == 1:
        print(dumps(reports[0], policy) if args.json else to_text(reports[0], policy),
              end="" if not args.json else "\n")
    else:
        import json

        print(json.dumps(pages_to_json(reports, policy), indent=2) if args.json else pages_to_text(reports, policy),
              end="" if not args.json else "\n")
    if args.html is not None:
        try:
            args.html.write_text(to_html(reports[0], __version__), encoding="utf-8")
        except OSError as exc:
            print(f"consentkit scan: cannot write {args.html}: {exc.strerror}", file=sys.stderr)
            return 2
    return 0 if all(r.ok for r in reports) else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="consentkit")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["scan", *(argv if argv is not None else sys.argv[1:])])
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
