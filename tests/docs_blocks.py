"""Every code block of the README and of ``docs/`` is run or checked, each by what
its language allows (Sybil reads the Markdown):

- ``python``: executed in order, one namespace per page (as a reader pastes the
  page's blocks into one file), in an empty working directory;
- ``python title="conftest.py"`` (any ``title=``, and ``<!-- file: NAME ... -->``
  comments a reader does not see): written to that file, for a page whose blocks
  are a project (``run_files`` runs the tests they make with pytest);
- ``sh``: each command must exist as written: ``consentkit ...`` parses with the
  CLI's own parser, ``uvicorn ...`` with uvicorn's, a script exists and is valid
  bash, ``pip install 'consentkit[x]'`` names real extras, ``python -c`` runs;
- ``jinja`` compiles and renders with the page's kit installed (undefined names
  fail); ``html`` parses without error (html5lib) and goes through the gate;
  ``js`` passes ``node --check``; ``toml`` parses (a policy loads);
  ``json`` parses; ``sql`` parses (pglast);
- a block without a language is text (a diagram, a listing). Any other language
  fails, so that a new kind of block cannot go unchecked.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import html5lib
import jinja2
from sybil import Document, Example, Region
from sybil.parsers.markdown import CodeBlockParser, PythonCodeBlockParser, SkipParser
from sybil.parsers.markdown.lexers import DirectiveInHTMLCommentLexer, RawFencedCodeBlockLexer

ROOT = Path(__file__).resolve().parent.parent
FILES_KEY = "__docs_files__"
LANGUAGES = ("python", "sh", "jinja", "html", "js", "toml", "json", "sql")
_FENCE_INFO = re.compile(r"(?P<info>[^\n]*)\n")
_TITLED = re.compile(r'(?P<language>\w+)\s+title="(?P<title>[^"]+)"[^\n]*\n')
_OWN_EXTRAS = re.compile(r"consentkit\[([a-z,]+)\]")


def pages() -> list[Path]:
    """The pages whose blocks are checked: the README, SECURITY.md and every docs page."""
    found = [ROOT / "README.md", ROOT / "SECURITY.md", *sorted((ROOT / "docs").rglob("*.md"))]
    return [p for p in found if p.is_file()]


# -- files ---------------------------------------------------------------------------


def _write(example: Example, name: str) -> None:
    folder: Path = example.namespace[FILES_KEY]
    target = (folder / name).resolve()
    assert folder.resolve() in target.parents, f"{name}: a file block must stay in its project"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(str(example.parsed))
    if target.suffix == ".py":
        compile(str(example.parsed), str(target), "exec")   # a syntax error fails here, browser or not


def _titled(document: Document) -> Iterator[Region]:
    for region in RawFencedCodeBlockLexer(info_pattern=_TITLED)(document):
        region.parsed = region.lexemes["source"]
        title = region.lexemes["title"]
        region.evaluator = lambda example, title=title: _write(example, title)
        yield region


def _hidden_files(document: Document) -> Iterator[Region]:
    for region in DirectiveInHTMLCommentLexer("file", arguments=r"[\w./-]+")(document):
        region.parsed = region.lexemes["source"]
        name = region.lexemes["arguments"]
        region.evaluator = lambda example, name=name: _write(example, name)
        yield region


# -- each language -------------------------------------------------------------------


def _commands(source: str) -> Iterator[list[str]]:
    for line in source.replace("\\\n", " ").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        words = shlex.split(line, comments=True)
        # What the shell does with the output is not the command's business.
        for stop in (">", "|", "2>", ">>"):
            if stop in words:
                words = words[: words.index(stop)]
        yield words


def _extras() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return set(project.get("optional-dependencies", {}))


def check_sh(example: Example) -> None:
    from consentkit.cli import build_parser

    for words in _commands(str(example.parsed)):
        command, args = words[0], words[1:]
        if command == "consentkit":
            try:
                build_parser().parse_args(args)
            except SystemExit as exc:
                if exc.code not in (0, None):  # --help or --version exit 0
                    raise AssertionError(f"consentkit does not take: {' '.join(args)}") from None
        elif command == "uvicorn":
            from uvicorn.main import main as uvicorn_main

            uvicorn_main.make_context("uvicorn", list(args))
        elif command.startswith(("./scripts/", "scripts/")):
            script = ROOT / command.removeprefix("./")
            assert script.is_file(), f"{command} does not exist"
            subprocess.run(["bash", "-n", str(script)], check=True)
        elif command in ("pip", "python", "python3") and args[:1] == ["-m"] and args[1:2] == ["pip"] or command == "pip":
            named = set()
            for word in args:
                for match in _OWN_EXTRAS.finditer(word):
                    named |= set(match.group(1).split(","))
            assert named <= _extras(), f"no such extra: {sorted(named - _extras())}"
        elif command in ("python", "python3") and args[:1] == ["-c"]:
            subprocess.run([sys.executable, "-c", args[1]], check=True, cwd=example.namespace[FILES_KEY])
        elif command == "pytest":
            pass  # a page's own project: its tests run in test_page_projects_pass
        elif command in ("cd", "npm", "mkdocs", "git", "apt-get"):
            pass  # tools the reader has; nothing of ours to check
        else:
            raise AssertionError(f"no check for the command {command!r}: teach tests/docs_blocks.py")


def _kit(example: Example) -> Any:
    from consentkit import ConsentKit

    from .kits import SECRET, make_policy

    kit = example.namespace.get("kit")
    return kit if isinstance(kit, ConsentKit) else ConsentKit(make_policy(), secret_keys=[SECRET], store="memory://")


def check_jinja(example: Example) -> None:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    _kit(example).install(env)
    env.from_string(str(example.parsed)).render()


def check_html(example: Example) -> None:
    from consentkit.rewrite import rewrite_html

    source = str(example.parsed)
    html5lib.HTMLParser(strict=True).parseFragment(source)
    rewrite_html(_kit(example).policy, {}, source.encode())


def check_js(example: Example) -> None:
    node = shutil.which("node")
    assert node, "node is needed to check the JavaScript blocks"
    script = Path(example.namespace[FILES_KEY]) / f"block-{example.line}.mjs"
    script.write_text(str(example.parsed))
    subprocess.run([node, "--check", str(script)], check=True)


def check_toml(example: Example) -> None:
    from consentkit import Policy

    data = tomllib.loads(str(example.parsed))
    if "categories" in data:
        path = Path(example.namespace[FILES_KEY]) / f"policy-{example.line}.toml"
        path.write_text(str(example.parsed))
        Policy.from_toml(path)


def check_json(example: Example) -> None:
    json.loads(str(example.parsed))


def check_sql(example: Example) -> None:
    import pglast

    pglast.parse_sql(str(example.parsed))


CHECKS = {"sh": check_sh, "jinja": check_jinja, "html": check_html, "js": check_js, "toml": check_toml,
          "json": check_json, "sql": check_sql}


def parsers() -> list[Any]:
    return [
        PythonCodeBlockParser(),
        *(CodeBlockParser(language, check) for language, check in CHECKS.items()),
        _titled,
        _hidden_files,
        SkipParser(),
    ]


def unchecked(path: Path) -> list[str]:
    """The fences of a page that no check takes: a language none knows."""
    document = Document(path.read_text(), str(path))
    out = []
    for region in RawFencedCodeBlockLexer(info_pattern=_FENCE_INFO)(document):
        info = region.lexemes["info"].strip()
        language = info.split()[0] if info else ""
        if language and language not in LANGUAGES:
            line = document.text.count("\n", 0, region.start) + 1
            out.append(f"{path.name}:{line}: ```{info}")
    return out


def parse(path: Path) -> Document:
    return Document.parse(str(path), *parsers())


def run_files(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run pytest on the project a page's file blocks made, in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", *args],
        cwd=folder, capture_output=True, text=True, timeout=600, check=False,
    )
