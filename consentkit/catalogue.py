"""The policy's categories and services as plain data, in one shape for every
reader: the widget's config (``widget_config``) carries it, the preferences page and the parent's
pages render it (``templates/services.html``), and ``consentkit scan`` reads it back
from a page (``scan.policy_from_config``)."""

from __future__ import annotations

from typing import Any

from .policy import Policy


def catalogue(policy: Policy, lang: str | None = None) -> list[dict[str, Any]]:
    """Per category, its purpose and whether it is sold or shared; per service, its
    name for visitors (its name, else its vendor, else its id), the vendor (the third
    party with access), where it loads from, and each cookie with its lifetime. Labels and descriptions in ``lang`` where the policy translates them
    (by default in the policy's language)."""
    lang = lang or policy.language
    return [
        {
            "id": c.id,
            "label": c.label_in(lang, policy.language),
            "description": c.description_in(lang, policy.language),
            "required": c.required,
            "sale_or_sharing": c.sale_or_sharing,
            "services": [
                {
                    "id": s.id,
                    "name": s.name or s.vendor or s.id,  # what visitors call it
                    "vendor": s.vendor,
                    "hosts": [str(h) for h in s.hosts],
                    "description": s.description_in(lang, policy.language),
                    "cookies": [{"name": k.pattern, "lifetime": k.lifetime} for k in s.cookies],
                    "local_storage": list(s.local_storage),
                }
                for s in c.services
            ],
        }
        for c in policy.categories
    ]
