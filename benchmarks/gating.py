"""Server-side gating, measured in one run on the same machine.

(a) the page corpus (benchmarks/pages/*.html, made by benchmarks/pages/make.py):
    the time ConsentMiddleware adds to each page, for a new visitor (no cookie), a
    returning one (a valid consent cookie) and one who withdrew consent (every
    optional category denied, the request still carrying trackers' cookies: the
    response expires them), each with the page's tags seen before (from a
    visitor's second page view on) and on a first view (the gate's cache of tags
    emptied before each request); against the time Starlette's GZipMiddleware adds
    to the same page (in-process ASGI calls, no network). Target: ratio <= 0.5
    for new and returning visitors, tags seen before, on every page.
(b) rewrite throughput of HtmlGate on a 1 MB page, against selectolax (lexbor)
    parse-and-serialize of the same page. Target: ratio >= 3.
(c) peak RSS growth while a 100 MB HTML response streams through the middleware
    in 64 KB chunks. Target: < 10 MB.
(d) a tag and an inline script held to their end, fed one byte at a time: time per
    byte at 64 KiB against 8 KiB (#13 L7). Target: ratio <= 2 (linear, not quadratic).
(e) outside the gate (#16 target 6): what the middleware adds to a page too small for
    the gate to matter, less the gate's own time on it, for each visitor. Target: the
    new visitor's (a new visitor id, the state, the injection) <= 1.2x the returning
    visitor's (the cookie verified, the state, the injection).

    python benchmarks/gating.py [--rounds 7] [--cpu-ms 40] [--pages landing,blog] [--interleave-pages]

Times are CPU time of this process (time.process_time): every variant is
CPU-bound and in-process, and on a shared machine wall time mostly measures the
neighbours. Each figure is the median of --rounds rounds, the variants of a page
interleaved in every round, each round about --cpu-ms of CPU per variant.
selectolax is in the ``bench`` extra (pip install -e '.[bench]').
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import gzip
import random
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import corpus
from benchmarks.inprocess import consent_cookie, http_scope
from consentkit import ConsentKit, ConsentMiddleware
from consentkit.gating.fastpath import CSCAN
from consentkit.gating.hosts import allowed_units
from consentkit.gating.response import ResponseGate
from consentkit.rewrite import HtmlGate, rewrite_html
from consentkit.visit import Visit
from tests.kits import make_policy

SECRET = "benchmark-secret-0123456789"
POLICY = make_policy()
CHUNK = 64 * 1024

HEAD = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme Insurance &ndash; Home, car and travel cover</title>
<link rel="stylesheet" href="/static/site.css">
<link rel="preconnect" href="https://www.googletagmanager.com">
<script type="text/plain" data-consent="analytics" src="https://www.googletagmanager.com/gtag/js?id=G-X1"></script>
<script type="text/plain" data-consent="analytics">window.dataLayer = window.dataLayer || []; gtag("js", new Date());</script>
<style>:root { --brand: #0b5; } .card > h2 { margin: 0 } a[href^="http"]::after { content: " >"; }</style>
<script>if (document.cookie.indexOf("a=1") < 0 && window.innerWidth > 600) { document.documentElement.className = "js"; }</script>
</head>
<body class="home">
<header class="site-header"><nav aria-label="Main"><ul>
<li><a href="/">Home</a></li><li><a href="/car">Car</a></li><li><a href="/home">Home</a></li>
<li><a href="/travel">Travel</a></li><li><a href="/claims">Claims</a></li></ul></nav></header>
<main id="main">
"""
TAIL = """
</main>
<footer><p>&copy; 2026 Acme Insurance Ltd. <a href="/privacy">Privacy</a> &middot;
<a href="/consentkit/do-not-sell" data-consentkit-action="do-not-sell">Do Not Sell or Share My Personal Information</a></p>
<img src="https://pixel.example-analytics.test/p.gif?e=view" alt="" width="1" height="1">
</footer>
</body>
</html>
"""
# Body tags that need the gate: marked ones, and trackers without data-consent.
GATED_IN_BODY = [
    '<img data-consent="analytics" data-src="https://pixel.example-analytics.test/p.gif" width="1" height="1" alt="">',
    '<iframe data-consent="captcha" data-src="https://www.google.com/recaptcha/api2/anchor?k=abc"></iframe>',
    '<script type="text/plain" data-consent="advertising">window.adq = window.adq || []; adq.push("init");</script>',
    '<script src="https://www.google-analytics.com/analytics.js" async></script>',
    '<iframe src="https://ads.example-ads.test/frame?slot=1" width="300" height="250" title="ad"></iframe>',
    '<script type="text/plain" data-consent="advertising" src="https://ads.example-ads.test/tag.js"></script>',
]


