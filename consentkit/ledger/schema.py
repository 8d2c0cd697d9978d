"""The ledger's tables, one definition for every SQL store.

Migrations are numbered; each takes the schema from the version before it, and the
``consentkit_schema_version`` table says which have run. Version 1 is the same plain
table on both dialects. Version 2 adds the ``region`` column and the daily rollups,
and on PostgreSQL makes the records table partitioned by month (the PostgreSQL steps
of version 2 need the data at hand, so they live in ``partitions.py``; here are
their statements).
"""

from __future__ import annotations

import sqlite3
from typing import Literal

from .record import LedgerError

Dialect = Literal["sqlite", "postgres"]

SCHEMA_VERSION = 2
_TIME_TYPE = {"sqlite": "TEXT", "postgres": "TIMESTAMPTZ"}
_DAY_TYPE = {"sqlite": "TEXT", "postgres": "DATE"}

# "{records}" is the records table's name (schema-qualified on PostgreSQL);
# "{time}" the dialect's time type.
_V1: tuple[str, ...] = (
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
)

# The daily rollups: decisions counted per UTC day, in a few groupings of the
# dimensions, each what a family of the console's charts groups by (a grouping of
# all dimensions at once would keep thousands of rows a day, and a chart would read
# them all). A query is answered from the smallest grouping holding its dimensions;
# in the others' rows a dimension is '' (gpc false). NULLs are kept as '' so that
# every row has a key.
ROLLUP_DIMENSIONS: tuple[str, ...] = (
    "policy_version", "mode", "region", "source", "gpc", "age_band", "parental_consent", "choices",
)
ROLLUP_GROUPINGS: dict[str, tuple[str, ...]] = {
    "minors": ("age_band", "parental_consent", "source"),
    "versions": ("policy_version", "source", "choices"),
    # With the source, so that the console's regions table leaves a QA run's decisions out.
    "regions": ("region", "mode", "source", "gpc", "choices"),
    "decisions": ("mode", "source", "gpc", "age_band", "choices"),
}
_DAILY = (
    "CREATE TABLE {daily} (grouping_id TEXT NOT NULL, day {day} NOT NULL,"
    " policy_version TEXT NOT NULL, mode TEXT NOT NULL, region TEXT NOT NULL, source TEXT NOT NULL,"
    " gpc BOOLEAN NOT NULL, age_band TEXT NOT NULL, parental_consent TEXT NOT NULL, choices TEXT NOT NULL,"
    " decisions BIGINT NOT NULL, CONSTRAINT consentkit_daily_key PRIMARY KEY"
    " (grouping_id, day, policy_version, mode, region, source, gpc, age_band, parental_consent, choices))"
)
DAILY_KEY = "grouping_id, day, " + ", ".join(ROLLUP_DIMENSIONS)
DAY_OF = {"sqlite": "substr(at, 1, 10)", "postgres": "(at AT TIME ZONE 'UTC')::date"}
_FALSE = {"sqlite": "0", "postgres": "false"}


Period = Literal["day", "month"]
# Rows of a month's totals sit beside the days' (grouping id "<name>:month", day the
# month's first): a year's chart reads twelve rows per combination, not 365.
MONTH_SUFFIX = ":month"


def month_of_day(dialect: Dialect, day: str) -> str:
    if dialect == "sqlite":
        return f"substr({day}, 1, 7) || '-01'"
    return f"date_trunc('month', {day})::date"


