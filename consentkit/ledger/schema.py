"""The ledger's tables, one definition for every SQL store.

Migrations are numbered; each takes the schema from the version before it, and the
``consentkit_schema_version`` table says which have run. The SQL is plain and
portable: the only difference between dialects is the type of the time column
(SQLite keeps fixed-width UTC text, whose order is time order).
"""

from __future__ import annotations

import sqlite3
from typing import Literal

from .base import LedgerError

Dialect = Literal["sqlite", "postgres"]

SCHEMA_VERSION = 1
_TIME_TYPE = {"sqlite": "TEXT", "postgres": "TIMESTAMPTZ"}

# "{records}" is the records table's name (schema-qualified on PostgreSQL);
# "{time}" the dialect's time type.
_MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        (
            "CREATE TABLE {records} ("
            " receipt_id TEXT NOT NULL PRIMARY KEY, visitor_id TEXT NOT NULL, at {time} NOT NULL,"
            " policy_version TEXT NOT NULL, mode TEXT NOT NULL, choices TEXT NOT NULL, source TEXT NOT NULL,"
            " gpc BOOLEAN NOT NULL, age_band TEXT NOT NULL, parental_consent TEXT, browser TEXT NOT NULL,"
            " browser_major TEXT NOT NULL, os TEXT NOT NULL, device TEXT NOT NULL, verification TEXT,"
            " kind TEXT NOT NULL, extra TEXT NOT NULL)"
        ),
        # Receipts are looked up by visitor; exports, stats and retention go by time.
        "CREATE INDEX consentkit_records_visitor ON {records} (visitor_id, at, receipt_id)",
        "CREATE INDEX consentkit_records_at ON {records} (at, receipt_id)",
    ),
}


def migration(version: int, dialect: Dialect) -> tuple[str, ...]:
    """The statements that take the schema to ``version``, with ``{records}`` left
    for the caller to fill in."""
    return tuple(s.replace("{time}", _TIME_TYPE[dialect]) for s in _MIGRATIONS[version])


def newer_schema_message(found: int) -> str:
    return (
        f"the ledger's schema is version {found}, newer than this consentkit knows ({SCHEMA_VERSION}): "
        "upgrade consentkit"
    )


def migrate_sqlite(conn: sqlite3.Connection) -> None:
    """Create or upgrade the schema, under a write lock so that processes sharing the
    file do it once."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS consentkit_schema_version (version INTEGER NOT NULL PRIMARY KEY)")
        current = conn.execute("SELECT MAX(version) FROM consentkit_schema_version").fetchone()[0] or 0
        if current > SCHEMA_VERSION:
            raise LedgerError(newer_schema_message(current))
        for version in range(current + 1, SCHEMA_VERSION + 1):
            for statement in migration(version, "sqlite"):
                conn.execute(statement.format(records="consentkit_records"))
            conn.execute("INSERT INTO consentkit_schema_version (version) VALUES (?)", (version,))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
