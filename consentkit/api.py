"""The consent API (contract section 2): ``GET state``, ``POST consent`` and
``POST opt-out``, the calls the widget and a site's own scripts make."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from starlette.responses import JSONResponse, RedirectResponse, Response

from . import gpp, rules
from .call import FORM, Call, ClientError, Handler, parse_json, refused, state_response
from .confirmation import ConfirmationError, Pending
from .state import AGE_BANDS, AgeBand, Source, iso

CLIENT_SOURCES: frozenset[str] = frozenset({"banner", "preferences", "api", "link"})
_CONSENT_KEYS = frozenset({"choices", "age_band", "source", "sale_opt_in", "gpc", "confirm", "services"})


class Confirm(NamedTuple):
    """A grant waiting for the visitor's confirmation: its token and what it turns on."""

    token: str
    categories: tuple[str, ...]


async def decide(
    call: Call, *, source: Source, given: Mapping[str, bool] | None = None, age_band: AgeBand | None = None,
    sale_opt_in: bool | None = None, services: Mapping[str, bool] | None = None,
) -> Confirm | None:
    """Apply a visitor's decision, or, when it turns on sale or sharing that needs a
    separate confirmation (``rules.needs_confirmation``), change nothing and answer
    the token of its confirmation."""
    kit, visit = call.kit, call.visit
    try:
        outcome = rules.decide(visit.policy, visit.choices, source=source, now=visit.now,
                               given=given, age_band=age_band, sale_opt_in=sale_opt_in, services=services)
    except rules.RuleError as exc:
        raise refused(exc) from None
    pending = rules.needs_confirmation(visit.policy, visit.choices, outcome, visit.now)
    if not pending:
        await visit.apply(outcome)
        return None
    if visit.brought is None:
        visit.dirty = True  # the token is bound to this visitor id: the cookie must keep it
    grant = Pending(dict(given) if given is not None else None, age_band, sale_opt_in, source, pending, visit.now,
                    dict(services) if services is not None else None)
    return Confirm(kit.confirmations.issue(visit.choices, grant), pending)


async def confirm(call: Call, token: object) -> Pending:
    """Apply the grant a confirmation token carries (the second step)."""
    kit, visit = call.kit, call.visit
    try:
        grant = kit.confirmations.redeem(token, visit.choices)
        outcome = rules.decide(visit.policy, visit.choices, source=grant.source, now=visit.now,
                               given=grant.given, age_band=grant.age_band, sale_opt_in=grant.sale_opt_in,
                               services=grant.services)
    except ConfirmationError as exc:
        raise ClientError(exc.status, str(exc)) from None
    except rules.RuleError as exc:
        raise refused(exc) from None
    await visit.apply(outcome, confirmed="two_step", requested_at=iso(grant.requested_at))
    return grant


def confirm_response(call: Call, pending: Confirm) -> JSONResponse:
    body = {"confirm": {"token": pending.token, "categories": list(pending.categories)},
            "state": call.visit.state.to_json()}
    return JSONResponse(body, status_code=202, headers={"Cache-Control": "no-store"})


async def get_state(call: Call) -> Response:
    return state_response(call)


def _consent_body(call: Call, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ClientError(400, "the body must be a JSON object")
    unknown = set(data) - _CONSENT_KEYS
    if unknown:
        raise ClientError(400, f"unknown key(s): {', '.join(sorted(map(str, unknown)))}")
    for key, value in data.items():
        if value is None:
            raise ClientError(400, f"{key} must not be null: leave it out instead")
    choices = data.get("choices")
    if choices is not None and (
        not isinstance(choices, dict) or not all(isinstance(v, bool) for v in choices.values())
    ):
        raise ClientError(400, "choices must be an object of category: true/false")
    services = data.get("services")
    if services is not None and (
        not isinstance(services, dict) or not all(isinstance(v, bool) for v in services.values())
    ):
        raise ClientError(400, "services must be an object of service: true/false")
    band = data.get("age_band")
    if band is not None and (band not in AGE_BANDS or band == "unknown"):
        raise ClientError(400, "age_band must be one of under_13, 13_15, 16_17, 18_plus, 16_plus")
    source = data.get("source", "api")
    if not isinstance(source, str) or not isinstance(band, str | None):
        raise ClientError(400, "source and age_band must be strings")
    if source not in CLIENT_SOURCES and not (source == "gpc" and data.get("gpc") is True):
        raise ClientError(400, f"source must be one of {', '.join(sorted(CLIENT_SOURCES))}")
    for flag in ("sale_opt_in", "gpc"):
        if flag in data and not isinstance(data[flag], bool):
            raise ClientError(400, f"{flag} must be true or false")
    if "confirm" in data and len(data) > 1:
        raise ClientError(400, "confirm goes alone: {\"confirm\": \"<token>\"}")
    return data


async def post_consent(call: Call) -> Response:
    data = _consent_body(call, await call.json())
    visit = call.visit
    if "confirm" in data:
        await confirm(call, data["confirm"])
        return state_response(call)
    if data.get("gpc") is True:
        # navigator.globalPrivacyControl, for browsers whose header was stripped.
        outcome = rules.evaluate(visit.policy, visit.choices, rules.Signals(gpc=True), visit.now)
        if outcome.decision is not None:
            await visit.apply(outcome)
    choices, band, opt_in = data.get("choices"), data.get("age_band"), data.get("sale_opt_in")
    services = data.get("services")
    if choices is not None or band is not None or opt_in is not None or services is not None:
        source: Source = data.get("source", "api") if data.get("source") != "gpc" else "api"
        pending = await decide(call, source=source, given=choices, age_band=band, sale_opt_in=opt_in,
                               services=services)
        if pending is not None:
            return confirm_response(call, pending)
    return state_response(call)


async def post_opt_out(call: Call) -> Response:
    media = call.media_type
    target = None
    if media == "application/json":
        data = parse_json(await call.body())
        if not isinstance(data, dict):
            raise ClientError(400, "the body must be a JSON object")
    elif media == FORM:
        target = (await call.form()).get("next")
    elif media or await call.body():
        raise ClientError(415, f"send application/json or {FORM}")
    visit = call.visit
    await visit.apply(rules.opt_out(visit.policy, visit.choices, source="link", now=visit.now))
    if media == FORM:
        default = f"{visit.prefix}/do-not-sell?done=1"
        return RedirectResponse(call.same_origin_path(target, default), status_code=303)
    return state_response(call)


async def get_gpp(call: Call) -> Response:
    """The visitor's GPP sections, decoded (what ``__gpp`` answers for getSection and
    getField, and ping's ``parsedSections``): the same fields the state's ``gpp`` string
    encodes."""
    visit = call.visit
    state = visit.state
    sections: dict[str, Any] = {}
    string, ids = gpp.for_visitor(visit.policy, state.categories, gpc=state.gpc, age_band=state.age_band,
                                  region=visit.policy.region, services=state.services, sections=sections)
    return JSONResponse({"gppString": string, "sectionList": list(ids), "sections": sections},
                        headers={"Cache-Control": "no-store"})


ROUTES: dict[tuple[str, str], Handler] = {
    ("GET", "state"): get_state,
    ("GET", "gpp"): get_gpp,
    ("POST", "consent"): post_consent,
    ("POST", "opt-out"): post_opt_out,
}
