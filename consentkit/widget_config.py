"""What the widget needs to know of the policy, as the JSON the page carries in
``<script type="application/json" id="consentkit-config">``."""

from __future__ import annotations

from typing import Any

from .catalogue import catalogue
from .i18n import widget_texts
from .policy import Policy


def widget_config(policy: Policy, prefix: str) -> dict[str, Any]:
    """Categories with their services, vendors and cookie lifetimes, the endpoints,
    the Consent Mode mapping and the texts (see ``i18n``). Built once per kit."""
    return {
        "prefix": prefix,
        "mode": policy.mode,
        "age_gate": policy.age_gate,
        "categories": catalogue(policy),
        "consent_mode": {k: list(v) for k, v in policy.consent_mode.items()},
        # Every string per language, defaults merged with the policy's overrides: the
        # widget carries no language of its own, so it stays small and cacheable.
        "texts": widget_texts(policy.texts),
    }
