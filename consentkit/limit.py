"""The "Limit the Use of My Sensitive Personal Information" page and action (Civ.
Code 1798.121, 11 CCR 7027; contract section 8): ``GET limit`` is a page with one
button that works without JavaScript, ``POST limit`` (JSON, or the page's form with
its CSRF token) turns every category and service marked ``sensitive`` off at once, and
records it. Like "Do Not Sell": no account, nothing asked but the request itself."""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import RedirectResponse, Response

from . import rules
from .call import FORM, Call, ClientError, Handler, parse_json, state_response
from .pages import CSRF_FIELD, _page, csrf_token, csrf_valid


async def get_limit(call: Call) -> Response:
    visit = call.visit
    if visit.brought is None:
        visit.dirty = True  # the form's token is bound to this visitor id: the cookie must keep it
    return _page(
        call, "limit.html",
        has_sensitive=visit.policy.has_sensitive,
        token=csrf_token(call.kit, visit.choices.visitor_id),
        next=call.same_origin_path(call.query.get("next"), visit.root + "/"),
    )


async def post_limit(call: Call) -> Response:
    media = call.media_type
    visit = call.visit
    target = None
    if media == "application/json":
        data = parse_json(await call.body())
        if not isinstance(data, dict) or data:
            raise ClientError(400, "send an empty JSON object: {}")
    elif media == FORM:
        form = await call.form()
        token = form.get(CSRF_FIELD)
        # A browser that keeps no cookie comes back as a new visitor: its page's token,
        # made for the id it did not keep, is still this site's (a limit only protects,
        # like an opt-out; a cross-site post is refused by its Origin before this).
        cookieless = visit.brought is None and call.kit.preferences_form.subject(token) is not None
        if not (cookieless or csrf_valid(call.kit, visit.choices.visitor_id, token)):
            return _page(call, "error.html", status=403, message_key="page.forbidden")
        target = form.get("next")
    elif media or await call.body():
        raise ClientError(415, f"send application/json or {FORM}")
    if visit.policy.has_sensitive:
        await visit.apply(rules.limit(visit.policy, visit.choices, source="link", now=visit.now), action="limit")
    if media == FORM:
        back = call.same_origin_path(target, visit.root + "/")
        done = f"{visit.prefix}/limit?next={quote(back, safe='/')}"
        return RedirectResponse(done, status_code=303, headers={"Cache-Control": "no-store"})
    return state_response(call)


ROUTES: dict[tuple[str, str], Handler] = {
    ("GET", "limit"): get_limit,
    ("POST", "limit"): post_limit,
}
