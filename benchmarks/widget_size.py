"""The widget's weight on the wire: widget.js + widget.css as the middleware serves
them, gzipped at level 9, against well-known banners. Target: <= 8,000 bytes.

The strings come with the page in the config block, not in widget.js; its size for
the test policy is printed too, so the comparison stays honest.

    python benchmarks/widget_size.py
"""

from __future__ import annotations

import asyncio
import gzip
import sys
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from consentkit import ConsentKit, ConsentMiddleware
from consentkit.head import state_script
from consentkit.widget_config import widget_config
from tests.kits import make_policy

TARGET = 8_000
# gzipped JS + CSS of each library's standard build, as published.
ANCHORS = {
    "vanilla-cookieconsent 3.1": 15_447,
    "Osano 3.1": 8_042,
    "Silktide": 10_169,
}


async def served(kit: ConsentKit, name: str) -> bytes:
    app = Starlette(middleware=[Middleware(ConsentMiddleware, kit=kit)])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        response = await client.get(f"{kit.prefix}/{name}")
    response.raise_for_status()
    return response.content


def main() -> int:
    kit = ConsentKit(make_policy(), secret_keys=["benchmark-secret-0123456789"], store="memory://")
    js = asyncio.run(served(kit, "widget.js"))
    css = asyncio.run(served(kit, "widget.css"))
    together = len(gzip.compress(js + css, 9))
    apart = len(gzip.compress(js, 9)) + len(gzip.compress(css, 9))
    config = state_script(widget_config(kit.policy, kit.prefix), element_id="consentkit-config")
    print(f"widget.js   {len(js):>7,} B raw  {len(gzip.compress(js, 9)):>6,} B gzip")
    print(f"widget.css  {len(css):>7,} B raw  {len(gzip.compress(css, 9)):>6,} B gzip")
    print(f"js + css    {len(js) + len(css):>7,} B raw  {together:>6,} B gzip (one stream), {apart:,} B (two responses)")
    print(f"config block in each page (test policy, en + es strings): {len(config):,} B raw, "
          f"{len(gzip.compress(config, 9)):,} B gzip")
    print()
    for name, size in ANCHORS.items():
        print(f"  vs {name:<26} {size:>6,} B   ratio {together / size:.2f}")
    verdict = "OK" if together <= TARGET else "OVER"
    print(f"target <= {TARGET:,} B: {together:,} B  {verdict}")
    return 0 if together <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
