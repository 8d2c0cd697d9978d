"""A visitor's consent: what they said (``Choices``, kept in the signed cookie) and
what follows from it under the policy (``ConsentState``, contract section 3)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Literal, get_args

from .policy import Mode

AgeBand = Literal["unknown", "under_13", "13_15", "16_plus", "16_17", "18_plus"]
AGE_BANDS: tuple[AgeBand, ...] = get_args(AgeBand)
ParentalStatus = Literal["pending", "granted", "denied"]
PARENTAL_STATUSES: tuple[ParentalStatus, ...] = get_args(ParentalStatus)
Source = Literal["banner", "preferences", "gpc", "link", "parent", "api", "test"]
SOURCES: tuple[Source, ...] = get_args(Source)

_EMPTY: Mapping[str, bool] = MappingProxyType({})


def iso(moment: datetime | None) -> str | None:
    """RFC 3339 in UTC with a Z, to the second, as the contract shows it."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Choices:
    """What the visitor has said, and signals already honoured: the cookie's content.

    ``choices`` holds only categories the visitor (or a signal) decided; the rest
    follow the policy's mode. ``services`` holds service-level choices (a service
    granted, or refused, apart from its category); a decision about a category
    replaces them. ``parental_choices`` are a parent's grants for a child under 13;
    ``sale_opt_in`` is a 13-15-year-old's own affirmative opt-in.
    """

    visitor_id: str
    policy_version: str = ""
    choices: Mapping[str, bool] = field(default_factory=lambda: _EMPTY)
    decided_at: datetime | None = None
    gpc: bool = False
    reprompt_not_before: datetime | None = None
    age_band: AgeBand = "unknown"
    parental_consent: ParentalStatus | None = None
    parental_choices: Mapping[str, bool] = field(default_factory=lambda: _EMPTY)
    sale_opt_in: bool = False
    updated_at: datetime | None = None
    services: Mapping[str, bool] = field(default_factory=lambda: _EMPTY)
    # The visitor asked to limit the use of their sensitive personal information
    # (``/consentkit/limit``); a later grant of a sensitive category or service lifts it.
    sensitive_limited: bool = False

    def evolve(self, **changes: Any) -> Choices:
        for key in ("choices", "parental_choices", "services"):
            if key in changes:
                changes[key] = MappingProxyType(dict(changes[key]))
        return replace(self, **changes)


@dataclass(frozen=True)
class ConsentState:
    """The visitor's consent as it applies to this request (contract section 3).

    Put on ``request.state.consent`` by the middleware; ask it ``allows("analytics")``
    or, for one service, ``allows("youtube")``. ``services`` holds every declared
    service's effective value: its category's, unless the visitor chose the service
    on its own.
    """

    visitor_id: str
    policy_version: str
    mode: Mode
    categories: Mapping[str, bool]
    decided: bool
    prompt: bool
    gpc: bool
    sale_opt_out: bool
    reprompt_not_before: datetime | None
    age_band: AgeBand
    parental_consent: ParentalStatus | None
    updated_at: datetime | None
    expires_at: datetime | None
    usprivacy: str
    sale_opt_in: bool = False
    gpp: str = ""
    gpp_sid: tuple[int, ...] = ()
    choices: Choices | None = field(default=None, compare=False, repr=False)
    services: Mapping[str, bool] = field(default_factory=lambda: _EMPTY)
    # The policy's region whose rules apply to this request (``"US-CO"``, ``"EU"``);
    # None for the policy's own rules (no regions, or a request from none of them).
    region: str | None = None
    # The visitor limited the use of their sensitive personal information (contract section 8).
    sensitive_limited: bool = False
    # What the policy added since the version the visitor decided under (R37), as short
    # texts for the banner; empty when nothing was added or the visitor answered since.
    changes: tuple[str, ...] = ()

    def allows(self, name: str) -> bool:
        """Whether this category, or this service, is granted now; False for a name the
        policy lacks. A category's id is read as the category."""
        granted = self.categories.get(name)
        return granted if granted is not None else self.services.get(name, False)

    def to_json(self) -> dict[str, Any]:
        """The state as the contract's JSON object."""
        return {
            "visitor_id": self.visitor_id,
            "policy_version": self.policy_version,
            "mode": self.mode,
            "categories": dict(self.categories),
            "services": dict(self.services),
            "decided": self.decided,
            "prompt": self.prompt,
            "gpc": self.gpc,
            "sale_opt_out": self.sale_opt_out,
            "sale_opt_in": self.sale_opt_in,
            "reprompt_not_before": iso(self.reprompt_not_before),
            "age_band": self.age_band,
            "parental_consent": self.parental_consent,
            "updated_at": iso(self.updated_at),
            "expires_at": iso(self.expires_at),
            "usprivacy": self.usprivacy,
            "gpp": self.gpp,
            "gpp_sid": list(self.gpp_sid),
            "region": self.region,
            "sensitive_limited": self.sensitive_limited,
            "changes": list(self.changes),
        }


def usprivacy_string(*, has_sale_categories: bool, sale_opt_out: bool) -> str:
    """The IAB US Privacy string: version 1, notice given, opted out, LSPA not covered.

    Without any sale_or_sharing category there is nothing to opt out of: "1YNN".
    """
    return "1Y" + ("Y" if has_sale_categories and sale_opt_out else "N") + "N"
