"""The Jinja2 environment of consentkit's own server pages (``templates/``):
autoescaped, the same for every kit (it holds no kit's data), made once."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader


@cache
def templates() -> Environment:
    """The Jinja2 environment of every server page (autoescaped)."""
    return Environment(
        loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
