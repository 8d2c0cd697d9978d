"""``consentkit requests``: the privacy requests, for the site's staff.

``list``, ``show`` and ``metrics`` read the store (``--db``, like ``export`` and
``stats``) or the site's kit (``--app module:kit``). The actions, ``approve``,
``extend``, ``close`` and ``sweep``, tell the consumer, so they need the site's kit,
with its notifier, keys and data sources: ``--app myshop.privacy:kit`` (or
``$CONSENTKIT_APP``) names the ``ConsentKit`` object, as uvicorn names an app.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from ..kit import ConsentKit
from ..ledger import LedgerError, sqlite_path
from ..requests import PrivacyRequest, RequestDesk, RequestError, RequestStore, open_request_store
from ..requests.desk import metrics_of
from .store import DB_ENV, db_argument, store_url

APP_ENV = "CONSENTKIT_APP"
_STATUS = {"open": "open", "closed": "closed", "all": None}


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``requests`` (list, show, metrics, approve, extend, close, sweep)."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "requests", help="privacy requests: the open ones by deadline, one request's steps, actions, metrics",
        description="Privacy requests (know, access, delete, correct, limit): list them by deadline (overdue "
        "first), show one, act on it, and print the yearly metrics.",
    )
    actions = parser.add_subparsers(title="actions", metavar="ACTION")

    def common(sub: argparse.ArgumentParser) -> None:
        db_argument(sub)
        sub.add_argument("--app", metavar="MODULE:KIT", default=None,
                         help=f"the site's ConsentKit object, e.g. myshop.privacy:kit (default: ${APP_ENV})")

    listing = actions.add_parser("list", help="requests by deadline, the overdue first (default: the open ones)")
    common(listing)
    listing.add_argument("--status", default="open", help="open (default), closed, all, or one status")
    listing.add_argument("--type", default=None, help="only requests of this type")
    listing.add_argument("--overdue", action="store_true", help="only those past their deadline")
    listing.add_argument("--limit", type=int, default=100)
    listing.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    listing.set_defaults(run=_reader(_list))

    show = actions.add_parser("show", help="one request: its deadlines, steps and source outcomes")
    common(show)
    show.add_argument("id")
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=_reader(_show))

    metrics = actions.add_parser("metrics", help="the yearly figures of 11 CCR §7102")
    common(metrics)
    metrics.add_argument("--year", type=int, default=datetime.now(UTC).year)
    metrics.add_argument("--json", action="store_true")
    metrics.set_defaults(run=_reader(_metrics))

    def actor(sub: argparse.ArgumentParser) -> None:
        common(sub)
        sub.add_argument("id")
        sub.add_argument("--actor", required=True, help="who acts (recorded with the step)")

    approve = actions.add_parser("approve", help="answer a verified request now (or retry its failed sources)")
    actor(approve)
    approve.set_defaults(run=_writer(lambda desk, a: desk.transition(a.id, "approve", actor=a.actor)))
    extend = actions.add_parser("extend", help="the one extension (45 more days), with the reason told")
    actor(extend)
    extend.add_argument("--reason", required=True)
    extend.set_defaults(run=_writer(lambda desk, a: desk.transition(a.id, "extend", actor=a.actor,
                                                                    reason=a.reason)))
    close = actions.add_parser("close", help="close a request: done (answered) or deny (with the reason told)")
    actor(close)
    close.add_argument("--outcome", choices=("done", "deny"), required=True)
    close.add_argument("--reason", default=None)
    close.set_defaults(run=_writer(lambda desk, a: desk.transition(a.id, a.outcome, actor=a.actor,
                                                                   reason=a.reason)))
    sweep = actions.add_parser("sweep", help="close, with the reason, requests left unverified for 14 days, and "
                               "run again the sources that failed for verified requests (run it daily)")
    common(sweep)
    sweep.add_argument("--days", type=int, default=14)
    sweep.set_defaults(run=_writer(_sweep))

    def usage(args: argparse.Namespace) -> int:
        parser.print_help()
        return 2

    parser.set_defaults(run=usage)
    return parser


def load_kit(spec: str) -> ConsentKit:
    """The ``ConsentKit`` that ``module:attribute`` names."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ValueError(f"--app {spec!r}: write it as module:kit, e.g. myshop.privacy:kit")
    sys.path.insert(0, os.getcwd())
    value: Any = importlib.import_module(module_name)
    for part in attribute.split("."):
        value = getattr(value, part)
    if not isinstance(value, ConsentKit):
        raise TypeError(f"--app {spec!r} is a {type(value).__name__}, not a ConsentKit")
    return value


def _store(args: argparse.Namespace) -> RequestStore:
    url = store_url(args.db)
    path = sqlite_path(url)
    if path is not None and not path.is_file():
        raise ValueError(f"there is no ledger at {path} (give --db, or set ${DB_ENV})")
    return open_request_store(url)


