"""``consentkit export``: stream the ledger's records as JSON lines or CSV."""

from __future__ import annotations

import argparse
import asyncio
import sys
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from ..ledger import Store
from ..ledger.export import Progress, export
from ..policy import Policy, PolicyError
from .store import db_argument, moment, store_for


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``export`` to the ``consentkit`` command's subparsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "export", help="stream the ledger's records as JSON lines or CSV",
        description="Write every consent record (from --since on), oldest first, in constant memory.",
    )
    db_argument(parser)
    parser.add_argument("--format", choices=("jsonl", "csv"), default="jsonl", help="output format (default: jsonl)")
    parser.add_argument("--since", type=moment, metavar="DATE", help="only records from this date (UTC) on")
    parser.add_argument("--output", "-o", type=Path, metavar="FILE", help="write here instead of standard output")
    parser.add_argument("--choices", choices=("columns", "json", "both"), default="columns",
                        help="CSV: a true/false column per category (default), the choices as one JSON column, "
                             "or both")
    parser.add_argument("--policy", type=Path, metavar="FILE",
                        help="CSV: the policy TOML, for its categories in its order (default: those in the ledger)")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    args.categories = None
    if args.policy is not None:
        try:
            args.categories = list(Policy.from_toml(args.policy).category_ids)
        except (OSError, PolicyError) as exc:
            print(f"consentkit export: cannot use the policy {args.policy}: {exc}", file=sys.stderr)
            return 2
    store = store_for(args, "export")
    if isinstance(store, str):
        print(store, file=sys.stderr)
        return 2
    with ExitStack() as stack:
        out: TextIO = sys.stdout
        if args.output is not None:
            try:
                out = stack.enter_context(open(args.output, "w", encoding="utf-8", newline=""))
            except OSError as exc:
                print(f"consentkit export: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
                return 2
        try:
            written = asyncio.run(_export(store, out, args))
        except BrokenPipeError:
            raise  # the reader went away (| head): cli.main ends quietly
        except Exception as exc:  # noqa: BLE001 - a store failure is reported, not a traceback
            print(f"consentkit export: {exc}", file=sys.stderr)
            return 1
    if args.output is not None:
        print(f"consentkit export: {written:,} records written to {args.output}", file=sys.stderr)
    return 0


async def categories_in(store: Store) -> list[str]:
    """Every category the ledger's decisions name (from the daily rollups: a few rows a
    day), ``necessary`` first."""
    seen: set[str] = set()
    for row in await store.daily_counts(date.min, date.max, by=("choices",)):
        seen.update(row.values[0])
    return sorted(seen, key=lambda c: (c != "necessary", c))


async def _export(store: Store, out: TextIO, args: argparse.Namespace) -> int:
    await store.open()
    try:
        progress = None
        if sys.stderr.isatty():
            progress = Progress(sys.stderr, await store.count(args.since))
        categories = None
        if args.format == "csv" and args.choices != "json":
            categories = args.categories or await categories_in(store)
        return await export(store, out, fmt=args.format, since=args.since, progress=progress,
                            categories=categories, choices_json=args.choices != "columns")
    finally:
        await store.close()
