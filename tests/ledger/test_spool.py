"""The spool: durable files, one writer each, replayed once."""

from __future__ import annotations

from pathlib import Path

import pytest

from consentkit.ledger import spool as spool_module
from consentkit.ledger.spool import Spool


def test_entries_are_written_to_one_locked_file_until_sealed(tmp_path: Path) -> None:
    writer = Spool(tmp_path / "spool")
    writer.write([{"op": "append", "n": 1}])
    writer.write([{"op": "append", "n": 2}])
    [path] = writer.files()
    assert [e["n"] for e in writer.entries()] == [1, 2]
    other = Spool(tmp_path / "spool")  # another process's replayer
    assert other.claim(path) is None, "a file still being written must not be replayed"
    assert writer.claim(path) is None
    writer.seal()
    claim = other.claim(path)
    assert claim is not None and [e["n"] for e in claim.entries] == [1, 2]
    assert Spool(tmp_path / "spool").claim(path) is None, "two replayers must not take the same file"
    other.release(claim, done=True)
    assert writer.files() == [] and not writer.pending()


def test_a_failed_replay_keeps_the_file(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.write([{"op": "append"}])
    spool.seal()
    claim = spool.claim(spool.files()[0])
    assert claim is not None
    spool.release(claim, done=False)
    assert len(spool.files()) == 1


def test_a_line_cut_short_by_a_crash_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "00000000000000000001-1-0.jsonl").write_bytes(b'{"op":"append","n":1}\n{"op":"app')
    spool = Spool(tmp_path)
    claim = spool.claim(spool.files()[0])
    assert claim is not None and claim.entries == [{"op": "append", "n": 1}]


def test_files_rotate_so_replay_reads_a_bounded_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spool_module, "ROTATE_AFTER", 3)
    spool = Spool(tmp_path)
    for n in range(7):
        spool.write([{"op": "append", "n": n}])
    assert len(spool.files()) == 3
    assert [e["n"] for e in spool.entries()] == list(range(7))


def test_no_directory_is_created_until_something_is_spooled(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "never")
    assert spool.files() == [] and not (tmp_path / "never").exists()
