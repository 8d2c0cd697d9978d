"""What the widget needs to know of the policy, as the JSON the page carries in
``<script type="application/json" id="consentkit-config">``."""

from __future__ import annotations

from typing import Any

from .i18n import widget_texts
from .policy import Policy


def widget_config(policy: Policy, prefix: str) -> dict[str, Any]:
    """Categories with their services, vendors and cookie lifetimes, the endpoints,
    each category's Consent Mode types and the texts (see ``i18n``). Built once per kit."""
    return {
        "prefix": prefix,
        "mode": policy.mode,
        "age_gate": policy.age_gate,
        "categories": [
            {
                "id": c.id,
                "label": c.label,
                "description": c.description,
                "required": c.required,
                "sale_or_sharing": c.sale_or_sharing,
                "consent_mode": list(policy.consent_mode[c.id]),
                "services": [
                    {
                        "id": s.id,
                        "vendor": s.vendor,
                        "hosts": [str(h) for h in s.hosts],
                        "description": s.description,
                        "cookies": [{"name": k.pattern, "lifetime": k.lifetime} for k in s.cookies],
                        "local_storage": list(s.local_storage),
                    }
                    for s in c.services
                ],
            }
            for c in policy.categories
        ],
        # Every string per language, defaults merged with the policy's overrides: the
        # widget carries no language of its own, so it stays small and cacheable.
        "texts": widget_texts(policy.texts),
    }
