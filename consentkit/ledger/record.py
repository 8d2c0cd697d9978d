"""The ledger's record, and its error: what every other module of the ledger
builds on (``base`` gives both again, beside the store interface)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Record:
    """One decision as the ledger keeps it (rule 9). Never a raw IP, User-Agent,
    birth date or e-mail address: only their coarse summaries.

    ``kind`` is ``"decision"`` for a decision, ``"proof"`` for the minimal proof of an
    opt-out of sale kept after the visitor erased their records. ``region`` is the
    code the rules were applied for (``"US-CA"``, ``"EU"``), None without regions.
    ``services`` (in ``extra``) are the service-level grants.
    """

    receipt_id: str
    visitor_id: str
    at: datetime
    policy_version: str
    mode: str
    choices: Mapping[str, bool]
    source: str
    gpc: bool = False
    age_band: str = "unknown"
    parental_consent: str | None = None
    browser: str = ""
    browser_major: str = ""
    os: str = ""
    device: str = ""
    verification: str | None = None
    kind: str = "decision"
    extra: Mapping[str, Any] = field(default_factory=dict)
    region: str | None = None

    @property
    def services(self) -> Mapping[str, bool]:
        """Service-level values that differ from their category's (a service granted or
        refused on its own), kept in ``extra["services"]``; every other service had its
        category's value."""
        services = self.extra.get("services")
        return services if isinstance(services, Mapping) else {}


class LedgerError(Exception):
    """A store could not do what was asked (it is down, or the URL is wrong)."""
