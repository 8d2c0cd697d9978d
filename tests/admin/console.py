"""A kit with the admin console, its accounts file, and a signed-in client."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pyotp

from consentkit import Admin, ConsentKit
from consentkit.admin import create_user
from consentkit.admin.page import AUDIT_VISITOR
from consentkit.ledger.base import Record
from tests.apps import make_app

PASSWORD = "correct horse battery"
ADMIN_PATH = "/consentkit/admin"
_TOKEN = re.compile(r'name="csrf" value="([^"]+)"')


_MADE: dict[str, tuple[bytes, str]] = {}


def accounts(tmp_path: Path) -> tuple[Path, str]:
    """An accounts file with ana (viewer), olga (operator) and tom (operator with
    TOTP); tom's TOTP secret. Hashed once per test session (Argon2 is slow on
    purpose), copied for each test."""
    path = tmp_path / "admin-users.json"
    if "file" not in _MADE:
        create_user(path, "ana", PASSWORD, role="viewer")
        create_user(path, "olga", PASSWORD, role="operator")
        secret = create_user(path, "tom", PASSWORD, role="operator", totp=True)
        assert secret is not None
        _MADE["file"] = (path.read_bytes(), secret)
    else:
        path.write_bytes(_MADE["file"][0])
    return path, _MADE["file"][1]


def client(kit: ConsentKit, base_url: str = "http://testserver") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=make_app(kit)), base_url=base_url)


def token(html: str) -> str:
    found = _TOKEN.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


async def login(http: httpx.AsyncClient, name: str, password: str = PASSWORD, code: str = "",
                next_path: str | None = None) -> httpx.Response:
    page = await http.get(f"{ADMIN_PATH}/login" + (f"?next={next_path}" if next_path else ""))
    assert page.status_code == 200
    form = {"csrf": token(page.text), "name": name, "password": password, "code": code}
    if next_path:
        form["next"] = next_path
    return await http.post(f"{ADMIN_PATH}/login", data=form)


def totp_code(secret: str, kit: ConsentKit) -> str:
    return pyotp.TOTP(secret).at(kit.clock())


async def audit_trail(kit: ConsentKit) -> list[Record]:
    return await kit.ledger.for_visitor(AUDIT_VISITOR)


def admin(users: Path, **options: object) -> Admin:
    return Admin(users=users, **options)  # type: ignore[arg-type]


def scan_report(url: str, at: str, findings: tuple[object, ...] = (), *, pages: int = 1) -> str:
    """A report as `consentkit scan --json` writes it (its own dataclasses and JSON
    writers): one page's, or with ``pages`` several pages' (as for several URLs)."""
    import json

    from consentkit.scan.findings import ScanReport, SeenCookie, SeenRequest, VisitResult
    from consentkit.scan.report import dumps, pages_to_json

    visit = VisitResult("accept-all", "clicked Accept all", ("analytics",),
                        (SeenCookie("_ga", ".example.test", "/", None, True, "analytics", True),),
                        (SeenRequest("https://www.googletagmanager.com/gtag/js", "www.googletagmanager.com",
                                     "script", "analytics", True),))
    reports = [ScanReport(url + ("" if n == 0 else f"page-{n}"), "policy.toml", "opt_in", at, (visit,),
                          findings) for n in range(pages)]  # type: ignore[arg-type]
    return dumps(reports[0]) if pages == 1 else json.dumps(pages_to_json(reports), indent=2)
