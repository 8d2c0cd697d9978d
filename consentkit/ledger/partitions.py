"""PostgreSQL's side of the ledger's layout: monthly partitions of the records table,
the rollups' SQL, and the migration from the unpartitioned table of version 1.

Partitions are named ``consentkit_records_pYYYY_MM`` and hold one UTC month each.
The store creates them ahead of time (this month and the next two, at open and at
every purge) and on demand for a batch holding an older record (a spool replayed
after a long outage). A new partition is made as a plain table and then attached:
attaching takes a lock that lets appends and reads go on, where ``CREATE TABLE ...
PARTITION OF`` would queue them behind any running export. Retention drops whole
partitions; only the month the cutoff falls in loses rows by a DELETE, and that
DELETE is confined to that month.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from . import schema
from .codec import COLUMN_LIST
from .schema import (
    POSTGRES_DAILY,
    POSTGRES_RECENT,
    POSTGRES_RECORDS,
    POSTGRES_RECORDS_INDEXES,
    RECENT_COLUMNS,
    ROLLUP_DIMENSIONS,
)

if TYPE_CHECKING:
    from psycopg import AsyncConnection

PREFIX = "consentkit_records_p"
_NAME = re.compile(r"^consentkit_records_p(\d{4})_(\d{2})$")
# How long partition DDL may wait for a lock before it gives up and tries again on
# the next purge; appends queue behind a waiting DROP for at most this long.
LOCK_TIMEOUT = "500ms"
AHEAD_MONTHS = 2
# What a statement must RETURN of the rows it inserts or deletes for the rollups.
ROLLUP_RETURNING = "at, " + ", ".join(ROLLUP_DIMENSIONS) + ", kind"


def month_of(moment: datetime | date) -> date:
    if isinstance(moment, datetime):
        moment = moment.astimezone(UTC).date()
    return moment.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """Every month from ``first``'s to ``last``'s, both included."""
    months, month = [], month_of(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def partition_name(month: date) -> str:
    return f"{PREFIX}{month.year:04d}_{month.month:02d}"


def partition_month(name: str) -> date | None:
    found = _NAME.match(name)
    return date(int(found[1]), int(found[2]), 1) if found else None


def rollup_upsert(source: str, *, day: str | None = None, delta: str = "count(*)",
                  where: str = "kind = 'decision'", periods: tuple[schema.Period, ...] = ("day", "month")) -> str:
    """Add the decisions among ``source``'s rows to every grouping of the rollups."""
    return schema.rollup_upsert("postgres", source, day=day, delta=delta, where=where, periods=periods)


def stage(source: str, *, negate: bool = False) -> str:
    """Add the decisions among ``source``'s rows (which have the records' columns)
    to the staging table (or, ``negate``, take them away). A row each: grouping
    them here cost more than it saved, the fold groups them anyway."""
    columns = ("(at AT TIME ZONE 'UTC')::date, policy_version, mode, coalesce(region, ''), source, gpc, age_band,"
               " coalesce(parental_consent, ''), choices")
    return (
        f"INSERT INTO {{recent}} ({RECENT_COLUMNS}) SELECT {columns}, {'-1' if negate else '1'}"
        f" FROM {source} WHERE kind = 'decision'"
    )


# Move everything staged into the rollups, in one statement: a row is deleted (and
# so counted) by one folder only, however many fold at once.
FOLD = (
    f"WITH moved AS (DELETE FROM {{recent}} RETURNING {RECENT_COLUMNS}) "
    + rollup_upsert("moved", day="day", delta="sum(n)", where="true")
)


