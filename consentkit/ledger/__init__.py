"""The proof-of-consent ledger: records, stores, and the spool that keeps records
safe while a store is down.

``open_ledger(url)`` is the usual entry point; ``open_store(url)`` gives the bare
store (the CLI's export and stats use it). Errors are ``LedgerError``.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .base import LedgerError, Record, Store
from .memory import MemoryStore
from .spooled import MIN_RETENTION_DAYS, Ledger

__all__ = [
    "MIN_RETENTION_DAYS",
    "Ledger",
    "LedgerError",
    "MemoryStore",
    "Record",
    "Store",
    "default_spool_dir",
    "open_ledger",
    "open_store",
    "sqlite_path",
    "store_identity",
]

logger = logging.getLogger("consentkit.ledger")

_HELP = "use sqlite:///relative/path.db, sqlite:////absolute/path.db, postgresql://user@host/db or memory://"


def sqlite_path(url: str) -> Path | None:
    """The file a ``sqlite:///`` URL names, or None for another kind of URL."""
    if not url.startswith("sqlite:"):
        return None
    if not url.startswith("sqlite:///") or len(url) <= len("sqlite:///"):
        raise LedgerError(f"store URL {url!r} names no file: {_HELP}")
    path = url[len("sqlite:///"):].split("?", 1)[0]
    if path == ":memory:":
        raise LedgerError("an in-memory SQLite ledger cannot be shared by its reader threads: use memory:// instead")
    return Path(path)


def open_store(url: str) -> Store:
    """The store a URL names (not opened yet). Query parameters: ``schema`` on a
    PostgreSQL URL puts the tables in that schema; ``synchronous=full`` on a SQLite
    URL syncs every commit to the disk (survives a power cut, costs an fsync)."""
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "memory":
        return MemoryStore()
    if scheme == "sqlite":
        from .sqlite import SqliteStore

        path = sqlite_path(url)
        assert path is not None
        options = dict(parse_qsl(urlsplit(url).query))
        synchronous = options.get("synchronous", "normal").upper()
        if synchronous not in ("NORMAL", "FULL"):
            raise LedgerError(f"synchronous={synchronous.lower()!r} is not supported: use normal or full")
        return SqliteStore(path, synchronous="FULL" if synchronous == "FULL" else "NORMAL")
    if scheme in ("postgresql", "postgres"):
        from .postgres import PostgresStore

        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        schema = next((v for k, v in query if k == "schema"), None)
        rest = urlencode([(k, v) for k, v in query if k != "schema"])
        return PostgresStore(urlunsplit(parts._replace(query=rest)), schema=schema)
    raise LedgerError(f"store URL {url.split('://', 1)[0]!r}... is not supported: {_HELP}")


def store_identity(url: str) -> str:
    """What names one store, whatever the URL's spelling: the SQLite file's absolute
    path; PostgreSQL's user, host, port, database and schema (never the password);
    for ``memory://``, this one in-memory store (each is new)."""
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    path = sqlite_path(url)
    if path is not None:
        return f"sqlite:{path.expanduser().resolve()}"
    if scheme in ("postgresql", "postgres"):
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        host = parts.hostname or query.get("host", "")
        port = parts.port or int(query.get("port", "5432") or 5432)
        user = parts.username or query.get("user", "")
        return f"postgresql://{user}@{host}:{port}{parts.path or '/'}?schema={query.get('schema', '')}"
    return f"{scheme or 'store'}:{secrets.token_hex(12)}"


def default_spool_dir(url: str) -> Path:
    """Where records wait while the store is down: next to the SQLite file
    (``consent.db.spool/``), else ``./.consentkit/spool/<store>-<hash of its identity>``,
    so that kits of different stores started in one directory never share one."""
    path = sqlite_path(url)
    if path is not None:
        return path.with_name(path.name + ".spool")
    identity = store_identity(url)
    digest = hashlib.sha256(identity.encode()).hexdigest()[:16]
    return Path(".consentkit") / "spool" / f"{identity.split(':', 1)[0]}-{digest}"


def _warn_about_unowned_spool(directory: Path) -> None:
    """Files an earlier version spooled in the shared ``./.consentkit/spool`` belong
    to a store it cannot tell: say so, rather than replay them into the wrong one."""
    shared = directory.parent
    try:
        leftovers = [p.name for p in shared.iterdir() if p.name.endswith(".jsonl")]
    except OSError:
        return
    if leftovers:
        logger.warning("%d spool file(s) of an earlier consentkit wait in %s and belong to no store; move them into "
                       "%s if they are this store's records", len(leftovers), shared, directory)


def open_ledger(
    url: str,
    *,
    spool_dir: str | Path | None = None,
    retention_days: int = MIN_RETENTION_DAYS,
    allow_short_retention: bool = False,
    timeout: float = 2.0,
) -> Ledger:
    """The ledger for a store URL (``sqlite:///consent.db``, ``postgresql://...``,
    ``memory://``). Call ``await ledger.start()`` before use, ``stop()`` after."""
    store = open_store(url)
    directory = Path(spool_dir) if spool_dir is not None else default_spool_dir(url)
    if spool_dir is None and sqlite_path(url) is None:
        _warn_about_unowned_spool(directory)
    return Ledger(
        store,
        directory,
        retention_days=retention_days,
        allow_short_retention=allow_short_retention,
        timeout=timeout,
        owner=store_identity(url),
    )
