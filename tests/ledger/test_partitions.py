"""Monthly partitions on the real PostgreSQL server: made ahead of time and on demand,
and retention by dropping whole partitions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from consentkit.ledger.partitions import month_of, next_month, partition_name
from consentkit.ledger.postgres import PostgresStore

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]


def partitions(url: str, schema: str) -> set[str]:
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = %s::regclass", (f'"{schema}".consentkit_records',)).fetchall()
    return {name for (name,) in rows}


@pytest.fixture
async def pg(postgres_url: str, pg_schema: str) -> AsyncIterator[PostgresStore]:
    store = PostgresStore(postgres_url, schema=pg_schema)
    await store.open()
    yield store
    await store.close()


async def test_this_month_and_the_next_two_are_made_at_open(pg: PostgresStore, postgres_url: str,
                                                          pg_schema: str) -> None:
    this = month_of(datetime.now(UTC))
    ahead = [this, next_month(this), next_month(next_month(this))]
    assert {partition_name(m) for m in ahead} <= partitions(postgres_url, pg_schema)


async def test_a_record_from_an_old_month_gets_its_partition(pg: PostgresStore, postgres_url: str, pg_schema: str,
                                                            new_record: Any) -> None:
    import psycopg

    old = new_record("v-old", datetime(2025, 3, 10, 8, tzinfo=UTC))
    # Two writers at once need the same new month: one makes it, neither fails.
    await asyncio.gather(pg.append(old), pg.append(new_record("v-old2", datetime(2025, 3, 11, tzinfo=UTC))))
    assert "consentkit_records_p2025_03" in partitions(postgres_url, pg_schema)
    with psycopg.connect(postgres_url) as conn:
        rows = conn.execute(f'SELECT receipt_id FROM "{pg_schema}".consentkit_records_p2025_03').fetchall()
    assert old.receipt_id in {r for (r,) in rows}
    assert await pg.for_visitor("v-old") == [old]


async def test_retention_drops_whole_months_and_deletes_only_in_the_cutoffs_month(
    pg: PostgresStore, postgres_url: str, pg_schema: str, new_record: Any
) -> None:
    import psycopg

    at = [datetime(2025, 1, 5, tzinfo=UTC), datetime(2025, 2, 5, tzinfo=UTC), datetime(2025, 3, 10, tzinfo=UTC),
          datetime(2025, 3, 20, tzinfo=UTC), datetime(2025, 4, 2, tzinfo=UTC)]
    await pg.append_many([new_record(f"v{i}", moment) for i, moment in enumerate(at)])
    before = partitions(postgres_url, pg_schema)
    assert {"consentkit_records_p2025_01", "consentkit_records_p2025_02"} <= before
    # Another session holds January's partition: its DROP must give up quickly, not
    # wait, and no DELETE may reach into it either (it would block behind the lock).
    with psycopg.connect(postgres_url) as holder:
        holder.execute(f'LOCK TABLE "{pg_schema}".consentkit_records_p2025_01 IN ACCESS EXCLUSIVE MODE')
        async with asyncio.timeout(10):
            deleted = await pg.purge(datetime(2025, 3, 15, tzinfo=UTC))
        holder.rollback()
    assert deleted == 2  # February's record (its partition dropped) and March 10th's
    after = partitions(postgres_url, pg_schema)
    assert "consentkit_records_p2025_02" not in after
    assert {"consentkit_records_p2025_01", "consentkit_records_p2025_03", "consentkit_records_p2025_04"} <= after
    assert [r.at for r in await pg.for_visitor("v3")] == [at[3]]
    assert await pg.for_visitor("v2") == []
    # The rollups of the dropped month went with it; January's wait for its drop.
    counts = {c.day: c.decisions for c in await pg.daily_counts(date(2025, 1, 1), date(2025, 5, 1))}
    assert counts == {date(2025, 1, 5): 1, date(2025, 3, 20): 1, date(2025, 4, 2): 1}
    # Nothing holds January now: the next purge drops it.
    assert await pg.purge(datetime(2025, 3, 15, tzinfo=UTC)) == 1
    assert "consentkit_records_p2025_01" not in partitions(postgres_url, pg_schema)
    assert await pg.count() == 2


async def test_an_export_of_a_day_streams_only_that_day(pg: PostgresStore, new_record: Any) -> None:
    day = datetime(2025, 6, 3, tzinfo=UTC)
    records = [new_record(f"v{i % 9}", day - timedelta(hours=30) + timedelta(minutes=7 * i)) for i in range(900)]
    await pg.append_many(records)
    streamed = [r async for r in pg.iter_records(day, day + timedelta(days=1))]
    wanted = sorted((r for r in records if day <= r.at < day + timedelta(days=1)), key=lambda r: (r.at, r.receipt_id))
    assert streamed == wanted and len(wanted) > 100


async def test_staged_decisions_are_folded_into_the_rollups_in_the_background(
    postgres_url: str, pg_schema: str, new_record: Any
) -> None:
    import psycopg

    store = PostgresStore(postgres_url, schema=pg_schema)
    store.fold_every = 0.05
    await store.open()
    try:
        await store.append_many([new_record(f"v{i}", datetime(2025, 6, 3, i, tzinfo=UTC)) for i in range(10)])
        with psycopg.connect(postgres_url) as conn:
            deadline = asyncio.get_running_loop().time() + 10
            while conn.execute(f'SELECT count(*) FROM "{pg_schema}".consentkit_daily_recent').fetchone() != (0,):
                assert asyncio.get_running_loop().time() < deadline, "the staged decisions were never folded"
                await asyncio.sleep(0.05)
            folded = conn.execute(f'SELECT sum(decisions) FROM "{pg_schema}".consentkit_daily'
                                  " WHERE grouping_id = 'decisions' AND day = '2025-06-03'").fetchone()
        assert folded == (10,)
        [day] = await store.daily_counts(date(2025, 6, 3), date(2025, 6, 4))
        assert day.decisions == 10
    finally:
        await store.close()
