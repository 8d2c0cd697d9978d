"""Builds the HTML gate's scanner in C (consentkit.gating._cscan). It is optional: where
no C compiler is at hand the install goes on and the gate runs in pure Python, with
the same output, only slower (``consentkit.gating.fastpath.CSCAN`` is then None)."""

from __future__ import annotations

from setuptools import Extension, setup

# The widget's built files are package data (consentkit/widget/, see pyproject.toml).
setup(
    ext_modules=[Extension("consentkit.gating._cscan", ["consentkit/gating/_cscan.c"], optional=True)],
)
