"""consentkit's import graph, read from the source with ``ast`` (nothing is imported).

Each import is one of three kinds: ``top`` (runs when the module is imported),
``local`` (inside a function: runs when it is called) and ``type`` (under ``if
TYPE_CHECKING:``: only the type checker follows it). ``tests/test_layers.py`` holds
the graph to the layers of ``LAYERS``; run this file to print the figures::

    python -m tests.importgraph
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Literal

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "consentkit"
Kind = Literal["top", "local", "type"]

# The tower, bottom first: a module may import its own layer and those below it,
# never one above. Patterns are fnmatch-style on dotted names; the first match wins.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("core", (
        "consentkit.regions", "consentkit.policy", "consentkit.state", "consentkit.gpp", "consentkit.rules", "consentkit.cookie", "consentkit.i18n",
        "consentkit.translations",
        "consentkit.useragent", "consentkit.catalogue", "consentkit.widget_config",
        "consentkit.assets", "consentkit.csrf", "consentkit.outcomes", "consentkit.confirmation",
        "consentkit.cookie_dates", "consentkit.cookie_domains", "consentkit.cookie_trust", "consentkit.record_limit",
        "consentkit.mount",
    )),
    ("markup", (
        "consentkit.gating", "consentkit.gating.*", "consentkit.rewrite", "consentkit.head", "consentkit.tags",
        "consentkit.templating", "consentkit.rendering", "consentkit.csp_nonce",
    )),
    ("ledger", ("consentkit.ledger", "consentkit.ledger.*", "consentkit.receipts")),
    ("minors-parts", (
        "consentkit.minors", "consentkit.minors.notifiers", "consentkit.minors.verifiers",
        "consentkit.minors.history", "consentkit.minors.messages", "consentkit.minors.tokens",
        "consentkit.minors.flowstate", "consentkit.minors.lapse", "consentkit.minors.retention",
    )),
    ("requests-parts", (
        "consentkit.requests", "consentkit.requests.model", "consentkit.requests.clocks",
        "consentkit.requests.codec", "consentkit.requests.store", "consentkit.requests.sqlite",
        "consentkit.requests.postgres", "consentkit.requests.verification", "consentkit.requests.sources",
        "consentkit.requests.messages", "consentkit.requests.own_data", "consentkit.requests.desk",
        "consentkit.optouts",
    )),
    # The console's settings, which the kit keeps (its pages are in "console").
    ("admin-settings", (
        "consentkit.admin", "consentkit.admin.config", "consentkit.admin.accounts", "consentkit.admin.throttle",
    )),
    ("kit", ("consentkit.kit",)),
    ("visit", ("consentkit.visit",)),
    ("toolkit", ("consentkit.call", "consentkit.cookies_out")),
    ("features", (
        "consentkit.api", "consentkit.files", "consentkit.access", "consentkit.pages", "consentkit.limit", "consentkit.openapi",
        "consentkit.minors.*", "consentkit.requests.*",
    )),
    ("console", ("consentkit.admin.*",)),
    ("routing", ("consentkit.routing",)),
    ("middleware", ("consentkit.middleware",)),
    ("entry points", (
        "consentkit", "consentkit.testing", "consentkit.testing.*", "consentkit.cli", "consentkit.commands",
        "consentkit.commands.*", "consentkit.scan", "consentkit.scan.*", "consentkit._demo", "consentkit._demo.*",
    )),
)


@dataclass(frozen=True, slots=True)
class Import:
    source: str
    target: str
    kind: Kind
    line: int


def modules(root: Path = ROOT, package: str = PACKAGE) -> dict[str, Path]:
    """Every module of the package, by dotted name (a package by its own name)."""
    found: dict[str, Path] = {}
    # A compiled module (gating._cscan) is known by its stub; its source is not Python.
    for path in sorted([*(root / package).rglob("*.py"), *(root / package).rglob("*.pyi")]):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found.setdefault(".".join(parts), path)
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST, kind: Kind) -> Iterator[tuple[ast.Import | ast.ImportFrom, Kind]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, kind
        elif isinstance(child, ast.If) and _is_type_checking(child.test):
            for statement in child.body:
                yield from _walk(ast.Module(body=[statement], type_ignores=[]), "type")
            for statement in child.orelse:
                yield from _walk(ast.Module(body=[statement], type_ignores=[]), kind)
        elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            yield from _walk(child, "type" if kind == "type" else "local")
        else:
            yield from _walk(child, kind)


def imports(name: str, path: Path, known: Mapping[str, Path]) -> list[Import]:
    """The imports of one module that name another module of the package."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: list[Import] = []
    for node, kind in _walk(tree, "top"):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from . import rules`` imports the module consentkit.rules; ``from .x import y``
            # imports consentkit.x (y being a name in it, or a submodule).
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        for target in targets:
            while target and target not in known and "." in target:
                target = target.rpartition(".")[0]
            if target in known and target != name:
                out.append(Import(name, target, kind, node.lineno))
    return list(dict.fromkeys(out))


def graph(root: Path = ROOT, package: str = PACKAGE) -> list[Import]:
    known = modules(root, package)
    return [edge for name, path in known.items() for edge in imports(name, path, known)]


def cycles(edges: Iterable[Import], kinds: Iterable[Kind]) -> list[list[str]]:
    """The import loops (strongly connected components of more than one module,
    or a module importing itself) over imports of these kinds; Tarjan's algorithm."""
    wanted = set(kinds)
    successors: dict[str, set[str]] = {}
    for edge in edges:
        if edge.kind in wanted:
            successors.setdefault(edge.source, set()).add(edge.target)
            successors.setdefault(edge.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(successors[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(successors):
        if node not in index:
            visit(node)
    return sorted(found, key=len, reverse=True)


def layer_of(module: str) -> int | None:
    for level, (_, patterns) in enumerate(LAYERS):
        if any(fnmatchcase(module, pattern) for pattern in patterns):
            return level
    return None


def upward(edges: Iterable[Import]) -> list[Import]:
    """Imports from a lower layer into a higher one (of any kind)."""
    out = []
    for edge in edges:
        source, target = layer_of(edge.source), layer_of(edge.target)
        if source is not None and target is not None and target > source:
            out.append(edge)
    return out


def report(root: Path = ROOT) -> str:
    edges = graph(root)
    names = modules(root)
    lines = [f"{len(names)} modules, {len(edges)} internal imports"]
    for level, (layer, _) in enumerate(LAYERS):
        members = [m for m in names if layer_of(m) == level]
        lines.append(f"  layer {level} {layer:<13} {len(members):>3} modules")
    unplaced = sorted(m for m in names if layer_of(m) is None)
    lines.append(f"  not in a layer      {len(unplaced):>3} modules {' '.join(unplaced)}")
    for label, kinds in (("at run time", ("top", "local")), ("counting type-only imports", ("top", "local", "type"))):
        loops = cycles(edges, kinds)
        sizes = ", ".join(str(len(loop)) for loop in loops) or "none"
        lines.append(f"cycles {label}: {len(loops)} (modules per cycle: {sizes})")
        for loop in loops:
            lines.append("    " + " ".join(m.removeprefix("consentkit.") for m in loop))
    local = [e for e in edges if e.kind == "local"]
    lines.append(f"function-local imports of the package: {len(local)}")
    for edge in local:
        lines.append(f"    {edge.source}:{edge.line} -> {edge.target}")
    up = upward(edges)
    lines.append(f"imports into a higher layer: {len(up)}")
    for edge in up:
        lines.append(f"    {edge.source}:{edge.line} -> {edge.target} ({edge.kind})")
    return "\n".join(lines)


if __name__ == "__main__":
    print(report())
