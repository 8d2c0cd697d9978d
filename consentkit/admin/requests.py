"""Privacy requests (``consentkit.requests``) in the console: the open ones by
deadline (the overdue first), one request with its clocks and steps, and the staff's
actions on it (approve, deny, extend, done), each named after the console user who
took it and recorded in the ledger twice: as the request's step and as an admin
action. For operators only."""

from __future__ import annotations

from starlette.responses import RedirectResponse, Response

from ..mount import root_url
from ..requests import ACTIONS, REQUEST_TYPES, STATUSES, RequestError
from ..requests.model import PrivacyRequest
from .config import Role
from .page import AdminCall, Handler, Refused

_LISTS: dict[str, str | None] = {"open": "open", "closed": "closed", "all": None, **{s: s for s in STATUSES}}


async def get_requests(call: AdminCall) -> Response:
    desk = call.kit.requests
    shown = call.query.get("status", "open")
    if shown not in _LISTS:
        raise Refused(400, f"status is one of {', '.join(_LISTS)}")
    kind = call.query.get("type") or None
    if kind is not None and kind not in REQUEST_TYPES:
        raise Refused(400, f"type is one of {', '.join(REQUEST_TYPES)}")
    overdue = call.query.get("overdue") == "1"
    found = await desk.list(status=_LISTS[shown], type=kind, overdue=overdue, limit=200)
    metrics = await desk.metrics(desk.today().year)
    return call.render("requests.html", requests=found, today=desk.today(), shown=shown, kind=kind or "",
                       overdue=overdue, statuses=list(_LISTS), types=REQUEST_TYPES, metrics=metrics)


async def _request(call: AdminCall) -> PrivacyRequest:
    request = await call.kit.requests.get(call.tail)
    if request is None:
        raise Refused(404, "no such request")
    return request


async def get_request(call: AdminCall) -> Response:
    request = await _request(call)
    await call.audit("request_view", request=request.id)
    return call.render("request.html", request=request, today=call.kit.requests.today(), actions=ACTIONS,
                       done=call.query.get("done", ""))


async def post_request(call: AdminCall) -> Response:
    request = await _request(call)
    form = await call.form()
    action = form.get("action", "")
    if action not in ACTIONS:
        raise Refused(400, f"action is one of {', '.join(ACTIONS)}")
    assert call.user is not None
    base = f"{call.scope.get('scheme', 'http')}://{call.request.headers.get('host', 'localhost')}{root_url(call.scope)}"
    try:
        await call.kit.requests.transition(request.id, action, actor=f"admin:{call.user.name}",
                                           reason=form.get("reason", "")[:2000], base=base)
    except RequestError as exc:
        raise Refused(exc.status, str(exc)) from None
    await call.audit(f"request_{action}", request=request.id)
    return RedirectResponse(f"{call.url('requests/' + request.id)}?done={action}", status_code=303,
                            headers={"Cache-Control": "no-store"})


ROUTES: dict[tuple[str, str], tuple[Handler, Role]] = {
    ("GET", "requests"): (get_requests, "operator"),
    ("GET", "requests/*"): (get_request, "operator"),
    ("POST", "requests/*"): (post_request, "operator"),
}