_VOCABULARY = (
    "cover policy claim home car travel pet contents buildings excess premium renewal accident theft flood fire "
    "storm damage liability legal protection breakdown courtesy windscreen personal belongings gadget bicycle "
    "student landlord tenant family single annual trip winter sports cruise medical cancellation baggage delay "
    "quote online phone support hours weekday weekend helpline emergency repair approved garage network replace "
    "value new old limit option add extra benefit discount loyalty multi years no claims bonus protected driver "
    "named young learner business commuting mileage garage parked overnight alarm immobiliser tracker security "
    "valuables jewellery watches cameras laptops phones outside accidental cover optional included standard plus "
    "premier essential complete simple clear fair honest fast easy secure trusted award winning rated customers"
)
WORDS = _VOCABULARY.split()


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def card(rng: random.Random, i: int) -> str:
    """A product card: varied text, links, a table, a form, an image (no tag for the gate)."""
    name = " ".join(rng.choice(WORDS) for _ in range(3)).title()
    rows = "".join(
        f'<tr><td>{rng.choice(["Basic", "Plus", "Premier", "Essential"])}</td>'
        f"<td>&pound;{rng.randint(5, 90)}.{rng.randint(0, 99):02d}</td><td>&pound;{rng.choice([0, 50, 100, 250])}</td></tr>"
        for _ in range(rng.randint(2, 4))
    )
    features = "".join(
        f'<li><span class="icon icon--{rng.choice(["check", "star", "info"])}" aria-hidden="true"></span> '
        f"{sentence(rng, rng.randint(3, 7))}</li>"
        for _ in range(rng.randint(2, 5))
    )
    slug = name.lower().replace(" ", "-")
    return f"""
<section class="product card card--{rng.choice(["a", "b", "c"])}" id="p{i}" data-sku="{rng.randint(10000, 99999)}">
  <h2 class="card__title"><a href="/products/{slug}" title="{name} &amp; details">{name}</a></h2>
  <p>{sentence(rng, rng.randint(12, 30))} <a href="/glossary#{rng.choice(WORDS)}">{rng.choice(WORDS)}</a>
  {sentence(rng, rng.randint(8, 20))}</p>
  <ul class="features">{features}</ul>
  <table class="prices"><tr><th scope="col">Level</th><th scope="col">Monthly</th><th scope="col">Excess</th></tr>{rows}</table>
  <form action="/quote/{slug}" method="post" class="quote-form"><input type="hidden" name="sku" value="{i}">
  <label for="pc{i}">Postcode</label> <input id="pc{i}" name="postcode" autocomplete="postal-code" required>
  <button type="submit" class="btn btn--primary">Get a quote</button></form>
  <img src="/static/img/{slug}.webp" alt="{sentence(rng, 4)}" width="640" height="360" loading="lazy">
</section>"""


