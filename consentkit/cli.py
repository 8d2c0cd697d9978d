"""The ``consentkit`` command: one subcommand per module of ``consentkit.commands``,
each adding its own parser."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib import metadata

from .commands import admin, demo, export, requests, scan, stats

COMMANDS = (admin, demo, export, requests, scan, stats)


def build_parser() -> argparse.ArgumentParser:
    """The ``consentkit`` parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="consentkit", description="Consent and cookie management for ASGI apps.")
    parser.add_argument("--version", action="version", version=f"consentkit {_version()}")
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
    try:
        return int(run(args))
    except BrokenPipeError:
        # The reader went away (| head): a quiet end, with no traceback from the final flush either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _version() -> str:
    try:
        return metadata.version("consentkit")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
