"""``consentkit stats``: consent rates per category, opt-outs and GPC counts, per day."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..ledger import Store
from ..ledger.stats import Stats, from_store
from ..policy import Policy, PolicyError
from .store import db_argument, moment, store_for, until


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``stats`` to the ``consentkit`` command's subparsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "stats", help="consent rates per category, opt-outs and GPC counts, per day",
        description="Per day (UTC): the share of decisions granting each category, the opt-outs of sale or "
        "sharing, and the Global Privacy Control signals honoured.",
    )
    db_argument(parser)
    parser.add_argument("--since", type=moment, metavar="DATE", help="first day (UTC)")
    parser.add_argument("--until", type=until, metavar="DATE", help="last day (UTC), included")
    parser.add_argument("--policy", type=Path, metavar="FILE",
                        help="the policy TOML, which names the sale_or_sharing categories (without it, opt-outs "
                             "are unknown)")
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table", help="output (default: table)")
    parser.add_argument("--json", action="store_const", const="json", dest="format", help="the same as --format json")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    sale_ids: tuple[str, ...] | None = None
    order: tuple[str, ...] = ()
    if args.policy is not None:
        try:
            policy = Policy.from_toml(args.policy)
        except (OSError, PolicyError) as exc:
            print(f"consentkit stats: cannot use the policy {args.policy}: {exc}", file=sys.stderr)
            return 2
        sale_ids, order = policy.sale_or_sharing_ids, policy.category_ids
    store = store_for(args, "stats")
    if isinstance(store, str):
        print(store, file=sys.stderr)
        return 2
    try:
        stats = asyncio.run(_stats(store, args, sale_ids, order))
    except Exception as exc:  # noqa: BLE001 - a store failure is reported, not a traceback
        print(f"consentkit stats: {exc}", file=sys.stderr)
        return 1
    if args.format == "json":
        print(json.dumps(stats.to_json(), indent=2))
    else:
        sys.stdout.write(stats.to_csv() if args.format == "csv" else stats.to_table() + "\n")
    return 0


async def _stats(
    store: Store, args: argparse.Namespace, sale_ids: tuple[str, ...] | None, order: Sequence[str]
) -> Stats:
    await store.open()
    try:
        # From the daily rollups: a few rows a day, whatever the number of records.
        return await from_store(store, since=args.since, until=args.until, sale_ids=sale_ids, order=order)
    finally:
        await store.close()
