"""``Admin``: how the console is mounted and who may use it, given to
``ConsentKit(..., admin=Admin(...))``. The console itself (``admin.console``) sits
above the features; this module sits below the kit, which keeps an ``Admin``.

Two ways to authenticate, one of them per console:

- ``Admin(users="admin-users.json")``: built-in accounts, made with
  ``consentkit admin create-user``, passwords hashed with Argon2id, optional TOTP;
- ``Admin(authenticate=callback)``: the site's own logins. ``callback(request)``
  gets a Starlette ``Request`` and answers an ``AdminUser`` or None (may be async).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ..policy import Policy
from .accounts import Accounts
from .throttle import LoginThrottle

if TYPE_CHECKING:
    from starlette.requests import Request

Role = Literal["viewer", "operator"]
ROLES: tuple[Role, ...] = ("viewer", "operator")
_PATH = re.compile(r"^(/[A-Za-z0-9._~-]+)+$")


@dataclass(frozen=True, slots=True)
class AdminUser:
    """Who is using the console: a name (recorded with every action) and a role.
    A ``viewer`` sees the charts and receipts; an ``operator`` may also act
    (parental requests, exports, privacy requests)."""

    name: str
    role: Role = "viewer"

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"role {self.role!r} is not one of {', '.join(ROLES)}")
        if not self.name or len(self.name) > 64 or any(ord(c) < 0x20 for c in self.name):
            raise ValueError("an admin user's name is 1 to 64 printable characters")

    def may(self, role: Role) -> bool:
        """Whether this user holds ``role`` (an operator holds viewer too)."""
        return ROLES.index(self.role) >= ROLES.index(role)


Authenticate = Callable[["Request"], "AdminUser | None | Awaitable[AdminUser | None]"]


class Admin:
    """The admin console's settings, and the state it keeps for one kit.

    ``path``: where the console is served (default: the kit's prefix + ``/admin``,
    ``/consentkit/admin``). ``users``: the accounts file of built-in logins.
    ``authenticate``: the site's own check instead. ``login_url``: with
    ``authenticate``, where a browser without a login is sent (else 401).
    ``session_minutes``: a session ends after this long without a request
    (default 30), and after ``session_hours`` (default 8) in any case.
    ``policy_history``: earlier versions of the policy (``Policy`` objects or TOML
    files), which the policy page compares with the one in force.
    """

    def __init__(
        self,
        *,
        users: str | Path | None = None,
        authenticate: Authenticate | None = None,
        path: str | None = None,
        login_url: str | None = None,
        session_minutes: int = 30,
        session_hours: int = 8,
        max_failures: int = 5,
        lockout_minutes: int = 15,
        policy_history: Sequence[Policy | str | Path] = (),
        scan_reports: str | Path | None = None,
    ) -> None:
        if (users is None) == (authenticate is None):
            raise ValueError("Admin needs exactly one of users='admin-users.json' (built-in accounts, made with "
                             "`consentkit admin create-user`) or authenticate=callback (your site's logins)")
        if path is not None and not _PATH.match(path):
            raise ValueError(f"admin path {path!r} must be a path such as '/consentkit/admin', without a trailing slash")
        if login_url is not None and (authenticate is None or not login_url.startswith("/") or login_url.startswith("//")):
            raise ValueError("login_url goes with authenticate= and is a path on this site, such as '/login'")
        if not 1 <= session_minutes <= 24 * 60 or not 1 <= session_hours <= 24:
            raise ValueError("session_minutes is 1 to 1440 and session_hours 1 to 24: admin sessions are short")
        if max_failures < 1 or lockout_minutes < 1:
            raise ValueError("max_failures and lockout_minutes must be at least 1")
        history = [p if isinstance(p, Policy) else Policy.from_toml(p) for p in policy_history]
        versions = [p.version for p in history]
        if len(set(versions)) != len(versions):
            raise ValueError(f"policy_history has a version twice: {', '.join(versions)}")
        self.policy_history: tuple[Policy, ...] = tuple(history)
        self.scan_reports = Path(scan_reports) if scan_reports is not None else None
        self.accounts = Accounts(Path(users)) if users is not None else None
        self.authenticate = authenticate
        self.path = path
        self.login_url = login_url
        self.session_seconds = session_minutes * 60
        self.session_max_seconds = session_hours * 3600
        # What the console keeps between requests, for this kit alone.
        self.throttle = LoginThrottle(max_failures=max_failures, lockout_seconds=lockout_minutes * 60)
        self.revoked: dict[str, float] = {}  # session id -> when it would have expired (logged out)

    def mount_path(self, kit_prefix: str) -> str:
        return self.path or kit_prefix + "/admin"
