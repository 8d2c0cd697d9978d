"""The request layer is a tower and stays one: no module imports a layer above its
own (``tests/importgraph.py`` draws the layers), no import cycle exists, counting
imports made inside functions and those only the type checker follows, and every
module has a layer. ``python -m tests.importgraph`` prints the figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import importgraph

EDGES = importgraph.graph()


def test_every_module_has_a_layer():
    unplaced = [m for m in importgraph.modules() if importgraph.layer_of(m) is None]
    assert unplaced == [], "add these modules to a layer of tests/importgraph.py: LAYERS"


def test_no_module_imports_a_higher_layer():
    up = [f"{e.source}:{e.line} imports {e.target} ({e.kind})" for e in importgraph.upward(EDGES)]
    assert up == [], "a lower layer imports a higher one:\n" + "\n".join(up)


@pytest.mark.parametrize("kinds", [("top", "local"), ("top", "local", "type")], ids=["run-time", "with-type-only"])
def test_no_import_cycle(kinds):
    assert importgraph.cycles(EDGES, kinds) == []


def test_the_checks_see_a_cycle_and_an_upward_import(tmp_path: Path):
    """The graph is read right: a loop through a function-local import and a
    type-only one, and an import into a higher layer, are both found."""
    package = tmp_path / "consentkit"
    (package / "minors").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "minors" / "__init__.py").write_text("")
    (package / "policy.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .kit import X\n")
    (package / "kit.py").write_text("def f():\n    from .minors import sync\n")
    (package / "minors" / "sync.py").write_text("from .. import policy\n")
    edges = importgraph.graph(tmp_path)
    assert {(e.source, e.target, e.kind) for e in edges} == {
        ("consentkit.policy", "consentkit.kit", "type"),
        ("consentkit.kit", "consentkit.minors.sync", "local"),
        ("consentkit.minors.sync", "consentkit.policy", "top"),
    }
    assert importgraph.cycles(edges, ("top", "local")) == []
    assert importgraph.cycles(edges, ("top", "local", "type")) == [
        ["consentkit.kit", "consentkit.minors.sync", "consentkit.policy"]
    ]
    # policy (core) below kit, kit below minors.sync (a feature): both go up.
    assert {(e.source, e.target) for e in importgraph.upward(edges)} == {
        ("consentkit.policy", "consentkit.kit"), ("consentkit.kit", "consentkit.minors.sync")
    }
