"""The admin console: consent analytics, proof on demand and the day-to-day
privacy work, behind authentication. Mount it with
``ConsentKit(..., admin=Admin(users="admin-users.json"))``; see docs/console.md.

Only the settings live here (the kit keeps them); the console's pages are in
``admin.console`` and the modules it dispatches to, above the features."""

from __future__ import annotations

from .accounts import AccountError, create_user
from .config import Admin, AdminUser

__all__ = ["AccountError", "Admin", "AdminUser", "create_user"]
