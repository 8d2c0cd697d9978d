"""The wheel a user installs: one top-level package, ``consentkit``, with the widget
and the demo inside it (``consentkit/_demo/``, from the repository's ``demo_site/``),
and uvicorn only in the ``server`` extra. Built for real with ``pip wheel``."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--disable-pip-version-check", "-w", str(out),
         str(ROOT)],
        check=True, capture_output=True, timeout=600,
    )
    (built,) = out.glob("consentkit-*.whl")
    return zipfile.ZipFile(built)


def test_the_wheel_installs_only_consentkit(wheel: zipfile.ZipFile):
    tops = {name.split("/", 1)[0] for name in wheel.namelist()}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"consentkit"}


def test_the_demo_and_the_widget_ship_inside_the_package(wheel: zipfile.ZipFile):
    names = set(wheel.namelist())
    demo = {p.relative_to(ROOT / "demo_site").as_posix() for p in (ROOT / "demo_site").rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}
    assert {f"consentkit/_demo/{name}" for name in demo} <= names
    assert {"consentkit/widget/boot.js", "consentkit/widget/widget.js", "consentkit/widget/widget.css",
            "consentkit/widget/widget.d.ts", "consentkit/py.typed"} <= names
    # The built widget only: not its source, its build tools or their modules.
    assert not [n for n in names if "node_modules" in n or n.endswith((".mjs", "package.json"))]


def test_uvicorn_is_only_an_extra(wheel: zipfile.ZipFile):
    (metadata,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    requires = [line for line in wheel.read(metadata).decode().splitlines() if line.startswith("Requires-Dist:")]
    uvicorn = [line for line in requires if "uvicorn" in line]
    assert uvicorn and all('extra == "server"' in line or 'extra == "dev"' in line for line in uvicorn)
    assert "Provides-Extra: server" in wheel.read(metadata).decode()
