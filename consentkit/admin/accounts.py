"""The console's built-in accounts: a JSON file of names, roles, Argon2id password
hashes (argon2-cffi) and TOTP secrets (pyotp), written by ``consentkit admin
create-user`` and read by the console, again whenever it changes on disk.

The file holds secrets (the TOTP keys): it is written with mode 0600. Nothing in
it is a password: only hashes.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

MIN_PASSWORD = 12
_ROLES = ("viewer", "operator")


class AccountError(ValueError):
    """An account cannot be made or read (with what to do about it)."""


@cache
def _libraries() -> tuple[Any, ModuleType, str, tuple[type[Exception], ...]]:
    """argon2-cffi's hasher, pyotp, and a hash to verify against when a name is
    unknown (so that a wrong name costs what a wrong password does). Imported when
    a console uses built-in accounts: ``pip install 'consentkit[admin]'``."""
    try:
        import argon2
        import pyotp
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError("built-in admin accounts need argon2-cffi and pyotp: pip install 'consentkit[admin]'") from exc
    hasher = argon2.PasswordHasher()  # Argon2id, argon2-cffi's RFC 9106 low-memory profile
    mismatch = (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError)
    return hasher, pyotp, hasher.hash("consentkit: no such user"), mismatch


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    role: str
    password_hash: str
    totp_secret: str | None


class Accounts:
    """The accounts of one file."""

    def __init__(self, path: Path) -> None:
        _libraries()  # fail at start-up, not at the first login
        self.path = path
        self._lock = threading.Lock()
        self._seen: tuple[int, int] | None = None
        self._accounts: dict[str, Account] = {}
        # The last TOTP time step accepted per name: a code is good once.
        self._used_steps: dict[str, int] = {}

    def get(self, name: str) -> Account | None:
        """The account of ``name`` as the file says now (None if absent or unreadable)."""
        with self._lock:
            try:
                stat = self.path.stat()
            except OSError:
                self._accounts, self._seen = {}, None
                return None
            if self._seen != (stat.st_mtime_ns, stat.st_size):
                try:
                    self._accounts = _parse(self.path.read_text(encoding="utf-8"))
                except (OSError, AccountError, ValueError):
                    self._accounts = {}
                self._seen = (stat.st_mtime_ns, stat.st_size)
            return self._accounts.get(name)

    def check_password(self, name: str, password: str) -> Account | None:
        """The account, if ``password`` is its password (Argon2 verification; the
        same work is done for an unknown name)."""
        hasher, _, dummy, mismatch = _libraries()
        account = self.get(name)
        try:
            hasher.verify(account.password_hash if account else dummy, password)
        except mismatch:
            return None
        return account

    def check_code(self, account: Account, code: str, now: datetime) -> bool:
        """Whether ``code`` is the account's current TOTP code (one step of drift
        either way), not used before."""
        if account.totp_secret is None:
            return True
        code = code.strip().replace(" ", "")
        if not (len(code) == 6 and code.isdigit()):
            return False
        totp = _libraries()[1].TOTP(account.totp_secret)
        step = int(now.timestamp()) // totp.interval
        for candidate in (step, step - 1, step + 1):
            if totp.at(candidate * totp.interval) == code:
                with self._lock:
                    if self._used_steps.get(account.name, -1) >= candidate:
                        return False
                    self._used_steps[account.name] = candidate
                return True
        return False


def _parse(text: str) -> dict[str, Account]:
    data = json.loads(text)
    if not isinstance(data, dict) or not isinstance(data.get("users"), dict):
        raise AccountError("the accounts file is not consentkit's: {\"users\": {...}}")
    out = {}
    for name, entry in data["users"].items():
        if not isinstance(entry, dict) or entry.get("role") not in _ROLES or not isinstance(entry.get("hash"), str):
            raise AccountError(f"the account {name!r} is malformed")
        totp = entry.get("totp")
        out[name] = Account(name, entry["role"], entry["hash"], totp if isinstance(totp, str) and totp else None)
    return out


def create_user(path: Path, name: str, password: str, *, role: str = "viewer", totp: bool = False,
                replace: bool = False) -> str | None:
    """Add (or with ``replace``, reset) an account in the file at ``path``, made if
    absent; the new TOTP secret when ``totp``, else None."""
    if role not in _ROLES:
        raise AccountError(f"role {role!r} is not one of {', '.join(_ROLES)}")
    if not name or len(name) > 64 or any(ord(c) < 0x21 for c in name):
        raise AccountError("a name is 1 to 64 characters, no spaces")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password has at least {MIN_PASSWORD} characters")
    data: dict[str, Any] = {"users": {}}
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
        _parse(json.dumps(data))
    if name in data["users"] and not replace:
        raise AccountError(f"{name!r} exists already: pass --replace to reset it")
    hasher, pyotp, _, _ = _libraries()
    secret = pyotp.random_base32() if totp else None
    data["users"][name] = {"role": role, "hash": hasher.hash(password), "totp": secret}
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        json.dump(data, file, indent=2, sort_keys=True)
        file.write("\n")
    os.replace(temporary, path)
    return secret


def provisioning_uri(secret: str, name: str, issuer: str = "consentkit") -> str:
    """The ``otpauth://`` URI an authenticator app reads (as a QR code or typed in)."""
    return str(_libraries()[1].TOTP(secret).provisioning_uri(name=name, issuer_name=issuer))
