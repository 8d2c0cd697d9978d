"""Every code block of the README, SECURITY.md and docs/ runs or is checked
(``tests/docs_blocks.py`` says how, per language): the quick start cannot crash
as written again. A page whose file blocks make a project with tests has them run
by pytest, in Chromium (``test_page_projects_pass``)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from . import docs_blocks

PAGES = docs_blocks.pages()


def _evaluate(page: Path, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(folder)
    monkeypatch.syspath_prepend(str(folder))   # a page's python blocks may import the files it wrote
    document = docs_blocks.parse(page)
    document.namespace[docs_blocks.FILES_KEY] = folder
    examples = list(document)
    for example in examples:
        try:
            example.evaluate()
        except BaseException as exc:
            raise AssertionError(f"{page.name}, the block at line {example.line}: {exc!r}") from exc


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(docs_blocks.ROOT).as_posix() for p in PAGES])
def test_every_block_runs(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog) -> None:
    assert docs_blocks.unchecked(page) == []
    with caplog.at_level(logging.ERROR):
        _evaluate(page, tmp_path, monkeypatch)


def test_the_checks_catch_a_broken_block(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The quick start as it once was (a 12-character key) fails here, and so do a
    wrong CLI option and an unknown language."""
    page = tmp_path / "page.md"
    page.write_text(
        '```python\nfrom consentkit import ConsentKit\nfrom tests.kits import make_policy\n'
        'kit = ConsentKit(make_policy(), secret_keys=["newest-secret-from-env", "older-secret"], store="memory://")\n'
        "```\n"
    )
    with pytest.raises(AssertionError, match="line 1"):
        _evaluate(page, tmp_path, monkeypatch)
    page.write_text("```sh\nconsentkit export --no-such-option\n```\n")
    with pytest.raises(AssertionError, match="does not take"):
        _evaluate(page, tmp_path, monkeypatch)
    page.write_text("```ruby\nputs 1\n```\n")
    assert docs_blocks.unchecked(page) == ["page.md:1: ```ruby"]


PROJECTS = [p for p in PAGES if 'title="test_' in p.read_text()]


@pytest.mark.browser
@pytest.mark.parametrize("page", PROJECTS, ids=[p.name for p in PROJECTS])
def test_page_projects_pass(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The files a page's blocks make (an app, its conftest, its tests) are a project
    whose tests pass with the plugin, as a reader who copied them would run them."""
    _evaluate(page, tmp_path, monkeypatch)
    result = docs_blocks.run_files(tmp_path)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout


@pytest.mark.browser
def test_getting_started_with_gzip_in_the_other_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The docs' shop (FastAPI under /shop, CSP set in the view, GZip) with its two
    add_middleware calls swapped: its tests pass that way too."""
    _evaluate(docs_blocks.ROOT / "docs" / "getting-started.md", tmp_path, monkeypatch)
    app = tmp_path / "myshop.py"
    lines = app.read_text().splitlines(keepends=True)
    ours = next(i for i, line in enumerate(lines) if line.startswith("shop.add_middleware(ConsentMiddleware"))
    gzip = next(i for i, line in enumerate(lines) if line.startswith("shop.add_middleware(GZipMiddleware"))
    lines[ours], lines[gzip] = lines[gzip], lines[ours]
    app.write_text("".join(lines))
    result = docs_blocks.run_files(tmp_path)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "2 passed" in result.stdout
