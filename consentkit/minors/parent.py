"""The parent's consent page, opened through the link in the request message.

It says what the site would collect and why, and lets the parent grant or refuse
collection per category and, separately, disclosure to third parties (the
``sale_or_sharing`` categories, 16 CFR 312.5(a)(2)). The decision is recorded for
the child, naming the verifier's method, and answers with the management page.
A link is good for one decision: after it, or after any other decision by the
parent, it is a 404 like a forged one.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from starlette.responses import RedirectResponse, Response

from ..call import Call
from ..catalogue import catalogue
from ..kit import ConsentKit
from . import records
from .history import ParentalRequest
from .messages import confirmation_message
from .notifiers import ParentMessage
from .render import failure, not_found, page
from .tokens import MANAGE_DAYS, Link, normal_email
from .verifiers import ParentPost

logger = logging.getLogger("consentkit.minors")


def _form_page(call: Call, token: str, request: ParentalRequest, status: int = 200, **context: Any) -> Response:
    kit = call.kit
    categories = catalogue(kit.policy)
    return page(
        call,
        "parental_consent.html",
        status=status,
        action=f"{call.visit.prefix}/parental/{token}",
        csrf=kit.parental.tokens.form_token(token),
        collected=[c for c in categories if not c["sale_or_sharing"]],
        disclosed=[c for c in categories if c["sale_or_sharing"]],
        verifier_fields=getattr(kit.parental_verifier, "fields", ()),
        expires=request.at + timedelta(days=records.link_days(kit)),
        privacy_url=kit.policy.privacy_url,
        disclosure_needs=records.disclosure_needs(kit),
        **context,
    )


def _sent_to(kit: ConsentKit, request: ParentalRequest, address: str) -> bool:
    """Whether the request was sent to this address (by its keyed hash)."""
    return bool(request.email_hash) and kit.parental.tokens.email_matches(address, request.email_hash)


async def _open_request(call: Call, link: Link) -> ParentalRequest | None:
    found = await records.history(call.kit, link.child_id)
    request = found.open_request(link.id)
    return request if request is not None and request.child_id == link.child_id else None


async def show(call: Call, token: str, link: Link) -> Response:
    request = await _open_request(call, link)
    if request is None:
        return not_found(call)
    return _form_page(call, token, request)


async def decide(call: Call, token: str, link: Link) -> Response:
    kit, visit = call.kit, call.visit
    form = await call.form()
    async with kit.parental.lock:
        found = await records.history(kit, link.child_id)
        request = found.open_request(link.id)
        if request is None or request.child_id != link.child_id:
            return not_found(call)
        if not kit.parental.tokens.form_valid(token, form.get("csrf_token")):
            return failure(call, 403, "this form has expired: open the link from the e-mail again")
        verifier = kit.parental_verifier
        try:
            post = ParentPost(form, visit.headers, lambda address: _sent_to(kit, request, address))
            verified = await verifier.verify(post, request)
        except Exception as exc:  # noqa: BLE001 - a site's verifier failing must not pass the parent, nor crash
            logger.warning("the parental verifier failed: %s", type(exc).__name__)
            verified = False
        if not verified:
            return _form_page(
                call, token, request, status=403,
                problem="We could not verify you: please type the e-mail address this request was sent to.",
            )
        grants = records.grants(kit, form)
        management_id = records.new_id()
        await records.append(
            kit,
            child_id=link.child_id,
            at=found.next_moment(visit.now),
            kind="decision",
            source="parent",
            choices=grants,
            parental_consent=records.status_of(grants, kit),
            gpc=request.gpc,
            user_agent=visit.headers.get("user-agent"),
            verification=str(verifier.method),
            extra={"request_id": request.request_id, "management_id": management_id},
        )
    manage_token = kit.parental.tokens.link("manage", link.child_id, management_id)
    manage_url = records.link_url(call, manage_token)
    mailed = await _confirm(call, form.get("parent_email"), request, manage_url, grants)
    path = urlsplit(manage_url).path
    return RedirectResponse(f"{path}?done=decided&mailed={int(mailed)}", status_code=303,
                            headers={"Cache-Control": "no-store", "Referrer-Policy": "same-origin"})


async def _confirm(
    call: Call, typed: str | None, request: ParentalRequest, manage_url: str, grants: dict[str, bool]
) -> bool:
    """Send the confirmation to the address the parent typed, if it is the one the
    request went to (whatever verifier is in use); whether it was sent."""
    kit = call.kit
    address = normal_email(typed)
    if address is None or not _sent_to(kit, request, address):
        return False
    now = call.visit.now
    subject, body = confirmation_message(
        kit.policy, urlsplit(manage_url).netloc, manage_url, grants, now + timedelta(days=MANAGE_DAYS)
    )
    try:
        await kit.notifier.send(ParentMessage(address, subject, body, now, link=manage_url, kind="confirmation"))
    except Exception as exc:  # noqa: BLE001 - the decision stands; the page shows the link instead
        logger.warning("the parent's confirmation could not be sent: %s", type(exc).__name__)
        return False
    return True
