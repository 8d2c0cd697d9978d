"""``open_ledger`` and ``open_store``: the store URL picks the backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from consentkit.ledger import LedgerError, MemoryStore, default_spool_dir, open_ledger, open_store
from consentkit.ledger.sqlite import SqliteStore


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:///consent.db", Path("consent.db")),
        ("sqlite:///data/consent.db", Path("data/consent.db")),
        ("sqlite:////var/lib/app/consent.db", Path("/var/lib/app/consent.db")),
    ],
)
def test_sqlite_urls_name_a_relative_or_absolute_file(url: str, path: Path) -> None:
    store = open_store(url)
    assert isinstance(store, SqliteStore) and store.path == path
    assert default_spool_dir(url) == path.with_name(path.name + ".spool")


def test_memory_and_postgres_spool_in_the_working_directory() -> None:
    assert isinstance(open_store("memory://"), MemoryStore)
    # Under ./.consentkit/spool, in a directory of that store's own (see test_spool_ownership).
    assert default_spool_dir("memory://").parent == Path(".consentkit/spool")
    assert default_spool_dir("postgresql://u@h/db").parent == Path(".consentkit/spool")


@pytest.mark.parametrize("url", ["postgresql://u@h/db", "postgres://u@h/db"])
def test_postgres_urls(url: str) -> None:
    from consentkit.ledger.postgres import PostgresStore

    assert isinstance(open_store(url), PostgresStore)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u:pw@h/db", "'mysql'... is not supported"),
        ("consent.db", "is not supported"),
        ("sqlite://consent.db", "names no file"),
        ("sqlite:///", "names no file"),
        ("sqlite:///:memory:", "memory://"),
    ],
)
def test_bad_urls_say_what_to_write(url: str, message: str) -> None:
    with pytest.raises(LedgerError) as caught:
        open_ledger(url)
    assert message in str(caught.value)
    assert "pw" not in str(caught.value)


def test_open_ledger_passes_its_options(tmp_path: Path) -> None:
    ledger = open_ledger("sqlite:///x.db", spool_dir=tmp_path / "s", retention_days=1000)
    assert ledger.spool.directory == tmp_path / "s" and ledger.retention_days == 1000
    assert open_ledger("sqlite:///x.db").spool.directory == Path("x.db.spool")
    with pytest.raises(LedgerError, match="730"):
        open_ledger("memory://", retention_days=90)
    assert open_ledger("memory://", retention_days=90, allow_short_retention=True).retention_days == 90


def test_sqlite_durability_is_chosen_in_the_url() -> None:
    default = open_store("sqlite:///x.db")
    full = open_store("sqlite:///x.db?synchronous=full")
    assert isinstance(default, SqliteStore) and default.synchronous == "NORMAL"
    assert isinstance(full, SqliteStore) and full.synchronous == "FULL" and full.path == Path("x.db")
    with pytest.raises(LedgerError, match="normal or full"):
        open_store("sqlite:///x.db?synchronous=off")
