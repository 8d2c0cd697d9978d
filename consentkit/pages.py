"""The pages that work without JavaScript (contract section 2): ``preferences``,
the widget's choices as a form, and ``do-not-sell``, one button and no account.

The preferences form carries a CSRF token: the visitor id, signed under the kit's
keys with a salt of its own (so a token is never a consent cookie, nor the reverse)
and the kit's clock, valid for ``csrf.FORM_TOKEN_SECONDS`` (``kit.preferences_form``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from starlette.responses import HTMLResponse, RedirectResponse, Response

from . import api, i18n, rules
from .assets import asset
from .call import Call, Handler
from .catalogue import catalogue
from .kit import ConsentKit
from .rendering import templates

CSRF_FIELD = "csrf_token"
# Our pages run no script at all: say so to the browser.
_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; form-action 'self'; "
                               "base-uri 'none'; frame-ancestors 'self'",
    "Referrer-Policy": "same-origin",
}


def csrf_token(kit: ConsentKit, visitor_id: str) -> str:
    """A token for this visitor's preferences form."""
    return kit.preferences_form.token(visitor_id)


def csrf_valid(kit: ConsentKit, visitor_id: str, token: str | None) -> bool:
    """Whether ``token`` was made for this visitor, under a current key, recently."""
    return kit.preferences_form.valid(visitor_id, token)


