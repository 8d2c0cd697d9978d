"""Example Health: the demo insurer site that ``consentkit demo`` runs."""

from __future__ import annotations

from .app import create_app, load_policy

__all__ = ["create_app", "load_policy"]
