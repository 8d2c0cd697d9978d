"""The ``consentkit`` command.

Each subcommand is a function that adds its parser to the subparsers and sets
``run`` (a function of the parsed arguments returning the exit status). ``export``
and ``stats`` live here; the others live in ``consentkit.commands`` (one module
each, named in ``consentkit.commands.COMMANDS``) and are added the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

DB_ENV = "CONSENTKIT_DB"
DEFAULT_DB = "sqlite:///consent.db"
Adder = Callable[[Any], argparse.ArgumentParser]


def _moment(text: str) -> datetime:
    """A date (midnight UTC) or an ISO 8601 date and time (UTC if no offset)."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: write it as YYYY-MM-DD") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _until(text: str) -> datetime:
    """The exclusive end of ``--until``: a bare date includes that whole day."""
    moment = _moment(text)
    return moment + timedelta(days=1) if len(text) == 10 else moment


def _db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", default=None, metavar="URL",
        help=f"the ledger: sqlite:///path.db, postgresql://... or a SQLite file path (default: ${DB_ENV}, "
        f"else {DEFAULT_DB})",
    )


def store_url(db: str | None) -> str:
    """The store URL from ``--db``, the environment, or the default; a bare path is a SQLite file."""
    url = db or os.environ.get(DB_ENV) or DEFAULT_DB
    return url if "://" in url else "sqlite:///" + url


def _open_store(args: argparse.Namespace, command: str) -> Any:
    """The store to read, or an error message for a ledger that is not there."""
    from .ledger import LedgerError, open_store, sqlite_path

    url = store_url(args.db)
    try:
        path = sqlite_path(url)
        if path is not None and not path.is_file():
            return f"consentkit {command}: there is no ledger at {path} (give --db, or set ${DB_ENV})"
        return open_store(url)
    except LedgerError as exc:
        return f"consentkit {command}: {exc}"


# -- export -------------------------------------------------------------------


def _add_export(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "export", help="stream the ledger's records as JSON lines or CSV",
        description="Write every consent record (from --since on), oldest first, in constant memory.",
    )
    _db_argument(parser)
    parser.add_argument("--format", choices=("jsonl", "csv"), default="jsonl", help="output format (default: jsonl)")
    parser.add_argument("--since", type=_moment, metavar="DATE", help="only records from this date (UTC) on")
    parser.add_argument("--output", "-o", type=Path, metavar="FILE", help="write here instead of standard output")
    parser.set_defaults(run=_run_export)
    return parser


def _run_export(args: argparse.Namespace) -> int:
    store = _open_store(args, "export")
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


async def _export(store: Any, out: TextIO, args: argparse.Namespace) -> int:
    from .ledger.export import Progress, export

    await store.open()
    try:
        progress = None
        if sys.stderr.isatty():
            progress = Progress(sys.stderr, await store.count(args.since))
        return await export(store, out, fmt=args.format, since=args.since, progress=progress)
    finally:
        await store.close()


# -- stats --------------------------------------------------------------------


def _add_stats(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "stats", help="consent rates per category, opt-outs and GPC counts, per day",
        description="Per day (UTC): the share of decisions granting each category, the opt-outs of sale or "
        "sharing, and the Global Privacy Control signals honoured.",
    )
    _db_argument(parser)
    parser.add_argument("--since", type=_moment, metavar="DATE", help="first day (UTC)")
    parser.add_argument("--until", type=_until, metavar="DATE", help="last day (UTC), included")
    parser.add_argument("--policy", type=Path, metavar="FILE",
                        help="the policy TOML, to name the sale_or_sharing categories (else they are inferred)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(run=_run_stats)
    return parser


def _run_stats(args: argparse.Namespace) -> int:
    import json

    sale_ids: tuple[str, ...] | None = None
    order: tuple[str, ...] = ()
    if args.policy is not None:
        from .policy import Policy, PolicyError

        try:
            policy = Policy.from_toml(args.policy)
        except (OSError, PolicyError) as exc:
            print(f"consentkit stats: cannot use the policy {args.policy}: {exc}", file=sys.stderr)
            return 2
        sale_ids, order = policy.sale_or_sharing_ids, policy.category_ids
    store = _open_store(args, "stats")
    if isinstance(store, str):
        print(store, file=sys.stderr)
        return 2
    try:
        stats = asyncio.run(_stats(store, args, sale_ids, order))
    except Exception as exc:  # noqa: BLE001 - a store failure is reported, not a traceback
        print(f"consentkit stats: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(stats.to_json(), indent=2) if args.json else stats.to_table())
    return 0


async def _stats(store: Any, args: argparse.Namespace, sale_ids: Any, order: Sequence[str]) -> Any:
    from .ledger.stats import from_store

    await store.open()
    try:
        return await from_store(store, since=args.since, until=args.until, sale_ids=sale_ids, order=order)
    finally:
        await store.close()


# -- the command --------------------------------------------------------------

_commands: dict[str, Adder] = {"export": _add_export, "stats": _add_stats}


def _external(name: str) -> Adder:
    def add(subparsers: Any) -> argparse.ArgumentParser:
        module = importlib.import_module(f"consentkit.commands.{name}")
        parser: argparse.ArgumentParser = module.add_parser(subparsers)
        return parser

    return add


def build_parser() -> argparse.ArgumentParser:
    """The ``consentkit`` parser with every registered subcommand."""
    from . import commands

    parser = argparse.ArgumentParser(prog="consentkit", description="Consent and cookie management for ASGI apps.")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    adders = {name: _external(name) for name in commands.COMMANDS}
    adders.update(_commands)
    for name in sorted(adders):
        adders[name](subparsers)
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
