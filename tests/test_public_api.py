"""The names users import from ``consentkit`` are exactly the documented ones."""

from __future__ import annotations

import consentkit

CONTRACT = {"ConsentKit", "ConsentMiddleware", "Policy", "Category", "Service"}


def test_exported_names_exist_and_are_listed():
    assert CONTRACT <= set(consentkit.__all__)
    for name in consentkit.__all__:
        assert getattr(consentkit, name) is not None, name
    public = {n for n in vars(consentkit) if not n.startswith("_") and n[0].isupper()}
    assert public <= set(consentkit.__all__), public - set(consentkit.__all__)