class Layout:
    """The partition DDL for one store's tables (names already schema-qualified)."""

    def __init__(self, psycopg: Any, schema: str | None, names: dict[str, Any]) -> None:
        self._psycopg = psycopg
        self._schema = schema
        self._names = names

    def _ident(self, name: str) -> Any:
        sql = self._psycopg.sql
        return sql.Identifier(self._schema, name) if self._schema else sql.Identifier(name)

    def sql(self, text: str, **extra: Any) -> Any:
        return self._psycopg.sql.SQL(text).format(**self._names, **extra)

    def _bound(self, month: date) -> Any:
        return self._psycopg.sql.Literal(datetime.combine(month, datetime.min.time(), UTC))

    async def existing(self, conn: AsyncConnection[Any]) -> set[date]:
        """The months that have a partition."""
        cur = await conn.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = %s::regclass",
            (self._names["records"].as_string(conn),),
        )
        return {m for (name,) in await cur.fetchall() if (m := partition_month(name)) is not None}

    async def create(self, conn: AsyncConnection[Any], month: date) -> None:
        """Add the partition for ``month`` (nothing if another instance just did)."""
        errors = self._psycopg.errors
        try:
            async with conn.transaction():
                await conn.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
                for statement in self._create_statements(month, attach=True):
                    await conn.execute(statement)
        except (errors.DuplicateTable, errors.DuplicateObject, errors.UniqueViolation):
            pass  # another instance created it at the same moment

    def _create_statements(self, month: date, *, attach: bool) -> list[Any]:
        part = self._ident(partition_name(month))
        bounds = self.sql("FOR VALUES FROM ({lo}) TO ({hi})", lo=self._bound(month), hi=self._bound(next_month(month)))
        if not attach:
            return [self.sql("CREATE TABLE {part} PARTITION OF {records} {bounds}", part=part, bounds=bounds)]
        return [
            self.sql("CREATE TABLE {part} (LIKE {records} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)", part=part),
            self.sql("ALTER TABLE {records} ATTACH PARTITION {part} {bounds}", part=part, bounds=bounds),
        ]

    async def ensure(self, conn: AsyncConnection[Any], months: Iterable[date], known: set[date]) -> None:
        """Create the partitions of ``months`` missing from ``known``, and note them there."""
        for month in sorted(set(months) - known):
            await self.create(conn, month)
            known.add(month)

    async def drop_before(self, conn: AsyncConnection[Any], cutoff: datetime, known: set[date]) -> int:
        """Drop every partition wholly older than ``cutoff`` and its rollups; the
        number of records they held. A partition whose lock is busy waits for the
        next purge."""
        errors = self._psycopg.errors
        dropped = 0
        for month in sorted(m for m in await self.existing(conn) if next_month(m) <= month_of(cutoff)):
            part = self._ident(partition_name(month))
            try:
                async with conn.transaction():
                    await conn.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
                    cur = await conn.execute(self.sql("SELECT count(*) FROM {part}", part=part))
                    row = await cur.fetchone()
                    await conn.execute(self.sql("DROP TABLE {part}", part=part))
                    for table in ("{daily}", "{recent}"):
                        await conn.execute(self.sql(f"DELETE FROM {table} WHERE day >= %s AND day < %s"),
                                           (month, next_month(month)))
            except errors.LockNotAvailable:
                continue
            known.discard(month)
            dropped += int(row[0]) if row else 0
        return dropped

    async def migrate(self, conn: AsyncConnection[Any]) -> None:
        """Version 1 to 2, inside the caller's transaction: the partitioned table
        replaces the plain one, every record copied, the rollups counted from them.
        (The copy holds the table for its duration; appends spool meanwhile.)"""
        name = "consentkit_records_v1"
        old = self._ident(name)
        await conn.execute(self.sql("ALTER TABLE {records} RENAME TO {name}", name=self._psycopg.sql.Identifier(name)))
        await conn.execute(self.sql("ALTER TABLE {old} ADD COLUMN region TEXT", old=old))
        await conn.execute(self.sql(POSTGRES_RECORDS))
        for statement in POSTGRES_RECORDS_INDEXES:
            await conn.execute(self.sql(statement))
        await conn.execute(self.sql(POSTGRES_DAILY))
        await conn.execute(self.sql(POSTGRES_RECENT))
        cur = await conn.execute(self.sql("SELECT min(at), max(at) FROM {old}", old=old))
        row = await cur.fetchone()
        today = datetime.now(UTC).date()
        first = month_of(row[0]) if row and row[0] is not None else month_of(today)
        last = month_of(max(row[1].astimezone(UTC).date(), today)) if row and row[1] is not None else month_of(today)
        for month in months_between(first, next_month(next_month(last))):
            for statement in self._create_statements(month, attach=False):
                await conn.execute(statement)
        await conn.execute(self.sql(f"INSERT INTO {{records}} ({COLUMN_LIST}) SELECT {COLUMN_LIST} FROM {{old}}",
                                    old=old))
        await conn.execute(self.sql(rollup_upsert("{records}")))
        await conn.execute(self.sql("DROP TABLE {old}", old=old))
