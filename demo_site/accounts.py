"""The demo's sign-ups, kept in memory, and the data source that lets privacy
requests reach them (``kit.register_source("signups", ...)``): what a real site
does with its own tables. The password is never kept; a child under 13 is not
kept at all until a parent agrees."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from consentkit import ConsentKit
from consentkit.requests import Subject


@dataclass
class Accounts:
    """The demo's accounts by e-mail address (lowercase)."""

    clock: Callable[[], datetime]
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, email: str, age_band: str) -> None:
        address = email.strip().lower()
        self.rows[address] = {"email": address, "age_band": age_band, "plan": "none yet",
                              "created_at": self.clock().isoformat(timespec="seconds"), "corrections": []}

    async def export(self, subject: Subject) -> Any:
        row = self.rows.get((subject.email or "").lower())
        return dict(row) if row else {}

    async def delete(self, subject: Subject) -> Any:
        return {"deleted": 1 if self.rows.pop((subject.email or "").lower(), None) else 0}

    async def correct(self, subject: Subject, correction: str) -> Any:
        row = self.rows.get((subject.email or "").lower())
        if row is None:
            return {"corrected": 0}
        row["corrections"].append(correction)  # a person reviews it: the demo keeps the note
        return {"corrected": 1}

    def register(self, kit: ConsentKit) -> None:
        kit.register_source("signups", export=self.export, delete=self.delete, correct=self.correct)
