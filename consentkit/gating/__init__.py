"""Streaming HTML gating, in modules by concern; ``consentkit.rewrite`` is its public face."""

from __future__ import annotations

from .gate import HtmlGate
from .syntax import TAG_LIMIT

__all__ = ["TAG_LIMIT", "HtmlGate"]
