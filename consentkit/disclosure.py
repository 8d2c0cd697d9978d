"""What the site tells people it would collect, from the policy, for the server
pages (the preferences page and the parent's pages): per category, its purpose, the
services and their vendors, each cookie with its lifetime."""

from __future__ import annotations

from typing import Any

from .policy import Policy


def collection(policy: Policy) -> list[dict[str, Any]]:
    """What the site would collect and why, per category, from the policy: the
    purpose, the services and their vendors, each cookie with its lifetime."""
    return [
        {
            "id": c.id,
            "label": c.label,
            "description": c.description,
            "required": c.required,
            "sale": c.sale_or_sharing,
            "services": [
                {
                    "name": s.id,
                    "vendor": s.vendor,
                    "description": s.description,
                    "cookies": [f"{k.pattern} ({k.lifetime})" for k in s.cookies],
                    "storage": list(s.local_storage),
                }
                for s in c.services
            ],
        }
        for c in policy.categories
    ]
