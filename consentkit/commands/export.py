"""``consentkit export``: stream the ledger's records as JSON lines or CSV."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TextIO

from ..ledger import Store
from ..ledger.export import Progress, export
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
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
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
            # The reader (| head) went away: not an error worth a traceback.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return 1
        except Exception as exc:  # noqa: BLE001 - a store failure is reported, not a traceback
            print(f"consentkit export: {exc}", file=sys.stderr)
            return 1
    if args.output is not None:
        print(f"consentkit export: {written:,} records written to {args.output}", file=sys.stderr)
    return 0


async def _export(store: Store, out: TextIO, args: argparse.Namespace) -> int:
    await store.open()
    try:
        progress = None
        if sys.stderr.isatty():
            progress = Progress(sys.stderr, await store.count(args.since))
        return await export(store, out, fmt=args.format, since=args.since, progress=progress)
    finally:
        await store.close()
