"""The privacy requests' routes, for the routing table (contract §8):

- ``GET {prefix}/requests``: the request page (a form; no script, no account);
- ``POST {prefix}/requests``: JSON or form; 202 with the id and the deadlines, and
  a code sent to the contact;
- ``GET {prefix}/requests/{id}``: the request's status (no personal data);
- ``POST {prefix}/requests/verify/{id}``: the code (and, where needed, the signed
  declaration); ``POST {prefix}/requests/resend/{id}``: a new code;
- ``GET, POST {prefix}/requests/download/{token}``: the answer's package, once (the
  GET is a page with a button, so that a mail scanner following the link does not
  spend it).

A browser's form gets HTML (the page again with the error, its status kept); a
script gets JSON and the contract's ``{"error": ...}``. Forms carry a CSRF token.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from ..call import Call, ClientError, Handler, parse_json
from ..csrf import CsrfGuard
from ..minors.render import json_no_store, page, wants_html
from ..record_limit import RecordLimitExceeded
from .desk import Intake
from .messages import TYPE_LABELS
from .model import REQUEST_TYPES, REQUESTERS, PrivacyRequest, RequestError, as_requester, as_type
from .verification import DECLARATION, Answer

FORM = "application/x-www-form-urlencoded"
CSRF_SALT = "consentkit.requests.csrf.v1"
_INTAKE_KEYS = frozenset({"type", "contact", "requester", "name", "agent_name", "child_name", "permission",
                          "correction", "sensitive"})
_VERIFY_KEYS = frozenset({"code", "declaration"})
_FLAGS = frozenset({"permission", "sensitive", "declaration"})
REQUESTER_LABELS = {"consumer": "I am asking for myself",
                    "agent": "I am an authorized agent acting with the consumer's signed permission",
                    "parent": "I am the parent or guardian of a child the request is about"}


def _guard(call: Call) -> CsrfGuard:
    return CsrfGuard(call.kit.codec, CSRF_SALT)


async def _fields(call: Call, allowed: frozenset[str]) -> tuple[dict[str, Any], bool]:
    """The posted fields and whether they came from a browser's form."""
    if not call.media_type and not await call.body():
        return {}, False  # a bare POST (resend needs no body)
    if call.media_type == "application/json":
        parsed = parse_json(await call.body())
        if not isinstance(parsed, dict):
            raise ClientError(400, "the body must be a JSON object")
        unknown = set(parsed) - allowed
        if unknown:
            raise ClientError(400, f"unknown key(s): {', '.join(sorted(map(str, unknown)))[:200]}")
        for key, value in parsed.items():
            wanted = bool if key in _FLAGS else str
            if not isinstance(value, wanted):
                raise ClientError(400, f"{key} must be {'true or false' if wanted is bool else 'a string'}")
        return dict(parsed), False
    if call.media_type == FORM:
        form = await call.form()
        data: dict[str, Any] = {k: v for k, v in form.items() if k in allowed}
        for flag in _FLAGS & allowed:
            data[flag] = form.get(flag) in ("1", "on", "true", "yes")
        data["csrf_token"] = form.get("csrf_token")
        return data, True
    raise ClientError(415, f"send the body as application/json or {FORM}")


def _limit(call: Call) -> None:
    limit = call.kit.requests.client_limit
    client = call.scope.get("client")
    if limit is not None and not limit.allow(client[0] if client else None):
        raise RecordLimitExceeded("too many privacy requests from this address; please try again in a few minutes")


def _base(call: Call) -> str:
    """The request's own origin and root: for the development outbox's links only (a
    notifier that delivers has a ``site_url``, which the links use instead)."""
    host = call.visit.headers.get("host", "") or "localhost"
    return f"{call.scope.get('scheme', 'http')}://{host}{call.visit.root}"


def status_json(call: Call, request: PrivacyRequest) -> dict[str, Any]:
    """What anyone holding a request's id may see: no contact, no details."""
    verifier = call.kit.requests.verifier
    body: dict[str, Any] = {
        "id": request.id, "type": request.type, "requester": request.requester, "status": request.status,
        "received_at": request.received_at.isoformat(), "acknowledge_by": request.acknowledge_by.isoformat(),
        "respond_by": request.respond_by.isoformat(),
        "extended_to": request.extended_to.isoformat() if request.extended_to else None,
        "due": request.due.isoformat(),
    }
    if request.status == "received":
        body["verify"] = f"{call.visit.prefix}/requests/verify/{request.id}"
        body["declaration_required"] = verifier.needs_declaration(request)
    if request.status == "denied":
        body["reason"] = request.reason
    return body


def _form_page(call: Call, status: int = 200, error: str = "", values: Mapping[str, Any] | None = None) -> Response:
    visit = call.visit
    if visit.brought is None:
        visit.dirty = True  # the form's token is bound to the visitor id: keep it until the POST
    return page(call, "requests.html", status=status, error=error, values=values or {},
                types=[(t, TYPE_LABELS[t]) for t in REQUEST_TYPES],
                requesters=[(r, REQUESTER_LABELS[r]) for r in REQUESTERS],
                token=_guard(call).token(visit.choices.visitor_id))