def rollup_upsert(dialect: Dialect, source: str, *, day: str | None = None, delta: str = "count(*)",
                  where: str = "kind = 'decision'", periods: tuple[Period, ...] = ("day", "month")) -> str:
    """Add ``delta`` (per group of ``source``'s rows, which have the dimensions'
    columns and ``at``, or the day as ``day``) to every grouping of the rollups, per
    day and per month; ``{daily}`` left for the caller. Ordered, so that concurrent
    transactions lock rollup rows in one order."""
    selects = []
    for period in periods:
        for name, dims in ROLLUP_GROUPINGS.items():
            columns = []
            for dim in ROLLUP_DIMENSIONS:
                if dim not in dims:
                    columns.append(_FALSE[dialect] if dim == "gpc" else "''")
                elif dim in ("region", "parental_consent"):
                    columns.append(f"coalesce({dim}, '')")
                else:
                    columns.append(dim)
            grouped = ", ".join(str(3 + ROLLUP_DIMENSIONS.index(d)) for d in dims)
            when = day or DAY_OF[dialect]
            grouping = name
            if period == "month":
                when, grouping = month_of_day(dialect, when), name + MONTH_SUFFIX
            selects.append(
                f"SELECT '{grouping}' AS g, {when} AS d, {', '.join(columns)}, {delta} AS n"
                f" FROM {source} WHERE {where} GROUP BY 2, {grouped}"
            )
    order = ", ".join(str(i) for i in range(1, 3 + len(ROLLUP_DIMENSIONS)))
    return (
        f"INSERT INTO {{daily}} ({DAILY_KEY}, decisions) SELECT * FROM ({' UNION ALL '.join(selects)}) AS u"
        f" WHERE true ORDER BY {order}"
        f" ON CONFLICT ({DAILY_KEY}) DO UPDATE SET decisions = {{daily}}.decisions + excluded.decisions"
    )


def months_from_days(dialect: Dialect, placeholder: str) -> tuple[str, str]:
    """Count the month rows of the months in [``placeholder``, ``placeholder``)
    again from their day rows (after a refresh of days), ``{daily}`` left to fill."""
    columns = ", ".join(ROLLUP_DIMENSIONS)
    month = month_of_day(dialect, "day")
    pct = "%%" if dialect == "postgres" else "%"  # psycopg reads a lone % as a placeholder
    span = f"day >= {placeholder} AND day < {placeholder}"
    delete = f"DELETE FROM {{daily}} WHERE grouping_id LIKE '{pct}{MONTH_SUFFIX}' AND {span}"
    insert = (
        f"INSERT INTO {{daily}} ({DAILY_KEY}, decisions) SELECT grouping_id || '{MONTH_SUFFIX}', {month}, {columns},"
        f" sum(decisions) FROM {{daily}} WHERE grouping_id NOT LIKE '{pct}{MONTH_SUFFIX}' AND {span}"
        f" GROUP BY grouping_id, {month}, {columns}"
    )
    return delete, insert


# A new decision is staged (one row in an unindexed table, as on PostgreSQL) and
# folded into the rollups at most once a second, grouped: upserting every grouping's
# rows from a trigger doubled the CPU of an append. On SQLite a trigger stages it,
# for appends, erasures and retention alike, so that only inserted rows count, and
# the writer thread folds (``rollups.fold_rows``).
RECENT_COLUMNS = "day, " + ", ".join(ROLLUP_DIMENSIONS) + ", n"
_RECENT = (
    "CREATE TABLE {recent} (day {day} NOT NULL, policy_version TEXT NOT NULL, mode TEXT NOT NULL,"
    " region TEXT NOT NULL, source TEXT NOT NULL, gpc BOOLEAN NOT NULL, age_band TEXT NOT NULL,"
    " parental_consent TEXT NOT NULL, choices TEXT NOT NULL, n BIGINT NOT NULL)"
)
_SQLITE_STAGED = (
    "substr({r}.at, 1, 10), {r}.policy_version, {r}.mode, coalesce({r}.region, ''), {r}.source, {r}.gpc,"
    " {r}.age_band, coalesce({r}.parental_consent, ''), {r}.choices"
)
_SQLITE_V2: tuple[str, ...] = (
    "ALTER TABLE {records} ADD COLUMN region TEXT",
    _DAILY,
    _RECENT,
    *(
        f"CREATE TRIGGER consentkit_daily_{name} AFTER {event} ON {{records}} WHEN {row}.kind = 'decision' BEGIN"
        f" INSERT INTO {{recent}} ({RECENT_COLUMNS}) VALUES ({_SQLITE_STAGED.format(r=row)}, {delta}); END"
        for name, event, row, delta in (("add", "INSERT", "NEW", 1), ("remove", "DELETE", "OLD", -1))
    ),
    # A ledger of version 1 gets its rollups from the records it already holds.
    rollup_upsert("sqlite", "{records}"),
)


