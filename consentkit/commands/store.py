"""What ``consentkit export`` and ``consentkit stats`` share: the ``--db`` option
naming the ledger, the store it opens, and their date arguments."""

from __future__ import annotations

import argparse
import os
from datetime import UTC, date, datetime, timedelta

from ..ledger import LedgerError, Store, open_store, sqlite_path

DB_ENV = "CONSENTKIT_DB"
DEFAULT_DB = "sqlite:///consent.db"


def moment(text: str) -> datetime:
    """A date (midnight UTC) or an ISO 8601 date and time (UTC if no offset)."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: write it as YYYY-MM-DD") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def until(text: str) -> datetime:
    """The exclusive end of ``--until``: a bare date includes that whole day."""
    end = moment(text)
    return end + timedelta(days=1) if len(text) == 10 else end


def db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", default=None, metavar="URL",
        help=f"the ledger: sqlite:///path.db, postgresql://... or a SQLite file path (default: ${DB_ENV}, "
        f"else {DEFAULT_DB})",
    )


def store_url(db: str | None) -> str:
    """The store URL from ``--db``, the environment, or the default; a bare path is a SQLite file."""
    url = db or os.environ.get(DB_ENV) or DEFAULT_DB
    return url if "://" in url else "sqlite:///" + url


def store_for(args: argparse.Namespace, command: str) -> Store | str:
    """The store to read, or an error message for a ledger that is not there."""
    url = store_url(args.db)
    try:
        path = sqlite_path(url)
        if path is not None and not path.is_file():
            return f"consentkit {command}: there is no ledger at {path} (give --db, or set ${DB_ENV})"
        return open_store(url)
    except LedgerError as exc:
        return f"consentkit {command}: {exc}"
