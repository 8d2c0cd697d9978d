"""The widget's weight, as the middleware serves it, gzipped at level 9:

- the built code, JS + CSS (boot.js, widget.js, widget.css). Target: <= 10,000 B,
  with the runtime guard, and room left for click-to-load placeholders and GPP;
- its synchronous part, boot.js: the guard, the Consent Mode default and the
  `__uspapi` and `__gpp` stubs. Target: <= 3,000 B;
- what every HTML page carries: the state block and the widget's tags. Target:
  <= 1,000 B for a typical policy (the test policy's).

What the policy tells the widget (its guard rules and signals, its categories and
texts in one language) travels ahead of the code in boot.js and widget.js, cached by
the browser (a versioned URL is immutable): it is printed for the test policy beside
the code, and the demo's too.

    python benchmarks/widget_size.py
"""

from __future__ import annotations

import asyncio
import gzip
import logging
import sys
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import HTMLResponse
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from consentkit import ConsentKit, ConsentMiddleware, Policy
from consentkit.assets import asset
from tests.kits import make_policy

TOTAL_TARGET = 10_000
SYNC_TARGET = 3_000
PAGE_TARGET = 1_000
DEMO_POLICY = Path(__file__).resolve().parent.parent / "demo_site" / "policy.toml"
# gzipped JS + CSS of each library's standard build, as published.
ANCHORS = {
    "vanilla-cookieconsent 3.1": 15_447,
    "Osano 3.1": 8_042,
    "Silktide": 10_169,
}
BARE_PAGE = b"<!doctype html><html lang=\"en\"><head><title>Page</title></head><body><p>Hello</p></body></html>"


def gz(data: bytes) -> int:
    return len(gzip.compress(data, 9))


async def fetch(kit: ConsentKit) -> tuple[dict[str, bytes], bytes]:
    """The widget's files as served (preludes included), and a page's bytes."""

    async def page(request: object) -> HTMLResponse:
        return HTMLResponse(BARE_PAGE)

    app = Starlette(routes=[Route("/", page)], middleware=[Middleware(ConsentMiddleware, kit=kit)])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        files = {}
        for name in ("boot.js", "widget.js", "widget.css"):
            response = await client.get(f"{kit.prefix}/{name}", headers={"Accept-Language": "en"})
            response.raise_for_status()
            files[name] = response.content
        served = await client.get("/", headers={"Accept-Language": "en-US,en;q=0.9",
                                                "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 "
                                                              "(KHTML, like Gecko) Chrome/131.0 Safari/537.36"})
    return files, served.content


def report(label: str, kit: ConsentKit) -> tuple[int, int]:
    files, page = asyncio.run(fetch(kit))
    built = {name: asset(name).body for name in files}  # type: ignore[union-attr]
    print(f"{label}")
    for name, body in files.items():
        prelude = body[: len(body) - len(built[name])]
        print(f"  {name:<11} code {len(built[name]):>6,} B raw {gz(built[name]):>6,} B gzip"
              f"   + policy {len(prelude):>5,} B raw {gz(prelude):>5,} B gzip")
    injected = len(page) - len(BARE_PAGE)
    print(f"  injected into each page (state block + tags): {injected:,} B raw, {gz(page) - gz(BARE_PAGE):,} B "
          "more gzip")
    return injected, gz(files["boot.js"])


def main() -> int:
    logging.getLogger("consentkit").setLevel(logging.ERROR)  # the kits here need no notifier
    built = {name: asset(name).body for name in ("boot.js", "widget.js", "widget.css")}  # type: ignore[union-attr]
    total = sum(gz(body) for body in built.values())
    one_stream = gz(b"".join(built.values()))
    sync = gz(built["boot.js"])
    injected, _ = report("test policy (tests/kits.py), English", ConsentKit(
        make_policy(), secret_keys=["benchmark-secret-0123456789"], store="memory://"))
    report("demo policy (demo_site/policy.toml), English", ConsentKit(
        Policy.from_toml(DEMO_POLICY), secret_keys=["benchmark-secret-0123456789"], store="memory://"))
    print()
    print(f"built JS + CSS: {total:,} B gzip as three responses ({one_stream:,} B as one stream)")
    for name, size in ANCHORS.items():
        print(f"  vs {name:<26} {size:>6,} B   ratio {total / size:.2f}")
    checks = [
        ("built JS + CSS, gzip", total, TOTAL_TARGET),
        ("synchronous part (boot.js code), gzip", sync, SYNC_TARGET),
        ("injected per page, test policy", injected, PAGE_TARGET),
    ]
    ok = True
    for what, value, target in checks:
        verdict = "OK" if value <= target else "OVER"
        ok = ok and value <= target
        print(f"{what:<40} {value:>6,} B   target <= {target:,} B  {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