# PostgreSQL, version 2: records partitioned by month on ``at``. The key holds the
# partition column (PostgreSQL requires it of a unique key on a partitioned table)
# and leads with the visitor id (Citus requires its distribution column in every
# unique key); it serves receipts lookups and the appends' idempotency at once.
# Time-ordered reads use a BRIN index: records arrive in time order, so a few
# hundred bytes per partition locate any day, and appends barely pay for it.
POSTGRES_RECORDS = (
    "CREATE TABLE {records} ("
    " receipt_id TEXT NOT NULL, visitor_id TEXT NOT NULL, at TIMESTAMPTZ NOT NULL,"
    " policy_version TEXT NOT NULL, mode TEXT NOT NULL, choices TEXT NOT NULL, source TEXT NOT NULL,"
    " gpc BOOLEAN NOT NULL, age_band TEXT NOT NULL, parental_consent TEXT, browser TEXT NOT NULL,"
    " browser_major TEXT NOT NULL, os TEXT NOT NULL, device TEXT NOT NULL, verification TEXT,"
    " kind TEXT NOT NULL, extra TEXT NOT NULL, region TEXT,"
    " CONSTRAINT consentkit_records_key PRIMARY KEY (visitor_id, at, receipt_id)"
    ") PARTITION BY RANGE (at)"
)
# Rollup rows are updated in place all day: room on each page keeps those updates HOT.
POSTGRES_DAILY_OPTIONS = " WITH (fillfactor = 70)"
# On PostgreSQL an append stages its decisions in the same statement (a heap insert,
# where upserting every grouping's rows cost more than the records' own insert); the
# store folds them into the rollups every second (``DELETE ... RETURNING`` into the
# upsert: each row is moved once, whoever folds), and queries add what is not
# folded yet.
POSTGRES_RECENT = _RECENT.replace("{day}", _DAY_TYPE["postgres"])
POSTGRES_RECORDS_INDEXES: tuple[str, ...] = (
    "CREATE INDEX consentkit_records_at_brin ON {records} USING brin (at)",
)
POSTGRES_RECORDS_KEY = "visitor_id, at, receipt_id"
POSTGRES_DAILY = _DAILY.replace("{day}", _DAY_TYPE["postgres"]) + POSTGRES_DAILY_OPTIONS


def migration(version: int, dialect: Dialect) -> tuple[str, ...]:
    """The plain statements that take the schema to ``version``, with ``{records}``
    (and ``{daily}``) left for the caller to fill in."""
    if version == 1:
        statements = _V1
    elif version == 2 and dialect == "sqlite":
        statements = _SQLITE_V2
    else:
        raise LedgerError(f"schema version {version} has no plain statements for {dialect}")
    return tuple(s.replace("{time}", _TIME_TYPE[dialect]).replace("{day}", _DAY_TYPE[dialect]) for s in statements)


def newer_schema_message(found: int) -> str:
    return (
        f"the ledger's schema is version {found}, newer than this consentkit knows ({SCHEMA_VERSION}): "
        "upgrade consentkit"
    )


def migrate_sqlite(conn: sqlite3.Connection, *, target: int = SCHEMA_VERSION) -> None:
    """Create or upgrade the schema, under a write lock so that processes sharing the
    file do it once. ``target`` below the newest is for tests of the migrations."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS consentkit_schema_version (version INTEGER NOT NULL PRIMARY KEY)")
        current = conn.execute("SELECT MAX(version) FROM consentkit_schema_version").fetchone()[0] or 0
        if current > SCHEMA_VERSION:
            raise LedgerError(newer_schema_message(current))
        for version in range(current + 1, target + 1):
            for statement in migration(version, "sqlite"):
                conn.execute(statement.format(records="consentkit_records", daily="consentkit_daily",
                                              recent="consentkit_daily_recent"))
            conn.execute("INSERT INTO consentkit_schema_version (version) VALUES (?)", (version,))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