def page(size: int, body_gated: int) -> tuple[bytes, int]:
    """A page of about ``size`` bytes with 4 tags for the gate in head and footer
    (2 marked, 2 trackers without data-consent) and ``body_gated`` more spread over
    the body. Returns (page, number of tags for the gate)."""
    rng = random.Random(size)  # the same page in every run
    cards: list[str] = []
    total = len(HEAD) + len(TAIL)
    while total < size:
        cards.append(card(rng, len(cards)))
        total += len(cards[-1])
    step = max(1, len(cards) // max(1, body_gated))
    for n in range(body_gated):
        at = min(len(cards) - 1, n * step)
        cards[at] += "\n" + GATED_IN_BODY[n % len(GATED_IN_BODY)]
    return (HEAD + "".join(cards) + TAIL).encode(), 4 + body_gated


# -- in-process ASGI ---------------------------------------------------------------


def _page_scope(cookie: str) -> dict[str, Any]:
    return http_scope("/", b"text/html", cookie, (b"accept-encoding", b"gzip, deflate, br"))


async def call(app: Any, scope: dict[str, Any], sink: Callable[[dict[str, Any]], None] | None = None) -> None:
    requested = False

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if requested:  # like a server: after the body, wait for a disconnect that never comes
            await asyncio.Event().wait()
        requested = True
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if sink is not None:
            sink(message)

    await app(scope, receive, send)


async def timed(app: Any, scope: dict[str, Any], requests: int, first_view: bool) -> float:
    """CPU seconds per request; on a first view, the cache of tags is emptied before
    each request (outside the time taken), else one request untimed first reads what
    a first view just emptied (the variants are interleaved)."""
    total = 0.0
    if not first_view:
        await call(app, scope)
    for _ in range(requests):
        if first_view:
            corpus.forget_tags()
        start = time.process_time()
        await call(app, scope)
        total += time.process_time() - start
    return total / requests


async def figure_a(names: tuple[str, ...], rounds: int, cpu_ms: float, interleave_pages: bool = False) -> bool:
    policy = corpus.policy()
    kit = ConsentKit(policy, secret_keys=[SECRET], store="memory://")
    scanner = "the C scanner" if CSCAN is not None else "pure Python (the C scanner is not built)"
    order = "all pages interleaved" if interleave_pages else "one page at a time"
    print(f"(a) the page corpus, {policy.mode} policy, {scanner}; CPU time, median of {rounds} rounds,"
          f" ~{cpu_ms:.0f} ms CPU per variant and round, {order}")
    print("    ConsentMiddleware's added time / GZipMiddleware's added time (us in brackets); target <= 0.5 for"
          " new and returning, tags seen")
    print(f"    {'page':8s} {'KB':>6s} {'gz%':>4s} {'bare us':>8s} {'GZip us':>8s}   "
          + "  ".join(f"{v + ' seen':>17s} {'first':>6s} {'memo':>10s}" for v in corpus.VISITORS) + "  target")
    ok = True
    pages = corpus.pages(names)
    plans: dict[str, tuple[list[tuple[str, Any, dict[str, Any], bool]], list[int]]] = {}
    for name, html in pages.items():
        async def endpoint(request: Request, html: bytes = html) -> Response:
            return HTMLResponse(html)

        def app_with(*middleware: Middleware) -> Starlette:
            return Starlette(routes=[Route("/", endpoint)], middleware=list(middleware))

        apps = {"bare": app_with(), "gzip": app_with(Middleware(GZipMiddleware)),
                # The gate at work (the page memo off: the page's tags seen, or not, but
                # not its bytes), and the memo answering a page whose bytes it has seen.
                "consent": app_with(Middleware(ConsentMiddleware, kit=kit, page_memo_bytes=0)),
                "memo": app_with(Middleware(ConsentMiddleware, kit=kit))}
        scopes = {v: _page_scope(corpus.cookie(kit, v)) for v in corpus.VISITORS}
        variants: list[tuple[str, Any, dict[str, Any], bool]] = [
            ("bare", apps["bare"], scopes["returning"], False), ("gzip", apps["gzip"], scopes["returning"], False)
        ]
        for visitor in corpus.VISITORS:
            for first in (False, True):
                variants.append((f"{visitor}/{'first' if first else 'seen'}", apps["consent"], scopes[visitor], first))
            variants.append((f"{visitor}/memo", apps["memo"], scopes[visitor], False))
        # Requests per round: about cpu_ms of CPU for each variant (a batch of a few
        # requests would measure mostly the processor's caches warming up).
        for _, app, scope, first in variants:
            await timed(app, scope, 5, first)
        plans[name] = variants, [max(10, int(cpu_ms / 1000 / await timed(app, scope, 5, first)))
                                 for _, app, scope, first in variants]
    samples: dict[str, dict[str, list[float]]] = {name: {key: [] for key, *_ in plans[name][0]} for name in pages}
    if interleave_pages:
        # Each round takes every page and every variant in turn: the gate's cached tags
        # are then cold in the processor's caches at the start of each batch, as on a
        # server that serves many pages (a few tenths of GZip's time more; see the README).
        for _ in range(rounds):
            for name, (variants, counts) in plans.items():
                for (key, app, scope, first), requests in zip(variants, counts, strict=True):
                    samples[name][key].append(await timed(app, scope, requests, first))
    else:  # one page at a time, its variants interleaved in every round
        for name, (variants, counts) in plans.items():
            for _ in range(rounds):
                for (key, app, scope, first), requests in zip(variants, counts, strict=True):
                    samples[name][key].append(await timed(app, scope, requests, first))
    for name, html in pages.items():
        median = {key: statistics.median(values) for key, values in samples[name].items()}
        bare = median["bare"]
        gzip_added = median["gzip"] - bare
        cells = []
        for visitor in corpus.VISITORS:
            seen, first, memo = (median[f"{visitor}/{k}"] - bare for k in ("seen", "first", "memo"))
            cells.append(f"{seen / gzip_added:5.2f} ({seen * 1e6:6.0f}) {first / gzip_added:5.2f} ({first * 1e6:5.0f})"
                         f" {memo / gzip_added:5.2f}")
            if visitor != "withdrawing" and seen / gzip_added > 0.5:
                ok = False
        worst = max((median[f"{v}/seen"] - bare) / gzip_added for v in ("new", "returning"))
        compressed = len(gzip.compress(html, 9)) / len(html) * 100
        print(f"    {name:8s} {len(html) / 1000:6.1f} {compressed:4.0f} {bare * 1e6:8.1f} {gzip_added * 1e6:8.1f}   "
              + "  ".join(cells) + f"  {'ok' if worst <= 0.5 else 'MISSED'} ({worst:.2f} <= 0.5)")
    print(f"    target ratio <= 0.5 for new and returning visitors on every page: {'met' if ok else 'MISSED'}")
    return ok


def gate_alone(html: bytes, granted: dict[str, bool], requests: int, variant: str) -> float:
    """CPU time per page of HtmlGate alone: "warm" (the page's tags read before, as
    from the second view on), "cold" (nothing read before) or "python" (cold, and
    the scanner in pure Python, as an install without a C compiler runs)."""
    start = time.process_time()
    for _ in range(requests):
        gate = HtmlGate(POLICY, granted, inject=b"<!-- state and widget -->")
        if variant != "warm":
            gate._rules.tags.clear()
            gate._rules.prefixes = ()
            gate._rules.embeds.clear()
        if variant == "python":
            gate._c = None
        for i in range(0, len(html), CHUNK):
            gate.feed(html[i : i + CHUNK])
        gate.close()
    return (time.process_time() - start) / requests


def figure_b(html: bytes, gated: int, rounds: int) -> None:
    try:
        from selectolax.lexbor import LexborHTMLParser
    except ImportError:
        print("(b) skipped: selectolax is not installed (pip install -e '.[bench]')")
        return
    granted = {"analytics": True}
    ours: list[float] = []
    theirs: list[float] = []
    python: list[float] = []
    for n in range(rounds * 3):
        start = time.process_time()
        rewrite_html(POLICY, granted, html, inject=b"<!-- state -->")
        ours.append(time.process_time() - start)
        start = time.process_time()
        assert LexborHTMLParser(html).html
        theirs.append(time.process_time() - start)
        if n < rounds:
            python.append(gate_alone(html, granted, 1, "python"))
    mb = len(html) / 1e6
    best_ours, best_theirs = min(ours), min(theirs)
    print(f"(b) {len(html) / 1e6:.2f} MB page, {html.count(b'<')} tags, {gated} gated; best of {len(ours)}")
    print(f"    HtmlGate rewrite:         {mb / best_ours:8.1f} MB/s  (median {mb / statistics.median(ours):.1f})")
    print(f"      pure Python:            {mb / min(python):8.1f} MB/s  (ratio {best_theirs / min(python):.2f})")
    print(f"    selectolax parse+serialize:{mb / best_theirs:7.1f} MB/s  (median {mb / statistics.median(theirs):.1f})")
    print(f"    ratio:                    {best_theirs / best_ours:8.2f}  (target >= 3)")


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


async def figure_c(total: int) -> None:
    block, _ = page(CHUNK, body_gated=4)
    body = block[block.index(b"<main") : block.index(b"</main>")]  # repeatable middle of a page
    chunks = total // len(body)

    async def stream() -> AsyncIterator[bytes]:
        yield HEAD.encode()
        for _ in range(chunks):
            yield body
        yield TAIL.encode()

    async def endpoint(request: Request) -> Response:
        return StreamingResponse(stream(), media_type="text/html")

    received = [0]

    def sink(message: dict[str, Any]) -> None:
        received[0] += len(message.get("body", b""))

    gc.collect()
    kit = ConsentKit(POLICY, secret_keys=[SECRET], store="memory://")
    app = Starlette(routes=[Route("/", endpoint)], middleware=[Middleware(ConsentMiddleware, kit=kit)])
    scope = _page_scope(consent_cookie(kit))
    await call(app, _page_scope(""))  # warm up imports and caches
    before = max_rss_mb()
    await call(app, scope, sink)
    how = "ConsentMiddleware"
    growth = max_rss_mb() - before
    print(f"(c) {received[0] / 1e6:.0f} MB streamed through {how} in {len(body) // 1024} KB chunks")
    print(f"    peak RSS growth:          {growth:8.1f} MB  (target < 10)")
    # RSS peaks only move in whole pages and above earlier peaks; the Python heap's
    # own peak over the same run says how much the gate held at once.
    tracemalloc.start()
    gate = HtmlGate(POLICY, {"analytics": True}, inject=b"<!-- state -->")
    gate.feed(HEAD.encode())
    for _ in range(chunks // 10):
        gate.feed(body)
    gate.close()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"    heap peak while gating:   {peak / 1e6:8.2f} MB  (tracemalloc, {chunks // 10} chunks)")


def figure_d() -> None:
    def per_byte(data: bytes) -> float:
        best = float("inf")
        for _ in range(3):
            gate = HtmlGate(POLICY, {})
            start = time.process_time()
            for i in range(len(data)):
                gate.feed(data[i : i + 1])
            gate.close()
            best = min(best, (time.process_time() - start) / len(data))
        return best

    print("(d) held to its end, fed one byte at a time")
    for what, make in (
        ("a tag with '>' in quotes", lambda n: b'<img alt="' + b">" * n + b'" src="/a">'),
        ("an inline script", lambda n: b"<script>" + b"if (a > b) x();" * (n // 15) + b"</script>"),
    ):
        small, large = per_byte(make(8 * 1024)), per_byte(make(64 * 1024))
        print(f"    {what + ':':26s} {large * 1e6:6.2f} us/byte at 64 KiB, {small * 1e6:6.2f} at 8 KiB,"
              f" ratio {large / small:5.2f}  (target <= 2)")


SMALL_PAGE = (b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Thanks</title></head>\n'
              b'<body><main><h1>Thanks</h1><p>Your order is on its way.</p></main></body></html>\n')


async def figure_e(rounds: int, cpu_ms: float) -> bool:
    """Outside the gate: what ConsentMiddleware adds to a page too small for the gate
    to matter (reading the cookie or making a visitor id, the rules, signing, the
    state block and widget tags, the headers), less the gate's own time on it."""
    policy = corpus.policy()
    kit = ConsentKit(policy, secret_keys=[SECRET], store="memory://")

    async def endpoint(request: Request) -> Response:
        return HTMLResponse(SMALL_PAGE)

    bare = Starlette(routes=[Route("/", endpoint)])
    consent = Starlette(routes=[Route("/", endpoint)], middleware=[Middleware(ConsentMiddleware, kit=kit, page_memo_bytes=0)])
    scopes = {v: _page_scope(corpus.cookie(kit, v)) for v in corpus.VISITORS}
    inject = b"x" * 800  # about what the middleware injects

    def gate_time(visitor: str, requests: int) -> float:
        state = Visit.begin(kit, scopes[visitor]).state
        allowed = allowed_units(policy, state.categories, state.services)  # the middleware keeps it per outcome
        start = time.process_time()
        for _ in range(requests):
            gate = ResponseGate(policy, state.categories, content_type=b"text/html; charset=utf-8", inject=inject,
                                services=state.services, allowed=allowed)
            gate.feed(SMALL_PAGE)
            gate.close()
        return (time.process_time() - start) / requests

    # Short batches, many rounds, every variant in each: the ratio is taken within a
    # round (the same neighbours for both), then the median of the rounds.
    requests = max(100, int(cpu_ms / 1000 / 100e-6 / 4))
    samples: dict[str, list[float]] = {key: [] for key in ("bare", *corpus.VISITORS, *(f"gate/{v}" for v in corpus.VISITORS))}
    for _ in range(2):
        for visitor in corpus.VISITORS:
            await timed(consent, scopes[visitor], 100, False)
    ratios = []
    for _ in range(rounds * 4):
        bare_time = await timed(bare, scopes["new"], requests, False)
        samples["bare"].append(bare_time)
        outside_round = {}
        for visitor in corpus.VISITORS:
            samples[visitor].append(await timed(consent, scopes[visitor], requests, False))
            samples[f"gate/{visitor}"].append(gate_time(visitor, requests))
            outside_round[visitor] = samples[visitor][-1] - bare_time - samples[f"gate/{visitor}"][-1]
        ratios.append(outside_round["new"] / outside_round["returning"])
    median = {key: statistics.median(values) for key, values in samples.items()}
    outside = {v: median[v] - median["bare"] - median[f"gate/{v}"] for v in corpus.VISITORS}
    ratio = statistics.median(ratios)
    print(f"(e) outside the gate, a {len(SMALL_PAGE)}-byte page; CPU time, medians of {len(ratios)} rounds")
    print("    " + ",  ".join(f"{v}: added {(median[v] - median['bare']) * 1e6:.1f} us, gate "
                               f"{median[f'gate/{v}'] * 1e6:.1f}, outside {outside[v] * 1e6:.1f}" for v in corpus.VISITORS))
    print(f"    new visitor / returning visitor outside the gate: {ratio:.2f} (median of the rounds' ratios; "
          f"quartiles {statistics.quantiles(ratios, n=4)[0]:.2f}-{statistics.quantiles(ratios, n=4)[2]:.2f})"
          f"  (target <= 1.2: {'met' if ratio <= 1.2 else 'MISSED'})")
    return ratio <= 1.2


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--cpu-ms", type=float, default=40, help="CPU per variant and round in (a)")
    parser.add_argument("--pages", default=",".join(corpus.ORDER), help="the pages of (a), comma-separated")
    parser.add_argument("--interleave-pages", action="store_true",
                        help="(a): every page's variants in each round, instead of one page at a time")
    parser.add_argument("--stream-mb", type=int, default=100)
    parser.add_argument("--only", default="abcde", help="which figures to print, e.g. 'a'")
    args = parser.parse_args()
    if "c" in args.only:
        await figure_c(args.stream_mb * 1_000_000)  # first, before the other figures raise the peak
    if "a" in args.only:
        await figure_a(tuple(args.pages.split(",")), args.rounds, args.cpu_ms, args.interleave_pages)
    if "b" in args.only:
        big, gated_big = page(1_000_000, body_gated=60)
        figure_b(big, gated_big, args.rounds)
    if "d" in args.only:
        figure_d()
    if "e" in args.only:
        await figure_e(args.rounds, args.cpu_ms)


if __name__ == "__main__":
    asyncio.run(main())
