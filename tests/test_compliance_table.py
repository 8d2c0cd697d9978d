"""docs/compliance.md stays true: every test it cites exists (pytest itself collects
the cited files and names their tests), every rule R1-R47 of the requirements and
every numbered ask of issue 15 has a row, and every row cites a test."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "docs" / "compliance.md"
CITED = re.compile(r"`(tests/[\w/]+\.py::test_\w+(?:\[[^\]`]+\])?)`")
ROW = re.compile(r"^\| (R\d+|\d+\.) ", re.MULTILINE)
RULES = 47
ISSUE_ITEMS = 11


def _rows() -> dict[str, str]:
    """Each row of the tables by its first cell's key (``R12``, ``3.``)."""
    rows: dict[str, str] = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        found = ROW.match(line)
        if found:
            assert found.group(1) not in rows, f"{found.group(1)} has two rows"
            rows[found.group(1)] = line
    return rows


def _cited(table: Path) -> list[str]:
    return sorted(set(CITED.findall(table.read_text(encoding="utf-8"))))


def _collected(files: list[str]) -> set[str]:
    """The node ids pytest collects from these files."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", *files],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return {line.strip() for line in result.stdout.splitlines() if "::" in line}


def missing_tests(table: Path) -> list[str]:
    """The tests the table cites that pytest does not collect (a ``[case]`` must be
    one of the test's cases; a bare name, the test with any cases)."""
    cited = _cited(table)
    files = sorted({node.split("::")[0] for node in cited})
    absent = [f"{f} (no such file)" for f in files if not (ROOT / f).is_file()]
    collected = _collected([f for f in files if (ROOT / f).is_file()])
    functions = {node.split("[")[0] for node in collected}
    return absent + [node for node in cited if (ROOT / node.split("::")[0]).is_file()
                     and node not in (collected if "[" in node else functions)]


def test_every_cited_test_exists() -> None:
    assert len(_cited(TABLE)) > 100
    assert missing_tests(TABLE) == [], "docs/compliance.md cites tests that do not exist"


def test_every_rule_and_every_ask_has_a_row_with_a_test() -> None:
    rows = _rows()
    wanted = [f"R{n}" for n in range(1, RULES + 1)] + [f"{n}." for n in range(1, ISSUE_ITEMS + 1)]
    assert [key for key in wanted if key not in rows] == []
    for key in wanted:
        row = rows[key]
        assert CITED.search(row), f"{key} cites no test"
        status = row.split("|")[2].strip()
        assert status in ("met", "partly"), f"{key}: status {status!r} is neither met nor partly"
        if status == "partly":
            assert row.rstrip(" |").rsplit("|", 1)[-1].strip(), f"{key} is partly met: say what is missing"


def test_the_check_catches_what_does_not_exist(tmp_path: Path) -> None:
    table = tmp_path / "compliance.md"
    table.write_text("| R1 | met | `tests/test_rules.py::test_gpc_header_must_be_exactly_one`<br>"
                     "`tests/test_rules.py::test_no_such_test`<br>`tests/test_rules.py::test_rules_table[no-such-case]`"
                     "<br>`tests/test_rules.py::test_rules_table[rule1-necessary-always]`<br>"
                     "`tests/test_gone.py::test_x` | |\n", encoding="utf-8")
    assert missing_tests(table) == ["tests/test_gone.py (no such file)", "tests/test_rules.py::test_no_such_test",
                                    "tests/test_rules.py::test_rules_table[no-such-case]"]
