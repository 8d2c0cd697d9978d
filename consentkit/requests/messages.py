"""What a requester's e-mails say: the acknowledgment with the code, the extension
notice with its reason, and the answer. Plain text only, never the code's hash,
never another request's data."""

from __future__ import annotations

from datetime import date

from ..policy import Policy
from .model import PrivacyRequest

TYPE_LABELS = {
    "know_categories": "to know the categories of personal information we hold about you",
    "access": "to know the specific pieces of personal information we hold about you (a copy)",
    "delete": "to delete the personal information we hold about you",
    "correct": "to correct personal information we hold about you",
    "limit_sensitive": "to limit the use of your sensitive personal information",
}


def _site(policy: Policy) -> str:
    return policy.controller.name or "our website"


def _day(day: date) -> str:
    return day.strftime("%d %B %Y")


def acknowledgment(policy: Policy, request: PrivacyRequest, code: str, minutes: int) -> tuple[str, str]:
    site = _site(policy)
    lines = [
        "Hello,",
        "",
        f"{site} received a request {TYPE_LABELS[request.type]} (request {request.id}).",
        "",
        f"To confirm that the request is yours, enter this code on the request page within {minutes} minutes:",
        "",
        f"    {code}",
        "",
        f"We will answer by {_day(request.respond_by)}. If we need more time we will tell you why before then.",
        "If you did not make this request, ignore this message: nothing happens without the code.",
    ]
    if request.requester == "agent":
        lines += ["", "The request was made for you by an authorized agent. Entering the code confirms that you",
                  "gave them permission to act for you."]
    return f"{site}: confirm your privacy request", "\n".join(lines) + "\n"


def extension(policy: Policy, request: PrivacyRequest) -> tuple[str, str]:
    site = _site(policy)
    assert request.extended_to is not None
    body = (f"Hello,\n\n{site} needs more time to answer your request {request.id}.\n\nWhy: "
            f"{request.extension_reason}\n\nWe will answer by {_day(request.extended_to)}.\n")
    return f"{site}: more time for your privacy request", body


def answer(policy: Policy, request: PrivacyRequest, *, link: str = "", link_days: int = 0,
           summary: str = "") -> tuple[str, str]:
    site = _site(policy)
    lines = ["Hello,", ""]
    if request.status == "denied":
        lines += [f"{site} could not grant your request {request.id}.", "", f"Why: {request.reason}"]
    else:
        lines += [f"{site} has completed your request {request.id} {TYPE_LABELS[request.type]}."]
        if summary:
            lines += ["", summary]
        if link:
            lines += ["", f"Download your information here (the link works once, for {link_days} days):", "",
                      f"    {link}"]
    lines += ["", "The information you gave us to make and verify this request has now been deleted."]
    return f"{site}: your privacy request", "\n".join(lines) + "\n"


__all__ = ["TYPE_LABELS", "acknowledgment", "answer", "extension"]
