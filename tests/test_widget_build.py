"""The widget's build: the shipped assets are what a fresh esbuild build of
``widget/src/`` makes, the source type-checks, and it never writes markup from strings.
(That the wheel carries the built files: tests/test_wheel.py.)

Needs Node and ``widget/node_modules`` (``scripts/test.sh`` runs ``npm ci``); without
them these tests skip, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from consentkit.assets import WIDGET_DIR

ROOT = Path(__file__).resolve().parent.parent
WIDGET = ROOT / "widget"
SHIPPED = ("boot.js", "widget.js", "widget.css", "widget.d.ts")


def _node() -> str:
    node = shutil.which("node")
    if node and (WIDGET / "node_modules" / "esbuild").is_dir():
        return node
    if os.environ.get("CI") == "true":
        pytest.fail("Node and widget/node_modules are needed: run `npm ci` in widget/ (scripts/test.sh does)")
    pytest.skip("Node or widget/node_modules missing: run `npm ci` in widget/")


def test_the_shipped_build_is_a_fresh_build(tmp_path: Path) -> None:
    subprocess.run([_node(), str(WIDGET / "build.mjs"), str(tmp_path)], check=True, timeout=120)
    for name in SHIPPED:
        fresh, shipped = (tmp_path / name).read_bytes(), (WIDGET_DIR / name).read_bytes()
        assert fresh == shipped, f"consentkit/widget/{name} is not a fresh build: run `node widget/build.mjs`"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(SHIPPED)


def test_the_source_type_checks() -> None:
    tsc = WIDGET / "node_modules" / "typescript" / "bin" / "tsc"
    result = subprocess.run([_node(), str(tsc), "-p", str(WIDGET)], capture_output=True, text=True, timeout=300,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr


# Markup from strings, code from strings, inline styles: none in the widget's source.
_FORBIDDEN = re.compile(
    r"\.(innerHTML|outerHTML)\s*=(?!=)|insertAdjacentHTML\(|\beval\(|new Function\b|document\.write(ln)?\("
    r"|\.style\.|setAttribute\(\s*[\"']style|cssText"
)


def test_the_source_writes_no_markup_and_no_inline_style() -> None:
    sources = sorted((WIDGET / "src").glob("*.js"))
    assert sources
    found = [f"{path.name}:{n}: {line.strip()}" for path in sources
             for n, line in enumerate(path.read_text().splitlines(), 1) if _FORBIDDEN.search(line)]
    assert found == []
    for name in ("boot.js", "widget.js"):
        assert not _FORBIDDEN.search((WIDGET_DIR / name).read_text()), name


def test_the_forbidden_patterns_are_found() -> None:
    for line in ('el.innerHTML = s', 'el.insertAdjacentHTML("beforeend", s)', "eval(s)", "new Function(s)",
                 "document.write(s)", 'el.style.color = "red"', 'el.setAttribute("style", s)'):
        assert _FORBIDDEN.search(line), line
    assert not _FORBIDDEN.search("if (el.innerHTML === s) {}")
