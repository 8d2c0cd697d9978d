"""What changed between two versions of the policy, for the console's policy page:
each policy flattened into named settings (the mode, the lifetime, each category,
service, host list and cookie), then compared setting by setting. Pure."""

from __future__ import annotations

from typing import NamedTuple

from ..catalogue import catalogue
from ..policy import Policy


class Change(NamedTuple):
    """One setting that differs: its name, its value before and after (None: absent)."""

    setting: str
    before: str | None
    after: str | None


def settings(policy: Policy) -> dict[str, str]:
    """Every setting of ``policy`` that a site owner would compare, by a readable name."""
    out = {
        "mode": policy.mode,
        "age_gate": str(policy.age_gate),
        "lifetime_days": str(policy.lifetime_days),
        "controller": f"{policy.controller.name} ({policy.controller.contact})",
    }
    for category in catalogue(policy):
        name = f"category {category['id']}"
        flags = [flag for flag in ("required", "sale_or_sharing") if category[flag]]
        out[name] = category["label"] + (f" ({', '.join(flags)})" if flags else "")
        for service in category["services"]:
            where = f"{name} · service {service['id']}"
            out[where] = f"{service['vendor']}: {', '.join(service['hosts'])}"
            for cookie in service["cookies"]:
                out[f"{where} · cookie {cookie['name']}"] = str(cookie["lifetime"])
    return out


def compare(before: Policy, after: Policy) -> list[Change]:
    """The settings that differ, in the order the newer policy lists them, then those
    only the older one had."""
    old, new = settings(before), settings(after)
    changes = [Change(k, old.get(k), v) for k, v in new.items() if old.get(k) != v]
    return changes + [Change(k, v, None) for k, v in old.items() if k not in new]


__all__ = ["Change", "compare", "settings"]
