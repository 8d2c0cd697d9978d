"""A management link that has expired does not just stop working (COPPA 2025, R45):
it opens a page where the parent asks for a new one. The parent types the address
the request went to; if it matches the keyed hash kept with that request, a new link
to the same decision goes to that address, and nowhere else. The page answers the
same whether or not it matched, so it tells nobody whose address it is."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from starlette.responses import Response

from ..call import Call
from . import records
from .messages import renewal_message
from .notifiers import ParentMessage
from .render import failure, page
from .tokens import MANAGE_DAYS, Link, normal_email


def _form(call: Call, token: str, status: int = 410, **context: object) -> Response:
    return page(call, "parental_renew.html", status=status, action=f"{call.visit.prefix}/parental/{token}",
                csrf=call.kit.parental.tokens.form_token(token), **context)


async def show(call: Call, token: str, link: Link) -> Response:
    return _form(call, token)


async def renew(call: Call, token: str, link: Link) -> Response:
    kit = call.kit
    form = await call.form()
    if not kit.parental.tokens.form_valid(token, form.get("csrf_token")):
        return failure(call, 403, "this form has expired: open the link from the e-mail again")
    address = normal_email(form.get("parent_email"))
    if address is None:
        return _form(call, token, 400, problem="Please type the e-mail address our messages were sent to.")
    now = call.visit.now
    found = await records.history(kit, link.child_id)
    decision = found.managed_decision(link.id)
    request_id = decision.extra.get("request_id") if decision is not None else None
    hashes = [str(r.extra.get("email_hash", "")) for r in found.requests if r.extra.get("request_id") == request_id]
    if (hashes and hashes[0] and kit.parental.tokens.email_matches(address, hashes[0])
            and await records.address_allowed(kit, address, now)):
        url = records.link_url(call, kit.parental.tokens.link("manage", link.child_id, link.id))
        subject, body = renewal_message(kit.policy, urlsplit(url).netloc, url, now + timedelta(days=MANAGE_DAYS))
        await kit.notifier.send(ParentMessage(address, subject, body, now, link=url, kind="confirmation"))
        await records.count_address(kit, address, now)
    return _form(call, token, 202, sent=True)
