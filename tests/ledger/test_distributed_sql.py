"""The PostgreSQL hot path stays runnable on distributed engines.

Every statement the store runs to append, look up receipts and erase a visitor is
parsed with PostgreSQL's own parser (pglast wraps libpg_query) and must: key every
read or write of the records table by the visitor id, the Citus distribution column
(an insert names the column and conflicts on a key holding it; a select or delete
pins it with ``visitor_id = $n`` in its top-level conjunction); touch no table but
the records and the rollups' tables (reference tables on Citus); call no sequence function
and take no advisory lock (neither exists on CockroachDB). A second test runs those
paths on the real server and checks that nothing else was executed, so a new query
cannot slip in beside the declared ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from consentkit.ledger.postgres import HOT_PATH, PostgresStore

pglast = pytest.importorskip("pglast")

RECORDS, DAILY, RECENT = "consentkit_records", "consentkit_daily", "consentkit_daily_recent"
_FORBIDDEN_CALLS = re.compile(r"^(nextval|currval|setval|lastval|pg_(try_)?advisory\w*)$")


def _parse(sql: str) -> dict[str, Any]:
    counter = iter(range(1, 1000))
    numbered = re.sub(r"%[sb]", lambda _: f"${next(counter)}", sql)
    [raw] = pglast.parse_sql(numbered)
    tree: dict[str, Any] = raw.stmt(skip_none=True)
    return tree


def _nodes(tree: Any) -> Iterator[dict[str, Any]]:
    if isinstance(tree, dict):
        if "@" in tree:
            yield tree
        for value in tree.values():
            yield from _nodes(value)
    elif isinstance(tree, list | tuple):
        for value in tree:
            yield from _nodes(value)


def _pins_visitor(where: Any) -> bool:
    """Whether a WHERE clause holds ``visitor_id = <param or constant>`` in its top-level AND."""
    if not isinstance(where, dict):
        return False
    if where["@"] == "BoolExpr":
        return where["boolop"]["name"] == "AND_EXPR" and any(_pins_visitor(a) for a in where["args"])
    if where["@"] != "A_Expr" or [n["sval"] for n in where.get("name", [])] != ["="]:
        return False
    sides = [where.get("lexpr", {}), where.get("rexpr", {})]
    column = any(s.get("@") == "ColumnRef" and s["fields"][-1].get("sval") == "visitor_id" for s in sides)
    value = any(s.get("@") in ("ParamRef", "A_Const") for s in sides)
    return column and value


def problems(sql: str) -> list[str]:
    """What keeps ``sql`` from the hot path of a distributed engine (empty: nothing)."""
    tree = _parse(sql)
    found = []
    ctes = {n["ctename"] for n in _nodes(tree) if n["@"] == "CommonTableExpr"}
    for node in _nodes(tree):
        kind = node["@"]
        if kind == "RangeVar" and node["relname"] not in {RECORDS, DAILY, RECENT, *ctes}:
            found.append(f"touches {node['relname']}, neither the records nor the rollups")
        if kind == "FuncCall" and _FORBIDDEN_CALLS.match(node["funcname"][-1]["sval"]):
            found.append(f"calls {node['funcname'][-1]['sval']}")
        if kind == "InsertStmt" and node["relation"]["relname"] == RECORDS:
            if "visitor_id" not in [c["name"] for c in node.get("cols", [])]:
                found.append("inserts records without their visitor id")
            conflict = node.get("onConflictClause", {}).get("infer", {}).get("indexElems", [])
            if "visitor_id" not in [e.get("name") for e in conflict]:
                found.append("inserts records with a conflict key that lacks the visitor id")
        writes = kind in ("DeleteStmt", "UpdateStmt") and node["relation"]["relname"] == RECORDS
        reads = kind == "SelectStmt" and any(
            n["@"] == "RangeVar" and n["relname"] == RECORDS for n in _nodes(node.get("fromClause", [])))
        if (writes or reads) and not _pins_visitor(node.get("whereClause")):
            verb = f"{kind[:6].lower()}s" if writes else "reads"
            found.append(f"{verb} records without pinning the visitor id")
    return found


def _render(text: str) -> str:
    return text.replace("{records}", RECORDS).replace("{daily}", DAILY).replace("{recent}", RECENT)


@pytest.mark.parametrize("name", sorted(HOT_PATH))
def test_each_hot_path_statement_is_keyed_by_the_visitor(name: str) -> None:
    assert problems(_render(HOT_PATH[name])) == []


@pytest.mark.parametrize(("sql", "problem"), [
    (f"SELECT receipt_id FROM {RECORDS} WHERE at > $1", "reads records without pinning"),
    (f"SELECT receipt_id FROM {RECORDS} WHERE visitor_id = $1 OR at > $2", "reads records without pinning"),
    (f"DELETE FROM {RECORDS} WHERE receipt_id = $1", "deletes records without pinning"),
    (f"INSERT INTO {RECORDS} (receipt_id, at) VALUES ($1, $2)", "without their visitor id"),
    (f"INSERT INTO {RECORDS} (receipt_id, visitor_id) VALUES ($1, $2) ON CONFLICT (receipt_id) DO NOTHING",
     "conflict key that lacks"),
    ("SELECT pg_advisory_xact_lock(1)", "calls pg_advisory_xact_lock"),
    (f"INSERT INTO {DAILY} (decisions) VALUES (nextval('n'))", "calls nextval"),
    (f"SELECT count(*) FROM {RECORDS} AS r JOIN visitors v ON v.id = r.visitor_id WHERE r.visitor_id = $1",
     "touches visitors"),
])
def test_the_check_catches_what_a_distributed_engine_cannot_route(sql: str, problem: str) -> None:
    assert any(problem in p for p in problems(sql)), problems(sql)


@pytest.mark.anyio
@pytest.mark.postgres
@pytest.mark.parametrize("rollups", ["inline", "scheduled"])
async def test_the_hot_path_runs_only_the_declared_statements(
    postgres_url: str, pg_schema: str, new_record: Any, monkeypatch: pytest.MonkeyPatch, rollups: Any
) -> None:
    import psycopg

    store = PostgresStore(postgres_url, schema=pg_schema, rollups=rollups)
    await store.open()  # the migration and the partitions ahead are not the hot path
    executed: list[str] = []
    real_execute = psycopg.AsyncCursor.execute

    async def recording(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        executed.append(query if isinstance(query, str) else query.as_string(self.connection))
        return await real_execute(self, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.AsyncCursor, "execute", recording)
    now = datetime.now(UTC)
    try:
        await store.append(new_record("v-hot", now))
        await store.append_many([new_record(f"v-hot{i}", now) for i in range(20)])
        assert len(await store.for_visitor("v-hot")) == 1
        assert await store.erase_visitor("v-hot", [new_record("v-hot", now, kind="proof")]) == 1
    finally:
        monkeypatch.undo()
        await store.close()
    assert executed
    schema_prefix = f'"{pg_schema}".'
    for statement in executed:
        plain = statement.replace(schema_prefix, "")
        for table in (RECORDS, DAILY, RECENT):
            plain = plain.replace(f'"{table}"', table)
        assert plain in {_render(sql) for sql in HOT_PATH.values()}, f"undeclared on the hot path: {plain}"
        assert problems(plain) == []
