"""The ``consentkit`` command: one subcommand per module of ``consentkit.commands``,
each adding its own parser."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .commands import admin, demo, export, requests, scan, stats

COMMANDS = (admin, demo, export, requests, scan, stats)


def build_parser() -> argparse.ArgumentParser:
    """The ``consentkit`` parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="consentkit", description="Consent and cookie management for ASGI apps.")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``consentkit`` with these arguments (default: the command line); the exit status."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error argparse has already explained
        return exc.code if isinstance(exc.code, int) else 2
    run = getattr(args, "run", None)
    if run is None:
        parser.print_help()
        return 2
    return int(run(args))


if __name__ == "__main__":
    sys.exit(main())