def _reader(work: Callable[[RequestStore, argparse.Namespace], Awaitable[int]]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        spec = args.app or os.environ.get(APP_ENV)
        try:
            if spec and not args.db:
                kit = load_kit(spec)
                store = kit.requests.store
            else:
                store = _store(args)
            return asyncio.run(_with(store, work, args))
        except (ValueError, TypeError, ImportError, AttributeError, LedgerError) as exc:
            print(f"consentkit requests: {exc}", file=sys.stderr)
            return 2

    return run


async def _with(store: RequestStore, work: Callable[[RequestStore, argparse.Namespace], Awaitable[int]],
                args: argparse.Namespace) -> int:
    await store.open()
    try:
        return await work(store, args)
    finally:
        await store.close()


def _writer(act: Callable[[RequestDesk, argparse.Namespace], Awaitable[Any]]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        spec = args.app or os.environ.get(APP_ENV)
        if not spec:
            print("consentkit requests: actions tell the consumer, so they need the site's kit: --app module:kit "
                  f"(or ${APP_ENV})", file=sys.stderr)
            return 2
        try:
            kit = load_kit(spec)
            return asyncio.run(_act(kit, act, args))
        except (ValueError, TypeError, ImportError, AttributeError, LedgerError) as exc:
            print(f"consentkit requests: {exc}", file=sys.stderr)
            return 2
        except RequestError as exc:
            print(f"consentkit requests: {exc.message}", file=sys.stderr)
            return 1

    return run


async def _act(kit: ConsentKit, act: Callable[[RequestDesk, argparse.Namespace], Awaitable[Any]],
               args: argparse.Namespace) -> int:
    await kit.startup()
    try:
        result = await act(kit.requests, args)
    finally:
        await kit.shutdown()
    if isinstance(result, PrivacyRequest):
        print(f"{result.id}: {result.status}, due {result.due.isoformat()}")
    else:
        closed, answered = result
        print(f"closed {closed} unverified request(s); answered {answered} after retrying their failed sources")
    return 0


async def _sweep(desk: RequestDesk, args: argparse.Namespace) -> tuple[int, int]:
    """The daily run: close the unverified, retry the sources that failed."""
    return await desk.close_unverified(args.days), await desk.retry_failed()


async def _list(store: RequestStore, args: argparse.Namespace) -> int:
    status = _STATUS.get(args.status, args.status)
    today = datetime.now(UTC).date()
    found = await store.find(status=status, type=args.type, due_before=today if args.overdue else None,
                             limit=max(1, args.limit))
    if args.json:
        for s in found:
            print(json.dumps({"id": s.id, "type": s.type, "requester": s.requester, "status": s.status,
                              "received_at": s.received_at.isoformat(), "acknowledge_by": s.acknowledge_by.isoformat(),
                              "due": s.due.isoformat(), "extended": s.extended, "overdue": s.overdue(today)}))
        return 0
    print(f"{'id':<26} {'type':<16} {'status':<12} {'received':<11} {'due':<11} ")
    for s in found:
        flag = "OVERDUE" if s.overdue(today) else ("extended" if s.extended else "")
        print(f"{s.id:<26} {s.type:<16} {s.status:<12} {s.received_at.date().isoformat():<11} "
              f"{s.due.isoformat():<11} {flag}".rstrip())
    if not found:
        print("(none)")
    return 0


async def _show(store: RequestStore, args: argparse.Namespace) -> int:
    request = await store.get(args.id)
    if request is None:
        print(f"consentkit requests: no request {args.id!r}", file=sys.stderr)
        return 1
    steps = [{"step": s.name, "at": s.at.isoformat(), "actor": s.actor, "reason": s.reason, **dict(s.detail)}
             for s in request.steps]
    about = {"id": request.id, "type": request.type, "requester": request.requester, "status": request.status,
             "received_at": request.received_at.isoformat(), "acknowledge_by": request.acknowledge_by.isoformat(),
             "respond_by": request.respond_by.isoformat(),
             "extended_to": request.extended_to.isoformat() if request.extended_to else None,
             "extension_reason": request.extension_reason, "method": request.method, "reason": request.reason,
             "results": dict(request.results), "steps": steps}
    if args.json:
        print(json.dumps(about, indent=2, default=str))
        return 0
    for key in ("id", "type", "requester", "status", "received_at", "acknowledge_by", "respond_by", "extended_to",
                "extension_reason", "method", "reason"):
        if about[key] is not None:
            print(f"{key:<17} {about[key]}")
    print("steps:")
    for step in steps:
        extra = ", ".join(f"{k}={v}" for k, v in step.items() if k not in ("step", "at", "actor") and v is not None)
        print(f"  {step['at'][:19]}  {step['step']:<16} {step['actor']}{'  ' + extra if extra else ''}")
    return 0


async def _metrics(store: RequestStore, args: argparse.Namespace) -> int:
    figures = await metrics_of(store, args.year)
    if args.json:
        print(json.dumps({"year": figures.year, "by_type": figures.by_type}, indent=2))
        return 0
    print(f"Privacy requests received in {figures.year} (11 CCR §7102)")
    print(f"{'type':<16} {'received':>8} {'complied':>8} {'denied':>6} {'open':>5} {'median days':>11} {'mean days':>9}")
    for kind, row in figures.by_type.items():
        median = "-" if row["median_days"] is None else f"{row['median_days']:.1f}"
        mean = "-" if row["mean_days"] is None else f"{row['mean_days']:.1f}"
        print(f"{kind:<16} {row['received']:>8} {row['complied']:>8} {row['denied']:>6} {row['open']:>5} "
              f"{median:>11} {mean:>9}")
    if not figures.by_type:
        print("(none)")
    return 0
