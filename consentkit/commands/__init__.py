"""The subcommands of ``consentkit`` that live outside ``cli.py``: each module
exposes ``add_parser(subparsers)`` and ``run(args) -> int`` (and ``main(argv)``
to run it on its own)."""

from __future__ import annotations

COMMANDS = ("demo", "scan")
