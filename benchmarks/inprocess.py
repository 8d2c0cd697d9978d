"""Shared by the in-process benchmarks: an HTTP scope as a server would build it,
and a returning visitor's consent cookie."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from consentkit import ConsentKit
from consentkit.state import Choices

USER_AGENT = b"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"


def http_scope(path: str, accept: bytes, cookie: str, *extra: tuple[bytes, bytes]) -> dict[str, Any]:
    """A GET of ``path`` from a Chrome on localhost:8000."""
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 50000),
        "headers": [
            (b"host", b"localhost:8000"),
            (b"user-agent", USER_AGENT),
            (b"accept", accept),
            *extra,
            (b"cookie", cookie.encode()),
        ],
    }


def consent_cookie(kit: ConsentKit) -> str:
    """A decided visitor's cookie: analytics granted, captcha and advertising denied."""
    now = datetime.now(UTC)
    choices = Choices(visitor_id=kit.new_visitor_id(), policy_version=kit.policy.version, decided_at=now,
                      updated_at=now).evolve(choices={"analytics": True, "captcha": False, "advertising": False})
    return f"{kit.cookie_name}={kit.codec.dumps(choices)}"
