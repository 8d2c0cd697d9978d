"""Time each middleware adds to a JSON response, in-process (no network).

ConsentMiddleware with a valid consent cookie against Starlette's
SessionMiddleware with a valid session cookie, measured in the same run.
Target: consentkit adds no more than SessionMiddleware (ratio <= 1.0). Times are CPU
time of this process (as benchmarks/gating.py): on a shared machine wall time mostly
measures the neighbours.

    python benchmarks/middleware.py [--requests 20000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from base64 import b64encode
from pathlib import Path

import itsdangerous
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.inprocess import consent_cookie, http_scope
from consentkit import ConsentKit, ConsentMiddleware
from tests.kits import make_policy

SECRET = "benchmark-secret-0123456789"


async def endpoint(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True, "items": [1, 2, 3]})


def app_with(*middleware: Middleware) -> Starlette:
    return Starlette(routes=[Route("/api", endpoint)], middleware=list(middleware))


def scope_for(cookie: str) -> dict[str, object]:
    return http_scope("/api", b"application/json", f"theme=dark; {cookie}; _ga=GA1.1.1",
                      (b"accept-language", b"en-US,en;q=0.9"))


async def run(app: Starlette, cookie: str | list[str], requests: int) -> float:
    """CPU seconds per request; a list of cookies is cycled through."""
    cookies = cookie if isinstance(cookie, list) else [cookie]
    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        pass

    for i in range(200):  # warm up caches and the router
        await app(scope_for(cookies[i % len(cookies)]), receive, send)
    start = time.process_time()
    for i in range(requests):
        await app(scope_for(cookies[i % len(cookies)]), receive, send)
    return (time.process_time() - start) / requests


def session_cookie() -> str:
    data = b64encode(json.dumps({"user_id": "u-12345", "csrf": "abcdefghijklmnop"}).encode())
    return "session=" + itsdangerous.TimestampSigner(SECRET).sign(data).decode()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    kit = ConsentKit(make_policy(), secret_keys=[SECRET], store="memory://")
    apps = {
        "bare": (app_with(), ""),
        "session": (app_with(Middleware(SessionMiddleware, secret_key=SECRET)), session_cookie()),
        "consent": (app_with(Middleware(ConsentMiddleware, kit=kit)), consent_cookie(kit)),
        # More distinct visitors than the caches hold: every request verifies and evaluates afresh.
        "consent_cold": (app_with(Middleware(ConsentMiddleware, kit=kit)), [consent_cookie(kit) for _ in range(5000)]),
    }
    samples: dict[str, list[float]] = {name: [] for name in apps}
    for _ in range(args.rounds):  # interleaved, so drift hits all three alike
        for name, (app, cookie) in apps.items():
            samples[name].append(await run(app, cookie, args.requests))
    median = {name: statistics.median(values) for name, values in samples.items()}
    added_session = median["session"] - median["bare"]
    added_consent = median["consent"] - median["bare"]
    print(f"bare app:                  {median['bare'] * 1e6:8.2f} us/request")
    print(f"SessionMiddleware adds:    {added_session * 1e6:8.2f} us/request (valid session cookie)")
    print(f"ConsentMiddleware adds:    {added_consent * 1e6:8.2f} us/request (valid consent cookie)")
    added_cold = median["consent_cold"] - median["bare"]
    print(f"  ... each cookie first seen: {added_cold * 1e6:6.2f} us/request (no cache hit)")
    ratio = added_consent / added_session
    print(f"ratio consent/session:     {ratio:8.2f}  (target <= 1.0: {'met' if ratio <= 1.0 else 'MISSED'})")
    print(f"ratio, no cache hits:      {added_cold / added_session:8.2f}")


if __name__ == "__main__":
    asyncio.run(main())
