"""``consentkit export`` and ``consentkit stats`` on a seeded SQLite ledger."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from consentkit.cli import main
from consentkit.ledger.base import Record
from consentkit.ledger.codec import COLUMNS
from consentkit.ledger.export import Progress
from consentkit.ledger.sqlite import SqliteStore

ALL = {"necessary": True, "analytics": True, "advertising": True}


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


SEED = [
    # day, hour, visitor, source, choices, gpc, kind
    (1, 9, "v1", "banner", ALL, False, "decision"),
    (1, 10, "v2", "banner", {**ALL, "advertising": False}, False, "decision"),
    (1, 11, "v3", "gpc", {**ALL, "advertising": False}, True, "decision"),
    (1, 12, "v4", "preferences", {**ALL, "analytics": False}, False, "decision"),
    (2, 9, "v5", "link", {**ALL, "analytics": False, "advertising": False}, False, "decision"),
    (2, 10, "v6", "banner", ALL, False, "decision"),
    (2, 11, "v0", "banner", {"advertising": False}, False, "proof"),
    (3, 9, "v7", "banner", {**ALL, "analytics": False}, False, "decision"),
]


@pytest.fixture
def ledger_db(tmp_path: Path) -> Path:
    db = tmp_path / "consent.db"

    async def seed() -> None:
        store = SqliteStore(db)
        await store.open()
        await store.append_many([
            Record(f"r{i}", visitor, _at(day, hour), "2026-11-01", "opt_out", choices, source, gpc=gpc, kind=kind,
                   browser="=HYPERLINK(\"x\")" if visitor == "v7" else "Firefox", browser_major="128")
            for i, (day, hour, visitor, source, choices, gpc, kind) in enumerate(SEED)
        ])
        await store.close()

    asyncio.run(seed())
    return db


def _url(db: Path) -> str:
    return f"sqlite:///{db}"


def test_export_jsonl_streams_every_record_oldest_first(ledger_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--db", _url(ledger_db)]) == 0
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines()]
    assert [r["receipt_id"] for r in lines] == [f"r{i}" for i in range(len(SEED))]
    assert lines[2]["source"] == "gpc" and lines[2]["gpc"] is True and lines[2]["choices"]["advertising"] is False
    assert lines[0]["at"] == "2026-11-01T09:00:00.000000Z"
    assert err == ""  # no progress bar when stderr is not a terminal


def test_export_csv_has_a_header_and_safe_cells(ledger_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--db", _url(ledger_db), "--format", "csv", "--choices", "json"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == len(SEED) + 1
    record = dict(zip(rows[0], rows[3]))
    assert json.loads(record["choices"]) == {**ALL, "advertising": False}
    assert record["gpc"] == "true" and record["parental_consent"] == ""
    assert dict(zip(rows[0], rows[-1]))["browser"] == "'=HYPERLINK(\"x\")"  # no formula for spreadsheets


def test_export_csv_has_a_column_per_category(ledger_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """For spreadsheet users (issue 19): true/false per category, from the ledger or the policy's order."""
    assert main(["export", "--db", _url(ledger_db), "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert "choices" not in rows[0]
    assert rows[0][-3:] == ["choice_necessary", "choice_advertising", "choice_analytics"]
    record = dict(zip(rows[0], rows[3]))
    assert (record["choice_advertising"], record["choice_analytics"]) == ("false", "true")
    assert dict(zip(rows[0], rows[7]))["choice_analytics"] == ""  # the proof names advertising only
    policy = tmp_path / "policy.toml"
    policy.write_text('version = "v1"\n[[categories]]\nid = "necessary"\nrequired = true\n'
                      '[[categories]]\nid = "analytics"\n[[categories]]\nid = "advertising"\n')
    assert main(["export", "--db", _url(ledger_db), "--format", "csv", "--choices", "both", "--policy", str(policy)]) == 0
    header = next(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert "choices" in header and header[-3:] == ["choice_necessary", "choice_analytics", "choice_advertising"]


@pytest.mark.parametrize("argv", [["export", "--format", "csv"], ["export"], ["stats"]])
def test_a_closed_pipe_ends_quietly(ledger_db: Path, argv: list[str]) -> None:
    """``consentkit export | head -1``: no BrokenPipeError traceback (issue 19)."""
    import subprocess
    import sys

    script = f"import sys; from consentkit.cli import main; sys.exit(main({[*argv, '--db', _url(ledger_db)]!r}))"
    producer = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert producer.stdout is not None
    producer.stdout.readline()
    producer.stdout.close()  # the reader goes away after one line
    _, err = producer.communicate(timeout=60)
    assert b"Traceback" not in err and b"BrokenPipe" not in err, err.decode()


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"consentkit {version('consentkit')}"


def test_export_since_and_output_file(ledger_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out.jsonl"
    assert main(["export", "--db", str(ledger_db), "--since", "2026-11-02", "--output", str(target)]) == 0
    ids = [json.loads(line)["receipt_id"] for line in target.read_text().splitlines()]
    assert ids == ["r4", "r5", "r6", "r7"]
    assert "4 records written" in capsys.readouterr().err


def test_the_database_comes_from_the_environment(
    ledger_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONSENTKIT_DB", _url(ledger_db))
    assert main(["export", "--since", "2026-11-03T00:00:00"]) == 0
    assert [json.loads(line)["receipt_id"] for line in capsys.readouterr().out.splitlines()] == ["r7"]


@pytest.mark.parametrize("command", ["export", "stats"])
def test_a_missing_ledger_is_a_clear_error(tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([command, "--db", str(tmp_path / "nope.db")]) == 2
    assert "no ledger at" in capsys.readouterr().err
    assert not (tmp_path / "nope.db").exists()


@pytest.mark.parametrize(
    "argv",
    [["export", "--since", "last tuesday"], ["export", "--format", "xml"], ["frobnicate"], []],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert "usage: consentkit" in captured.err + captured.out


def test_stats_table(ledger_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--db", _url(ledger_db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["day", "records", "opt-outs", "gpc", "necessary", "advertising", "analytics"]
    rows = {line.split()[0]: line.split() for line in lines[1:5]}
    # 2026-11-01: 4 decisions; advertising refused by v2 (banner) and v3 (GPC); analytics by v4.
    # Without --policy nothing says which categories are sale or sharing: opt-outs are unknown (issue 19).
    assert rows["2026-11-01"] == ["2026-11-01", "4", "unknown", "1", "100.0%", "50.0%", "75.0%"]
    assert rows["2026-11-02"] == ["2026-11-02", "2", "unknown", "0", "100.0%", "50.0%", "50.0%"]  # no proof counted
    assert rows["total"] == ["total", "7", "unknown", "1", "100.0%", "57.1%", "57.1%"]
    assert "unknown without --policy" in "\n".join(lines)


def test_stats_json_over_a_range(ledger_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--db", _url(ledger_db), "--since", "2026-11-02", "--until", "2026-11-02", "--json"]) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert [d["day"] for d in data["days"]] == ["2026-11-02"]
    day = data["days"][0]
    assert day["records"] == 2 and day["opt_outs"] is None and day["gpc_opt_outs"] == 0
    assert day["consent_rates"] == {"necessary": 1.0, "advertising": 0.5, "analytics": 0.5}
    # v5's link also found analytics refused: a guess would take both for sale categories. No guess.
    assert data["sale_or_sharing"] is None


def test_stats_takes_the_sale_categories_from_the_policy(
    ledger_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(
        'version = "2026-11-01"\n'
        '[[categories]]\nid = "necessary"\nrequired = true\n'
        '[[categories]]\nid = "analytics"\nsale_or_sharing = true\n'
        '[[categories]]\nid = "advertising"\n'
    )
    assert main(["stats", "--db", _url(ledger_db), "--policy", str(policy), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["categories"] == ["necessary", "analytics", "advertising"]  # the policy's order
    assert data["sale_or_sharing"] == ["analytics"]
    assert data["total"]["opt_outs"] == 3  # v4, v5 and v7 refused analytics
    assert main(["stats", "--db", _url(ledger_db), "--policy", str(policy), "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["day", "records", "opt_outs", "gpc_opt_outs", "rate_necessary", "rate_analytics",
                       "rate_advertising"]
    assert rows[-1][:4] == ["total", "7", "3", "1"]


def test_progress_bar() -> None:
    stream = io.StringIO()
    progress = Progress(stream, total=200)
    for _ in range(50):
        progress.advance()
    progress.finish()
    assert stream.getvalue().endswith("25.0% 50/200\n")
    assert "[#######" in stream.getvalue()


def test_a_terminal_gets_a_progress_bar_on_stderr(
    ledger_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import os
    import pty
    import sys

    master, follower = pty.openpty()
    with open(follower, "w", encoding="utf-8") as terminal:
        monkeypatch.setattr(sys, "stderr", terminal)
        assert main(["export", "--db", _url(ledger_db)]) == 0
    drawn = os.read(master, 65536).decode()
    os.close(master)
    assert "100.0% 8/8" in drawn
    assert "100.0%" not in capsys.readouterr().out  # the records stay clean


def test_every_command_is_registered(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    listing = capsys.readouterr().out
    assert all(name in listing for name in ("export", "stats", "demo", "scan"))


def test_export_csv_keeps_identifiers_as_they_are(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Info of issue 13: ids starting with "-" (token_urlsafe makes them) were changed to "'-..."."""
    db = tmp_path / "consent.db"

    async def seed() -> None:
        store = SqliteStore(db)
        await store.open()
        await store.append_many([Record("-r0_Ab", "-visitor-0123456789", _at(1, 9), "2026-11-01", "opt_out", ALL,
                                        "banner", browser="-1+2")])
        await store.close()

    asyncio.run(seed())
    assert main(["export", "--db", _url(db), "--format", "csv", "--choices", "json"]) == 0
    out = capsys.readouterr().out
    row = dict(zip(COLUMNS, next(r for r in csv.reader(io.StringIO(out)) if r[0] != "receipt_id")))
    assert row["receipt_id"] == "-r0_Ab" and row["visitor_id"] == "-visitor-0123456789"
    assert row["browser"] == "'-1+2"  # free text still cannot become a formula
    assert '"-r0_Ab"' in out  # quoted
