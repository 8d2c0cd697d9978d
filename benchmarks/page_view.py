"""A page view of the load benchmark's app, in-process: the CPU time ConsentMiddleware
adds to it, for a new visitor (no consent cookie) and a returning one (a valid cookie),
with the processor's caches warm (the same request in a tight loop) and cold (8 MB
written between two requests, as a server's other work does between two of its page
views).

The cold figure is the one to compare with ``benchmarks/load.py``'s server CPU per
page view: under uvicorn the middleware's code and data are evicted between requests
by the server's own, and each costs about two and a half times what it costs warm.
Unlike load.py it is barely moved by the neighbours' load (CPU time of this process,
the lowest of the rounds). The capacity ratio is the app's time without the
middleware over its time with it (#16 target 3 asks >= 0.9 of the server's). The
app's page is the same bytes on every request, so the middleware's page memo
answers it after the second; "memo off" is the gate at work on every request.

    python benchmarks/page_view.py [--requests 600] [--rounds 7]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from starlette.types import ASGIApp

from benchmarks import load_app
from benchmarks.inprocess import consent_cookie

USER_AGENT = b"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36"
_EVICT = bytearray(8 * 1024 * 1024)


def page_scope(consent: str) -> dict[str, Any]:
    """GET / as load.py's driver sends it: the site's other cookies beside consent's."""
    cookie = b"theme=dark; " + (consent.encode() + b"; " if consent else b"") + b"session=s-0123456789abcdef"
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": "/", "raw_path": b"/", "query_string": b"", "root_path": "",
        "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 50000),
        "headers": [(b"host", b"127.0.0.1:8000"), (b"user-agent", USER_AGENT), (b"accept", b"text/html"),
                    (b"accept-language", b"en-US,en;q=0.9"), (b"cookie", cookie)],
    }


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _send(message: dict[str, Any]) -> None:
    pass


async def cpu_per_view(app: ASGIApp, consent: str, requests: int, cold: bool) -> float:
    """CPU seconds per page view, the eviction (when cold) outside the time taken."""
    total = 0.0
    for _ in range(requests):
        if cold:
            _EVICT[::64] = bytes(len(_EVICT) // 64)
        start = time.process_time()
        await app(page_scope(consent), _receive, _send)
        total += time.process_time() - start
    return total / requests


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    os.environ["CONSENTKIT_BENCH_MIDDLEWARE"] = "0"
    bare = load_app.create_app()
    os.environ["CONSENTKIT_BENCH_MIDDLEWARE"] = "1"
    gated = load_app.create_app()
    os.environ["CONSENTKIT_BENCH_PAGE_MEMO"] = "0"
    unmemoised = load_app.create_app()
    del os.environ["CONSENTKIT_BENCH_PAGE_MEMO"]
    kit = gated.user_middleware[0].kwargs["kit"]
    variants = {"without": (bare, ""), "new": (gated, ""), "returning": (gated, consent_cookie(kit)),
                "new, memo off": (unmemoised, ""), "returning, memo off": (unmemoised, consent_cookie(
                    unmemoised.user_middleware[0].kwargs["kit"]))}
    for app, consent in variants.values():  # warm up: imports, the router, the kit's caches
        await cpu_per_view(app, consent, 200, cold=False)
    for cold in (False, True):
        best = dict.fromkeys(variants, float("inf"))
        for _ in range(args.rounds):  # interleaved, so that drift hits every variant alike
            for name, (app, consent) in variants.items():
                best[name] = min(best[name], await cpu_per_view(app, consent, args.requests, cold))
        without = best["without"]
        print(f"{'cold' if cold else 'warm'} caches: without the middleware {without * 1e6:.1f} us per page view")
        for visitor in ("new", "returning", "new, memo off", "returning, memo off"):
            added = best[visitor] - without
            print(f"    {visitor:19s}: adds {added * 1e6:6.1f} us; without / with {without / best[visitor]:.2f}"
                  f"{'  (server target >= 0.9)' if cold and 'memo' not in visitor else ''}")
        added_new, added_returning = best["new"] - without, best["returning"] - without
        print(f"    new / returning, added: {added_new / added_returning:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
