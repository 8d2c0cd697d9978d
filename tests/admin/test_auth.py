"""Nothing of the console without authentication (CONTRACT §8); built-in accounts
(Argon2, TOTP), sessions, CSRF, lockout, roles, the site's own callback, and every
admin action in the ledger."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from starlette.requests import Request

from consentkit import Admin, AdminUser
from consentkit.admin import console
from consentkit.admin.accounts import AccountError, Accounts, create_user
from consentkit.admin.throttle import CLIENT_ATTEMPTS, CLIENT_WINDOW, LoginThrottle

from .console import ADMIN_PATH, PASSWORD, accounts, admin, audit_trail, client, login, token, totp_code

pytestmark = pytest.mark.anyio


def every_console_path() -> list[tuple[str, str]]:
    """Each route of the console (a wildcard filled in), its assets, and paths it does not have."""
    paths = []
    for method, name in console.ROUTES:
        name = name.replace("*", "admin.css" if name.startswith("static/") else "x")
        paths.append((method, f"{ADMIN_PATH}/{name}"))
    paths += [("GET", ADMIN_PATH), ("GET", f"{ADMIN_PATH}/static/admin.js"), ("GET", f"{ADMIN_PATH}/nope"),
              ("POST", f"{ADMIN_PATH}/nope"), ("DELETE", f"{ADMIN_PATH}/"), ("HEAD", f"{ADMIN_PATH}/")]
    return sorted(set(paths))


@pytest.mark.parametrize(("method", "path"), every_console_path())
async def test_nothing_without_authentication(make_kit, tmp_path, method, path):
    kit = make_kit(admin=admin(accounts(tmp_path)[0]))
    async with client(kit) as http:
        response = await http.request(method, path, data={"csrf": "x"} if method == "POST" else None)
    if method in ("GET", "HEAD"):
        assert response.status_code == 303
        assert response.headers["location"].startswith(f"{ADMIN_PATH}/login?next=")
    else:
        assert response.status_code == 401
    assert "set-cookie" not in response.headers  # no consent cookie, no session
    assert b"ck-admin" not in response.content


@pytest.mark.parametrize(("method", "path"), every_console_path())
async def test_callback_console_answers_401(make_kit, method, path):
    kit = make_kit(admin=Admin(authenticate=lambda request: None))
    async with client(kit) as http:
        response = await http.request(method, path)
    assert response.status_code == 401


async def test_login_then_dashboard_then_logout(make_kit, tmp_path, clock):
    kit = make_kit(admin=admin(accounts(tmp_path)[0]))
    async with client(kit) as http:
        response = await login(http, "ana")
        assert response.status_code == 303
        assert response.headers["location"] == f"{ADMIN_PATH}/"
        cookie = response.headers["set-cookie"]
        assert "consentkit_admin=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
        assert f"Path={ADMIN_PATH}" in cookie
        page = await http.get(f"{ADMIN_PATH}/")
        assert page.status_code == 200
        assert "ana" in page.text
        csp = page.headers["content-security-policy"]
        assert "script-src 'nonce-" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert page.headers["cache-control"] == "no-store"
        css = await http.get(f"{ADMIN_PATH}/static/admin.css")
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
        stolen = http.cookies.get("consentkit_admin")
        clock.advance(seconds=1)
        out = await http.post(f"{ADMIN_PATH}/logout", data={"csrf": token(page.text)})
        assert out.status_code == 303 and out.headers["location"] == f"{ADMIN_PATH}/login"
        assert (await http.get(f"{ADMIN_PATH}/")).status_code == 303
    # The session's cookie, kept by an attacker, is dead after the logout.
    async with client(kit) as other:
        other.cookies.set("consentkit_admin", stolen)
        assert (await other.get(f"{ADMIN_PATH}/")).status_code == 303
    actions = [(r.extra["user"], r.extra["action"]) for r in await audit_trail(kit)]
    assert actions == [("ana", "login"), ("ana", "logout")]
    assert all(r.kind == "admin" for r in await audit_trail(kit))


async def test_https_session_cookie_is_host_prefixed(make_kit, tmp_path):
    kit = make_kit(admin=admin(accounts(tmp_path)[0]))
    async with client(kit, "https://testserver") as http:
        response = await login(http, "olga")
    cookie = [c for c in response.headers.get_list("set-cookie") if c.startswith("__Host-consentkit-admin=")]
    assert cookie and "Secure" in cookie[0] and "Path=/;" in cookie[0] and "Domain" not in cookie[0]


async def test_wrong_password_and_unknown_name_fail_alike(make_kit, tmp_path, clock):
    kit = make_kit(admin=admin(accounts(tmp_path)[0]))
    async with client(kit) as http:
        wrong = await login(http, "ana", "not the password at all")
        clock.advance(seconds=1)
        nobody = await login(http, "nobody", PASSWORD)
    assert wrong.status_code == nobody.status_code == 401
    assert "consentkit_admin=" not in wrong.headers.get("set-cookie", "")
    trail = await audit_trail(kit)
    # A name that is no account's is not kept (it could be a password typed in the wrong field).
    assert [(r.extra["user"], r.extra["action"]) for r in trail] == [("ana", "login_failed"), ("", "login_failed")]


async def test_totp_is_required_and_good_once(make_kit, tmp_path, clock):
    users, secret = accounts(tmp_path)
    kit = make_kit(admin=admin(users))
    async with client(kit) as http:
        assert (await login(http, "tom")).status_code == 401
        assert (await login(http, "tom", code="000000")).status_code == 401
        code = totp_code(secret, kit)
        assert (await login(http, "tom", code=code)).status_code == 303
    async with client(kit) as replay:
        assert (await login(replay, "tom", code=code)).status_code == 401  # a code is used once
        clock.advance(seconds=30)
        assert (await login(replay, "tom", code=totp_code(secret, kit))).status_code == 303


async def test_lockout_after_repeated_wrong_passwords(make_kit, tmp_path, clock):
    kit = make_kit(admin=admin(accounts(tmp_path)[0], max_failures=5, lockout_minutes=15))
    async with client(kit) as http:
        for _ in range(5):
            assert (await login(http, "ana", "wrong password!!")).status_code == 401
        locked = await login(http, "ana")  # the right password, too late
        assert locked.status_code == 429 and "locked" in locked.text
        clock.advance(minutes=16)
        assert (await login(http, "ana")).status_code == 303


def test_client_attempts_are_counted_in_a_window():
    throttle = LoginThrottle(max_failures=5, lockout_seconds=900)
    assert all(throttle.client_allowed("a", 1000.0 + i) for i in range(CLIENT_ATTEMPTS))
    assert not throttle.client_allowed("a", 1100.0)
    assert throttle.client_allowed("b", 1100.0)  # another client
    assert throttle.client_allowed("a", 1000.0 + CLIENT_WINDOW + CLIENT_ATTEMPTS)  # the window moved on


async def test_one_client_is_rate_limited_across_names(make_kit, tmp_path, clock):
    settings = admin(accounts(tmp_path)[0])
    kit = make_kit(admin=settings)
    for _ in range(CLIENT_ATTEMPTS - 1):  # attempts this client made just now, under other names
        settings.throttle.client_allowed("127.0.0.1", clock().timestamp())
    async with client(kit) as http:
        assert (await login(http, "nobody", "wrong password!!")).status_code == 401
        limited = await login(http, "ana")
    assert limited.status_code == 429 and "consentkit_admin=" not in limited.headers.get("set-cookie", "")


async def test_session_lapses_when_idle_and_after_its_hours(make_kit, tmp_path, clock):
    kit = make_kit(admin=admin(accounts(tmp_path)[0], session_minutes=30, session_hours=2))
    async with client(kit) as http:
        await login(http, "ana")
        clock.advance(minutes=29)
        assert (await http.get(f"{ADMIN_PATH}/")).status_code == 200  # renews the cookie
        clock.advance(minutes=29)
        assert (await http.get(f"{ADMIN_PATH}/")).status_code == 200
        clock.advance(minutes=31)
        assert (await http.get(f"{ADMIN_PATH}/")).status_code == 303
        await login(http, "ana")
        for _ in range(5):
            clock.advance(minutes=25)
            await http.get(f"{ADMIN_PATH}/")
        assert (await http.get(f"{ADMIN_PATH}/")).status_code == 303  # past two hours, however active


async def test_post_needs_the_sessions_token_and_this_origin(make_kit, tmp_path):
    kit = make_kit(admin=admin(accounts(tmp_path)[0]))
    async with client(kit) as http:
        await login(http, "ana")
        page = await http.get(f"{ADMIN_PATH}/")
        assert (await http.post(f"{ADMIN_PATH}/logout", data={"other": "1"})).status_code == 403
        assert (await http.post(f"{ADMIN_PATH}/logout", data={"csrf": "forged"})).status_code == 403
        other = await http.post(f"{ADMIN_PATH}/logout", data={"csrf": token(page.text)},
                                headers={"Origin": "https://evil.example"})
        assert other.status_code == 403
        assert (await http.get(f"{ADMIN_PATH}/")).status_code == 200  # still signed in
    async with client(kit) as http2:
        await login(http2, "olga")
        # ana's token is no good in olga's session.
        assert (await http2.post(f"{ADMIN_PATH}/logout", data={"csrf": token(page.text)})).status_code == 403


async def test_login_form_needs_its_token(make_kit, tmp_path):
    kit = make_kit(admin=admin(accounts(tmp_path)[0]))
    async with client(kit) as http:
        response = await http.post(f"{ADMIN_PATH}/login", data={"name": "ana", "password": PASSWORD})
    assert response.status_code == 403 and "consentkit_admin=" not in response.headers.get("set-cookie", "")


async def test_next_stays_in_the_console(make_kit, tmp_path):
    kit = make_kit(admin=admin(accounts(tmp_path)[0]))
    async with client(kit) as http:
        assert (await login(http, "ana", next_path=f"{ADMIN_PATH}/receipts")).headers["location"] == \
            f"{ADMIN_PATH}/receipts"
        for evil in ("https://evil.example/", "//evil.example/", f"{ADMIN_PATH}/../../x", "/elsewhere"):
            assert (await login(http, "ana", next_path=evil)).headers["location"] == f"{ADMIN_PATH}/"


async def test_a_removed_account_loses_its_session(make_kit, tmp_path):
    users = accounts(tmp_path)[0]
    kit = make_kit(admin=admin(users))
    async with client(kit) as http:
        await login(http, "ana")
        data = json.loads(users.read_text())
        del data["users"]["ana"]
        users.write_text(json.dumps(data) + "\n" * 3)  # a different size: reread at once
        assert (await http.get(f"{ADMIN_PATH}/")).status_code == 303


async def test_callback_users(make_kit):
    async def authenticate(request: Request) -> AdminUser | None:
        return AdminUser("site-admin", "operator") if request.headers.get("x-test-user") == "yes" else None

    kit = make_kit(admin=Admin(authenticate=authenticate, login_url="/login"))
    async with client(kit) as http:
        away = await http.get(f"{ADMIN_PATH}/")
        assert away.status_code == 303 and away.headers["location"] == f"/login?next={ADMIN_PATH}/"
        page = await http.get(f"{ADMIN_PATH}/", headers={"x-test-user": "yes"})
        assert page.status_code == 200 and "site-admin" in page.text
        assert (await http.get(f"{ADMIN_PATH}/login")).status_code == 404


def test_admin_settings_are_checked(tmp_path):
    with pytest.raises(ValueError, match="exactly one"):
        Admin()
    with pytest.raises(ValueError, match="exactly one"):
        Admin(users=tmp_path / "u.json", authenticate=lambda r: None)
    with pytest.raises(ValueError, match="trailing slash"):
        Admin(users=tmp_path / "u.json", path="/admin/")
    with pytest.raises(ValueError, match="short"):
        Admin(users=tmp_path / "u.json", session_hours=48)
    with pytest.raises(ValueError):
        AdminUser("x", "root")  # type: ignore[arg-type]


def test_accounts_file_holds_hashes_only(tmp_path):
    path = tmp_path / "users.json"
    create_user(path, "ana", PASSWORD, role="operator")
    text = path.read_text()
    assert PASSWORD not in text and "$argon2id$" in text
    assert path.stat().st_mode & 0o777 == 0o600
    assert Accounts(path).check_password("ana", PASSWORD) is not None
    assert Accounts(path).check_password("ana", PASSWORD + "x") is None
    with pytest.raises(AccountError, match="exists"):
        create_user(path, "ana", PASSWORD)
    with pytest.raises(AccountError, match="at least"):
        create_user(path, "bob", "short")


def test_create_user_command(tmp_path: Path):
    users = tmp_path / "admins.json"
    done = subprocess.run(
        [sys.executable, "-m", "consentkit.cli", "admin", "create-user", "carla", "--users", str(users),
         "--role", "operator", "--totp", "--password-stdin"],
        input=PASSWORD + "\n", capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "otpauth://totp/consentkit:carla" in done.stdout
    account = Accounts(users).get("carla")
    assert account is not None and account.role == "operator" and account.totp_secret