def _status_page(call: Call, request: PrivacyRequest, status: int = 200, error: str = "") -> Response:
    verifier = call.kit.requests.verifier
    return page(call, "requests_status.html", status=status, error=error, request=request,
                label=TYPE_LABELS[request.type], declaration=DECLARATION,
                needs_declaration=request.status == "received" and verifier.needs_declaration(request),
                token=_guard(call).token(request.id))


async def get_requests(call: Call) -> Response:
    # A link may choose the type and who asks (the parent's page links ?requester=parent).
    chosen = {key: call.query[key] for key, known in (("type", REQUEST_TYPES), ("requester", REQUESTERS))
              if call.query.get(key) in known}
    return _form_page(call, values=chosen)


async def post_requests(call: Call) -> Response:
    data, html = await _fields(call, _INTAKE_KEYS)
    if html and not _guard(call).valid(call.visit.choices.visitor_id, data.get("csrf_token")):
        return _form_page(call, 403, "the form has expired; please send it again", data)
    try:
        _limit(call)
        kind, requester = as_type(data.get("type")), as_requester(data.get("requester", "consumer"))
        if kind is None:
            raise RequestError(f"type must be one of {', '.join(REQUEST_TYPES)} (to opt out of sale or sharing, "
                               f"use {call.visit.prefix}/do-not-sell: it needs no request)")
        if requester is None:
            raise RequestError(f"requester must be one of {', '.join(REQUESTERS)}")
        if "contact" not in data:
            raise RequestError("contact is missing: the e-mail address the code and the answer go to")
        intake = Intake(kind, data["contact"], requester, name=data.get("name", ""),
                        agent_name=data.get("agent_name", ""), child_name=data.get("child_name", ""),
                        permission=bool(data.get("permission")), correction=data.get("correction", ""),
                        sensitive=bool(data.get("sensitive")))
        visitor = call.visit.choices.visitor_id if call.visit.brought is not None else None
        request = await call.kit.requests.submit(intake, visitor_id=visitor)
    except (RequestError, RecordLimitExceeded) as exc:
        status, message = (exc.status, exc.message) if isinstance(exc, RequestError) else (429, str(exc))
        if html:
            return _form_page(call, status, message, data)
        if isinstance(exc, RecordLimitExceeded):
            raise
        raise ClientError(status, message) from None
    if html:
        return _status_page(call, request, 202)
    return json_no_store(status_json(call, request), 202)


async def get_request(call: Call) -> Response:
    request = await call.kit.requests.get(call.tail) if "/" not in call.tail else None
    if request is None:
        raise ClientError(404, "no such request")
    if wants_html(call):
        return _status_page(call, request)
    return json_no_store(status_json(call, request))


async def post_verify(call: Call) -> Response:
    return await _answer(call, "verify")


async def post_resend(call: Call) -> Response:
    return await _answer(call, "resend")


async def _answer(call: Call, action: str) -> Response:
    data, html = await _fields(call, _VERIFY_KEYS if action == "verify" else frozenset())
    desk = call.kit.requests
    request = await desk.get(call.tail)
    if request is None:
        raise ClientError(404, "no such request")
    if html and not _guard(call).valid(request.id, data.get("csrf_token")):
        return _status_page(call, request, 403, "the form has expired; please send it again")
    try:
        _limit(call)
        if action == "resend":
            request = await desk.resend(request.id)
        else:
            answer = Answer(code=str(data.get("code", "")), declaration=bool(data.get("declaration")))
            request = await desk.verify(request.id, answer, base=_base(call))
    except (RequestError, RecordLimitExceeded) as exc:
        status, message = (exc.status, exc.message) if isinstance(exc, RequestError) else (429, str(exc))
        if html:
            return _status_page(call, await desk.get(request.id) or request, status, message)
        if isinstance(exc, RecordLimitExceeded):
            raise
        raise ClientError(status, message) from None
    if html:
        return _status_page(call, request)
    return json_no_store(status_json(call, request))


async def get_download(call: Call) -> Response:
    return page(call, "requests_download.html", token=call.tail)


async def post_download(call: Call) -> Response:
    data = await call.kit.requests.download(call.tail)
    if data is None:
        raise ClientError(404, "this download link is not valid: it may have expired or been used already")
    return Response(data, media_type="application/zip", headers={
        "Content-Disposition": 'attachment; filename="personal-information.zip"', "Cache-Control": "no-store"})


ROUTES: dict[tuple[str, str], Handler] = {
    ("GET", "requests"): get_requests,
    ("POST", "requests"): post_requests,
    ("GET", "requests/*"): get_request,
    ("POST", "requests/verify/*"): post_verify,
    ("POST", "requests/resend/*"): post_resend,
    ("GET", "requests/download/*"): get_download,
    ("POST", "requests/download/*"): post_download,
}

__all__ = ["ROUTES", "status_json"]
