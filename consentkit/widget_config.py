"""What the widget knows of the policy, in two parts, each served as a cacheable asset
(see ``assets.WidgetAssets``), never in the page:

- ``boot_config``: what the synchronous part needs before any other script runs, the
  same for every page and language: the endpoints' prefix, the mode, the sale/sharing
  categories, each category's Consent Mode types, and the guard's rules (declared hosts,
  cookies and storage keys of the categories a visitor may refuse);
- ``widget_config``: what the banner and the dialog show, in one language: categories,
  services, vendors, cookie lifetimes, and the widget's strings; and the field layouts of
  the GPP sections its visitors' strings hold, for ``__gpp``.
"""

from __future__ import annotations

from typing import Any

from . import gpp
from .catalogue import catalogue
from .i18n import WIDGET_KEYS, texts
from .policy import CONSENT_MODE_TYPES, Policy, lifetime_seconds


def _pattern(host: str) -> str:
    # A declared host is letters, digits, '-' and '.' (policy.HostRule), '*.' stripped:
    # only the dot means something in a regular expression.
    return host.removeprefix("*.").replace(".", "\\.")


def boot_config(policy: Policy, prefix: str) -> dict[str, Any]:
    """The synchronous part's share of the policy (``widget/src/types.d.ts`` BootConfig)."""
    hosts: list[list[str]] = []
    cookies: list[list[str]] = []
    storage: list[list[str]] = []
    for category in policy.categories:
        if category.required:
            continue  # never held, never refused
        for service in category.services:
            owner = [category.id, service.id]
            hosts += [[rule.host.removeprefix("*"), rule.path, *owner] for rule in service.hosts]
            cookies += [[rule.pattern, *owner] for rule in service.cookies]
            storage += [[key, *owner] for key in service.local_storage]
    # One test rules most URLs out without parsing them: no declared host in the text, and
    # none of what a URL parser turns into a host (%-escapes, tabs and newlines, non-ASCII).
    names = sorted({_pattern(row[0]) for row in hosts})
    return {
        "prefix": prefix,
        "mode": policy.mode,
        "sale": list(policy.sale_or_sharing_ids),
        "consent_mode": {c.id: list(policy.consent_mode[c.id]) for c in policy.categories},
        "consent_mode_types": list(CONSENT_MODE_TYPES),
        "hosts": hosts,
        "cookies": cookies,
        "storage": storage,
        "suspect": "|".join([*names, "[%\\t\\n\\r]", "[^\\0-\\x7f]"]),
    }


def layout_classes(policy: Policy) -> str:
    """The widget root's classes for the policy's layout and position (widget.css):
    ``ck-box`` for a box, ``ck-top`` for the top, ``ck-left``/``ck-right`` for a side."""
    classes = ["ck"]
    if policy.layout == "box":
        classes.append("ck-box")
    vertical, _, side = policy.position.partition("-")
    if vertical == "top":
        classes.append("ck-top")
    if side:
        classes.append(f"ck-{side}")
    return " ".join(classes)


def notice(policy: Policy, lang: str) -> list[str]:
    """The notice at collection's list (§7012, R41), one line per category: its label
    (its purpose), whether it is sold or shared, what it does, and the longest its
    cookies are kept."""
    strings = texts(lang, policy.texts)
    lines = []
    for category in policy.categories:
        line = category.label_in(lang, policy.language)
        if category.sale_or_sharing:
            line += f" ({strings['notice.sold']})"
        description = category.description_in(lang, policy.language)
        if description:
            line += f": {description.rstrip('.')}."
        lifetimes = [(lifetime_seconds(c.lifetime) or 0, c.lifetime) for c in category.cookies]
        if lifetimes:
            line += ("" if description else ".") + " " + strings["notice.kept"].format(duration=max(lifetimes)[1])
        lines.append(line)
    return lines


def widget_config(policy: Policy, lang: str) -> dict[str, Any]:
    """The deferred part's share, in ``lang`` (``widget/src/types.d.ts`` WidgetConfig)."""
    return {
        "lang": lang,
        "languages": list(policy.offered_languages),
        "age_gate": policy.age_gate,
        "classes": layout_classes(policy),
        "categories": catalogue(policy, lang),
        # The notice at collection on the first layer (R41): purposes, sale, retention, link.
        "notice": notice(policy, lang),
        "privacy_url": policy.privacy_url,
        # Defaults merged with the policy's overrides, only the widget's keys.
        "texts": {k: v for k, v in texts(lang, policy.texts).items() if k in WIDGET_KEYS},
        # What `__gpp` decodes the state's GPP string with: the layouts of the sections it may hold.
        "gpp": gpp.layouts(gpp.policy_sections(policy)),
    }
