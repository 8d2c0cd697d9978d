"""The names users import are exactly the documented ones: each public package's
``__all__`` is every public name it holds (its submodules aside), sorted, as httpx's
``test_exported_members.py`` holds its own."""

from __future__ import annotations
import __future__

import importlib
from types import ModuleType

import pytest

import consentkit

CONTRACT = {"ConsentKit", "ConsentMiddleware", "Policy", "Category", "Service"}
# The packages whose __init__ only gathers their public names.
PACKAGES = ("consentkit", "consentkit.admin", "consentkit.minors", "consentkit.testing", "consentkit.scan")


def isort_order(name: str) -> tuple[int, str]:
    """Constants, then classes, then functions (ruff's RUF022 order)."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_the_contracts_names_are_exported():
    assert CONTRACT <= set(consentkit.__all__)


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_every_public_name_sorted(name):
    package = importlib.import_module(name)
    public = [
        n for n, value in vars(package).items()
        if not n.startswith("_") and not isinstance(value, ModuleType) and value is not __future__.annotations
    ]
    assert package.__all__ == sorted(public, key=isort_order)
