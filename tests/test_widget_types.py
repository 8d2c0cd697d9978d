"""The TypeScript declarations of the page-facing API (``consentkit/widget/widget.d.ts``,
from ``widget/public/``): they type-check as a site uses them, they refuse misuse,
and they say what the state and ``window.consentkit`` really hold (the state from
the server's own JSON; the API from Chromium)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from consentkit.assets import WIDGET_DIR

from .apps import client
from .test_widget_build import WIDGET, _node

DECLARATIONS = WIDGET_DIR / "widget.d.ts"
TSC = WIDGET / "node_modules" / "typescript" / "bin" / "tsc"


def _interface(name: str) -> set[str]:
    """The member names of one interface of widget.d.ts."""
    text = DECLARATIONS.read_text()
    body = re.search(rf"interface {name} \{{\n(.*?)\n    \}}", text, re.DOTALL)
    assert body, name
    code = re.sub(r"/\*\*.*?\*/", "", body.group(1), flags=re.DOTALL)
    return set(re.findall(r"^\s+(?:readonly\s+)?(\w+)[?(:]", code, re.MULTILINE))


def _tsc(folder: Path, usage: str) -> subprocess.CompletedProcess[str]:
    (folder / "widget.d.ts").write_bytes(DECLARATIONS.read_bytes())
    (folder / "usage.ts").write_text('/// <reference path="./widget.d.ts" />\n' + usage)
    (folder / "tsconfig.json").write_text((WIDGET / "public" / "tsconfig.json").read_text())
    return subprocess.run([_node(), str(TSC), "-p", str(folder)], capture_output=True, text=True, timeout=300,
                          check=False)


def test_the_shipped_declarations_type_check_as_a_site_uses_them(tmp_path: Path) -> None:
    result = _tsc(tmp_path, (WIDGET / "public" / "usage.ts").read_text())
    assert result.returncode == 0, result.stdout + result.stderr


MISTAKES = [
    'consentkit.allows(3);',
    'consentkit.on("chnage", () => {});',
    'consentkit.save({ analytics: "yes" });',
    'const band: number = consentkit.state.age_band;',
    'document.addEventListener("consentkit:change", (e) => e.detail.categorie);',
    'window.__uspapi("getUSPData", 2, () => {});',
    'window.__gpp("ping", 3);',
]


def test_misuse_fails_to_type_check(tmp_path: Path) -> None:
    """Each mistake, one a line, is an error on its own line (one tsc run for all)."""
    result = _tsc(tmp_path, "\n".join(MISTAKES) + "\n")
    lines = {int(n) for n in re.findall(r"usage\.ts\((\d+),\d+\): error TS", result.stdout)}
    # Line 1 is the reference to the declarations.
    assert lines == set(range(2, len(MISTAKES) + 2)), result.stdout


@pytest.mark.anyio
async def test_the_state_is_the_servers_json(make_kit) -> None:
    async with client(make_kit()) as c:
        keys = set((await c.get("/consentkit/state")).json())
    declared = _interface("State")
    assert declared == keys, (
        f"widget/public/widget.d.ts State differs from GET /consentkit/state: add {sorted(keys - declared)}, "
        f"remove {sorted(declared - keys)}"
    )
