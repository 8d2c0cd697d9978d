"""What the parent's e-mails say: the direct notice of 16 CFR 312.4(c)(1) with the
consent link, and the confirmation with the management link. Plain text only:
nothing in them is markup, so nothing needs escaping."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from ..policy import Category, Policy


def _date(moment: datetime) -> str:
    return moment.strftime("%d %B %Y")


def _site(policy: Policy, host: str) -> str:
    return policy.controller.name or host or "our website"


def _purpose(category: Category) -> str:
    """One line of the direct notice: the purpose, what it is for, and who receives it."""
    line = f"- {category.label}"
    if category.description:
        line += f": {category.description.rstrip('.')}"
    vendors = sorted({s.vendor for s in category.services if s.vendor})
    if vendors:
        line += f" (received by {', '.join(vendors)})"
    return line + "."


def request_message(policy: Policy, host: str, link: str, expires: datetime) -> tuple[str, str]:
    """The subject and body of the request sent to a parent."""
    site = _site(policy, host)
    optional = [c for c in policy.categories if not c.required and not c.sale_or_sharing]
    disclosed = [c for c in policy.categories if c.sale_or_sharing]
    lines = [
        "Hello,",
        "",
        f"Someone using {site} ({host}) told us they are under 13 and gave this address as the e-mail",
        "address of their parent or guardian. We collected this address only to ask for your consent.",
        "",
        "The law (the Children's Online Privacy Protection Act) requires a parent's consent before we",
        "collect personal information from a child under 13. Until you answer, we collect nothing",
        "optional from your child: only what keeps the site working.",
        "",
    ]
    # The direct notice names the purposes and the third parties (16 CFR 312.4(c), R45).
    if optional:
        lines.append("What we would like to collect, if you allow it, and why:")
        lines += [_purpose(c) for c in optional]
    if disclosed:
        lines.append("Separately, and only if you allow it, disclosure to third parties:")
        lines += [_purpose(c) for c in disclosed]
    lines += [
        "",
        "To see exactly what each part means, which companies receive it and how long cookies last,",
        f"and to allow or refuse each part, open this link. It works once, until {_date(expires)}:",
        "",
        link,
        "",
        "You will be asked to type this e-mail address again, to confirm it is yours.",
        "",
        "If you do not answer by then, the request lapses and nothing more happens. We do not store",
        "your e-mail address. If you do not know what this is about, you can ignore this message.",
    ]
    if policy.privacy_url:
        lines += ["", f"Our privacy policy: {policy.privacy_url}"]
    return f"{site}: your consent is asked for your child", "\n".join(lines) + "\n"


def confirmation_message(
    policy: Policy, host: str, link: str, choices: Mapping[str, bool], valid_until: datetime
) -> tuple[str, str]:
    """The subject and body of the confirmation, with the management link."""
    site = _site(policy, host)
    allowed = [c.label for c in policy.categories if not c.required and choices.get(c.id)]
    refused = [c.label for c in policy.categories if not c.required and not choices.get(c.id)]
    lines = [
        "Hello,",
        "",
        f"We recorded your decision about your child's use of {site} ({host}).",
        "",
        f"Allowed: {', '.join(allowed) if allowed else 'nothing optional'}.",
        f"Refused: {', '.join(refused) if refused else 'nothing'}.",
        "",
        "Keep this link. With it you can, at any time, review what we recorded, change your choices,",
        f"have your child's records deleted, or refuse any further collection (it works until {_date(valid_until)}):",
        "",
        link,
        "",
        "If you did not make this decision, open the link and refuse further collection.",
    ]
    return f"{site}: your choices for your child are recorded", "\n".join(lines) + "\n"


def renewal_message(policy: Policy, host: str, link: str, valid_until: datetime) -> tuple[str, str]:
    """The subject and body of a new management link, asked for from an expired one."""
    site = _site(policy, host)
    lines = [
        "Hello,",
        "",
        f"You asked for a new link to manage your child's use of {site} ({host}). With it you can review",
        "what we recorded, change your choices, have your child's records deleted, or refuse any further",
        f"collection (it works until {_date(valid_until)}):",
        "",
        link,
        "",
        "If you did not ask for it, you can ignore this message.",
    ]
    return f"{site}: a new link to manage your choices for your child", "\n".join(lines) + "\n"


__all__ = ["confirmation_message", "renewal_message", "request_message"]
