"""The documentation site (MkDocs + Material + mkdocstrings) builds with --strict:
a broken link, a missing anchor or reference fails here. Every page under docs/
is in it (no navigation list to forget a page in), the policy reference describes
every setting the code takes, and the endpoints page lists every path of the
OpenAPI document."""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from consentkit import Category, Policy, Service

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return out


def test_every_page_is_built(site: Path) -> None:
    for page in (ROOT / "docs").rglob("*.md"):
        relative = page.relative_to(ROOT / "docs").with_suffix("")
        built = site / ("index.html" if relative.name == "index" else relative / "index.html")
        assert built.is_file(), f"{page} is not in the site"
    nav = (site / "index.html").read_text()
    for page in (ROOT / "docs").glob("*.md"):
        if page.stem != "index":
            assert f'href="{page.stem}/"' in nav, f"{page.name} is not in the navigation"


@pytest.mark.parametrize("cls", [Policy, Category, Service])
def test_the_policy_reference_describes_every_setting(site: Path, cls: type) -> None:
    documented = set(re.findall(r"^        (\w+): ", inspect.getdoc(cls) and cls.__doc__ or "", re.MULTILINE))
    taken = set(inspect.signature(cls.__init__).parameters) - {"self"}
    assert taken - documented == set(), f"describe these in {cls.__name__}'s docstring (Args:)"
    page = (site / "reference" / "policy" / "index.html").read_text()
    for name in taken:
        assert f"<code>{name}</code>" in page, name


def test_the_endpoints_page_lists_the_openapi_paths(site: Path) -> None:
    import json

    paths = json.loads((site / "openapi.json").read_text())["paths"]
    page = (site / "reference" / "endpoints" / "index.html").read_text()
    for path in paths:
        assert f"<code>{path}</code>" in page, path
