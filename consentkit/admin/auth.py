"""Who is asking: the session of a built-in account, or the site's own callback;
and the login and logout pages of the built-in accounts."""

from __future__ import annotations

import inspect
from urllib.parse import quote

from starlette.responses import RedirectResponse, Response

from .config import AdminUser
from .page import CSRF_FIELD, AdminCall, Refused

LOGIN_COOKIE = "consentkit_admin_login"


def session_cookie_name(call: AdminCall) -> str:
    return "__Host-consentkit-admin" if _https(call) else "consentkit_admin"


def _https(call: AdminCall) -> bool:
    return call.scope.get("scheme") == "https"


def _cookie(call: AdminCall, response: Response, name: str, value: str, max_age: int | None) -> None:
    https = _https(call)
    response.set_cookie(
        name, value, max_age=max_age, path="/" if https else call.base, secure=https,
        httponly=True, samesite="strict",
    )


async def identify(call: AdminCall) -> AdminUser | None:
    """The user making this request, or None. A session whose account is gone from
    the accounts file is no session; the role is the file's as it is now."""
    admin = call.admin
    if admin.authenticate is not None:
        found = admin.authenticate(call.request)
        if inspect.isawaitable(found):
            found = await found
        return found if isinstance(found, AdminUser) else None
    assert admin.accounts is not None
    now = call.now.timestamp()
    session = call.console.sessions.read(call.request.cookies.get(session_cookie_name(call)), now)
    if session is None:
        return None
    account = admin.accounts.get(session.name)
    if account is None:
        return None
    call.session = session
    return AdminUser(account.name, account.role)  # type: ignore[arg-type]


def refresh(call: AdminCall, response: Response) -> None:
    """Renew the session's timestamp (it lapses after session_minutes idle)."""
    session = call.session
    if session is not None and call.console.sessions.wants_refresh(session, call.now.timestamp()):
        value = call.console.sessions.issue(session.name, call.now.timestamp(), sid=session.sid, began=session.began)
        _cookie(call, response, session_cookie_name(call), value, call.admin.session_max_seconds)


def unauthenticated(call: AdminCall) -> Response:
    """401, or for a browser's GET a 303 to the login page (with the way back)."""
    login = call.url("login") if call.admin.accounts is not None else call.admin.login_url
    if call.method in ("GET", "HEAD") and login is not None:
        target = call.scope["path"]
        return RedirectResponse(f"{login}?next={quote(target)}", status_code=303, headers={"Cache-Control": "no-store"})
    return Response("authentication required\n", status_code=401, media_type="text/plain",
                    headers={"Cache-Control": "no-store", "WWW-Authenticate": 'Cookie realm="consentkit admin"'})


def _next(call: AdminCall, asked: str | None) -> str:
    """Where to go after signing in: a page of the console, never elsewhere."""
    home = call.url("")
    if not asked or len(asked) > 1024 or not asked.startswith(call.base + "/") or "\\" in asked:
        return home
    if any(ord(c) < 0x21 for c in asked) or "//" in asked or "/../" in asked:
        return home
    return asked


def _login_page(call: AdminCall, status: int = 200, message: str | None = None, name: str = "") -> Response:
    sessions = call.console.sessions
    nonce = sessions.login_nonce()
    response = call.render(
        "login.html", status, message=message, name=name, token=sessions.login_token(nonce),
        next=_next(call, call.query.get("next")),
    )
    _cookie(call, response, LOGIN_COOKIE, nonce, 1800)
    return response


async def get_login(call: AdminCall) -> Response:
    if call.admin.accounts is None:
        raise Refused(404, "this console signs in through the site")
    return _login_page(call)


async def post_login(call: AdminCall) -> Response:
    admin = call.admin
    if admin.accounts is None:
        raise Refused(404, "this console signs in through the site")
    form = await call.form()
    sessions = call.console.sessions
    if not sessions.login_valid(call.request.cookies.get(LOGIN_COOKIE), form.get(CSRF_FIELD)):
        return _login_page(call, 403, call.t("login.expired"))
    name = form.get("name", "").strip()[:64]
    now = call.now.timestamp()
    client = (call.scope.get("client") or ("", 0))[0]
    if not admin.throttle.client_allowed(client, now):
        return _login_page(call, 429, call.t("login.throttled"), name)
    if admin.throttle.locked(name, now):
        await call.audit("login_locked", user=name if admin.accounts.get(name) else "")
        return _login_page(call, 429, call.t("login.locked"), name)
    account = admin.accounts.check_password(name, form.get("password", "")[:1024])
    if account is None or not admin.accounts.check_code(account, form.get("code", "")[:16], call.now):
        admin.throttle.failed(name, now)
        # The name only when it is an account's: a password typed in the wrong field stays out of the ledger.
        await call.audit("login_failed", user=name if admin.accounts.get(name) else "")
        return _login_page(call, 401, call.t("login.failed"), name)
    admin.throttle.succeeded(name)
    call.user = AdminUser(account.name, account.role)  # type: ignore[arg-type]
    await call.audit("login", totp=account.totp_secret is not None)
    response = RedirectResponse(_next(call, form.get("next")), status_code=303, headers={"Cache-Control": "no-store"})
    _cookie(call, response, session_cookie_name(call), sessions.issue(account.name, now), admin.session_max_seconds)
    response.delete_cookie(LOGIN_COOKIE, path="/" if _https(call) else call.base)
    return response


async def post_logout(call: AdminCall) -> Response:
    if call.session is not None:
        call.console.sessions.revoke(call.session, call.now.timestamp())
    await call.audit("logout")
    target = call.url("login") if call.admin.accounts is not None else (call.admin.login_url or "/")
    response = RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})
    https = _https(call)
    response.delete_cookie(session_cookie_name(call), path="/" if https else call.base, secure=https,
                           httponly=True, samesite="strict")
    return response
