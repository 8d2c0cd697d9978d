"""``POST {prefix}/parental/request``: a child under 13 asks for a parent's consent.

The parent's address is used to send the message and for nothing else: the ledger
keeps a keyed hash of it (to check the address the parent types on the consent
page), the link names only the child's visitor id and the request id. The message
is sent before anything is recorded, so a failure to send changes nothing.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from starlette.responses import Response

from ..call import Call, ClientError, parse_json, state_response
from ..rules import view
from . import records
from .messages import request_message
from .notifiers import NotifierError, ParentMessage
from .render import failure, page, wants_html
from .tokens import normal_email

logger = logging.getLogger("consentkit.minors")

_FORM = "application/x-www-form-urlencoded"
_KEYS = frozenset({"parent_email", "next"})


async def _body(call: Call) -> dict[str, Any]:
    if call.media_type == "application/json":
        parsed = parse_json(await call.body())
        if not isinstance(parsed, dict):
            raise ClientError(400, "the body must be a JSON object")
        data: dict[str, Any] = parsed
    elif call.media_type == _FORM:
        data = dict(await call.form())
    else:
        raise ClientError(415, f"send the body as application/json or {_FORM}")
    unknown = set(data) - _KEYS
    if unknown:
        raise ClientError(400, f"unknown key(s): {', '.join(sorted(map(str, unknown)))}")
    if "parent_email" not in data:
        raise ClientError(400, "parent_email is missing")
    return data


async def post_request(call: Call) -> Response:
    html = call.media_type == _FORM and wants_html(call)
    try:
        return await _request(call, html)
    except ClientError as exc:
        if html:
            return failure(call, exc.status, exc.message)
        raise


async def _request(call: Call, html: bool) -> Response:
    data = await _body(call)
    kit, visit = call.kit, call.visit
    choices = visit.choices
    if choices.age_band != "under_13":
        raise ClientError(409, f"a parent's consent is asked only for a visitor under 13; this visitor's age band is "
                               f"{choices.age_band!r}")
    if choices.parental_consent == "granted":
        raise ClientError(409, "a parent has already given consent; they can change it through the link in their "
                               "confirmation e-mail")
    address = normal_email(data["parent_email"])
    if address is None:
        raise ClientError(400, "parent_email must be an e-mail address such as parent@example.com")
    child = choices.visitor_id
    found = await records.history(kit, child)
    now = visit.now
    if found.requests_since(now - timedelta(days=1)) >= records.MAX_REQUESTS_PER_DAY:
        raise ClientError(429, "too many requests to parents today; please try again tomorrow")
    hashed = kit.parental.tokens.email_hash(address)
    if not await records.address_allowed(kit, address, now):
        raise ClientError(429, "this address has received enough requests today; please try again tomorrow")
    request_id = records.new_id()
    link = records.link_url(call, kit.parental.tokens.link("request", child, request_id))
    expires = now + timedelta(days=records.link_days(kit))
    # The site's name in the message comes from the link (the notifier's site_url), not the Host header.
    subject, body = request_message(kit.policy, urlsplit(link).netloc, link, expires)
    try:
        await kit.notifier.send(ParentMessage(address, subject, body, now, link=link, kind="request"))
    except NotifierError as exc:
        raise ClientError(503, f"the message to the parent could not be sent ({exc}); please try again later") from None
    except Exception as exc:  # noqa: BLE001 - a site's own notifier failing is no client's error
        logger.warning("the notifier failed: %s", type(exc).__name__)
        raise ClientError(503, "the message to the parent could not be sent; please try again later") from None
    await records.count_address(kit, address, now)
    pending = choices.evolve(parental_consent="pending", parental_choices={}, updated_at=now)
    record = await records.append(
        kit,
        child_id=child,
        at=found.next_moment(now),
        kind="request",
        source="api",
        choices=view(visit.policy, pending, now).categories,
        parental_consent="pending",
        gpc=choices.gpc,
        user_agent=visit.headers.get("user-agent"),
        extra={"request_id": request_id, "email_hash": hashed},
    )
    visit.adopt(pending)
    visit.records.append(record)
    if html:
        target = data.get("next")
        back = call.same_origin_path(target if isinstance(target, str) else None, call.visit.root + "/")
        return page(call, "parental_sent.html", status=202, back=back, days=records.link_days(kit))
    return state_response(call, 202)