def _page(call: Call, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    policy = call.visit.policy
    lang = _language(call)
    css = asset("widget.css")
    html = templates().get_template(template).render(
        lang=lang,
        t=i18n.texts(lang, policy.texts),
        prefix=call.visit.prefix,
        css_version=css.version if css else "0",
        has_sale=bool(policy.sale_or_sharing_ids),
        state=call.visit.state,
        **context,
    )
    headers = {**_PAGE_HEADERS, "Content-Language": lang}
    return HTMLResponse(html, status_code=status, headers=headers)


def _language(call: Call) -> str:
    policy = call.visit.policy
    return i18n.negotiate(call.visit.headers.get("accept-language"), policy.texts, policy.language)


# A service's box in the form: "service.<id>", after a hidden "0" of the same name, so
# that an unticked box still says "no" (the last value of a name wins) and a form
# without service boxes (an older page, a script) leaves services alone.
SERVICE_FIELD = "service."


def _categories(call: Call) -> list[dict[str, Any]]:
    state = call.visit.state
    return [
        {**c, "checked": c["required"] or state.allows(c["id"]),
         "services": [{**s, "checked": c["required"] or state.allows(s["id"])} for s in c["services"]]}
        for c in catalogue(call.visit.policy, _language(call))
    ]


def _focus(call: Call, categories: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The service a click-to-load placeholder's link asks about (``?service=<id>``),
    with its category's label, or None."""
    wanted = call.query.get("service")
    for category in categories:
        for service in category["services"]:
            if service["id"] == wanted and not category["required"]:
                return {**service, "name": service["name"] or service["id"], "category": category["label"]}
    return None


async def get_preferences(call: Call) -> Response:
    visit = call.visit
    if visit.brought is None:
        # The token is bound to the visitor id: a new visitor must keep theirs until the POST.
        visit.dirty = True
    asked = call.query.get("next")
    back = call.same_origin_path(asked, call.visit.root + "/")
    minor = visit.policy.minor_rule(visit.state.age_band) == "opt_in"
    categories = _categories(call)
    return _page(
        call,
        "preferences.html",
        categories=categories,
        focus=_focus(call, categories),
        token=csrf_token(call.kit, visit.choices.visitor_id),
        back=back,
        # Without a page to return to, the POST comes back here to say it saved.
        next=back if asked else "",
        saved=call.query.get("saved") == "1",
        minor=minor,
        minor_confirm=minor and visit.state.sale_opt_in,
    )


def _services_given(form: Mapping[str, str], call: Call, given: Mapping[str, bool]) -> dict[str, bool] | None:
    """The services whose box says otherwise than their category's (a category decided
    replaces its services' own values: only the exceptions need saying)."""
    if form.get("all") in ("accept", "reject"):
        return None
    out = {}
    for category in call.visit.policy.categories:
        if category.required:
            continue
        for service in category.services:
            value = form.get(SERVICE_FIELD + service.id)
            if value is not None and (value == "1") != given.get(category.id, False):
                out[service.id] = value == "1"
    return out or None


def _given(form: Mapping[str, str], call: Call) -> tuple[dict[str, bool], bool]:
    """The choices the form makes, and whether a 13-15-year-old opted in to sale."""
    policy, state = call.visit.policy, call.visit.state
    minor = policy.minor_rule(state.age_band) == "opt_in"
    kept = minor or rules.in_reprompt_window(call.visit.choices, call.visit.now)
    everything = form.get("all")
    given: dict[str, bool] = {}
    opt_in = False
    for category in policy.categories:
        if category.required:
            continue
        if everything in ("accept", "reject"):
            value = everything == "accept"
            if value and kept and category.sale_or_sharing:
                # An opt-in to sale (a minor's, or after an opt-out) is its own tick of its
                # own box, then a confirmation; never "accept all".
                value = state.allows(category.id)
        else:
            # An unchecked box is not sent: it means "no".
            value = category.id in form
            opt_in = opt_in or (minor and category.sale_or_sharing and value)
        given[category.id] = value
    return given, opt_in


async def post_preferences(call: Call) -> Response:
    form = await call.form()
    kit, visit = call.kit, call.visit
    if not csrf_valid(kit, visit.choices.visitor_id, form.get(CSRF_FIELD)):
        return _page(call, "error.html", status=403, message_key="page.forbidden")
    pending = None
    if "confirm" in form:
        # The second step of an opt-in to sale or sharing (contract section 8).
        grant = await api.confirm(call, form["confirm"])
        opt_in = visit.policy.minor_rule(visit.state.age_band) == "opt_in" and bool(grant.categories)
    elif "service" in form:
        # "Always allow <service>" from a click-to-load placeholder: that service alone.
        pending = await api.decide(call, source="preferences", services={str(form["service"]): True})
        opt_in = False
    else:
        given, opt_in = _given(form, call)
        pending = await api.decide(call, source="preferences", given=given, sale_opt_in=True if opt_in else None,
                                   services=_services_given(form, call, given))
    if pending is not None:
        policy = visit.policy
        return _page(
            call, "confirm.html",
            token=csrf_token(kit, visit.choices.visitor_id), confirm=pending.token,
            labels=[policy.category(cid).label_in(_language(call), policy.language) for cid in pending.categories],
            minor=policy.minor_rule(visit.state.age_band) == "opt_in",
            # Carried to the confirming POST: only a path on this site, like every next.
            next=call.same_origin_path(form.get("next"), ""),
        )
    own_page = f"{visit.prefix}/preferences?saved=1"
    target = call.same_origin_path(form.get("next"), own_page)
    if opt_in and target != own_page:
        # The confirmation that they can opt out at any time must be seen: show it first.
        target = f"{own_page}&next={quote(target, safe='/')}"
    return RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})


async def get_do_not_sell(call: Call) -> Response:
    state = call.visit.state
    return _page(
        call,
        "do_not_sell.html",
        # Only a request the visitor made is "honored" (R4): not sale kept off by opt_in
        # mode or for a minor, not a "?done=1" typed into the address bar.
        honored=state.sale_opt_out and rules.opted_out(call.kit.policy, call.visit.choices),
        next=call.same_origin_path(call.query.get("next"), call.visit.root + "/"),
    )


ROUTES: dict[tuple[str, str], Handler] = {
    ("GET", "preferences"): get_preferences,
    ("POST", "preferences"): post_preferences,
    ("GET", "do-not-sell"): get_do_not_sell,
}


__all__ = ["CSRF_FIELD", "ROUTES", "SERVICE_FIELD", "csrf_token", "csrf_valid"]
