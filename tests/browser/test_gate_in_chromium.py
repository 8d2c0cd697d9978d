"""The server-side gate against the reader that matters: a tracker written in 33
ways HTML allows, served through ConsentMiddleware to real Chromium, with
JavaScript off where the case allows (so that only the server's gating counts, not
the widget), to a visitor who granted nothing: not one request may reach a host of
a category without consent. The same pages served without the middleware do reach
it, which shows that each case would catch a leak.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import BrowserContext
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from consentkit import ConsentKit, ConsentMiddleware
from consentkit.rewrite import rewrite_html
from consentkit.testing.server import LiveServer, serve

from ..hostile import hostile
from ..kits import make_policy
from .site import SECRET, site_policy

GATE_POLICY = make_policy()

pytestmark = pytest.mark.browser

# Each case loads one URL ({u}) from a tracker host; {p} is the server's port. The
# hosts are this server under other names (*.localhost is loopback).
CASES: dict[str, str] = {
    "script": '<script src="{u}"></script>',
    "script-module-uppercase": "<SCRIPT TYPE=module SRC={u}></SCRIPT>",
    "script-attrs-across-lines": '<script\n  async\n  src="{u}"\n></script>',
    "script-quoted-gt-before-src": '<script data-x="a > b" src="{u}"></script>',
    "img": '<img src="{u}" alt="">',
    "img-srcset": '<img srcset="{u} 1x" alt="">',
    "img-self-closing-unquoted": "<img src={u} />",
    "picture-source": '<picture><source srcset="{u}"><img src="/local.gif" alt=""></picture>',
    "iframe": '<iframe src="{u}"></iframe>',
    "link-stylesheet": '<link rel="stylesheet" href="{u}">',
    "link-preload": '<link rel="preload" as="image" href="{u}">',
    "link-prefetch": '<link rel="prefetch" href="{u}">',
    "video-poster": '<video poster="{u}" width="10" height="10"></video>',
    "embed": '<embed src="{u}" type="image/gif">',
    "object": '<object data="{u}" type="image/gif"></object>',
    "input-image": '<input type="image" src="{u}" alt="go">',
    "svg-image": '<svg width="10" height="10"><image href="{u}" width="10" height="10"/></svg>',
    "svg-image-xlink": '<svg width="10" height="10"><image xlink:href="{u}" width="10" height="10"/></svg>',
    "svg-use": '<svg width="10" height="10"><use href="{u}#a"/></svg>',
    "svg-feimage": ('<svg width="10" height="10"><filter id="f"><feImage href="{u}"/></filter>'
                    '<rect width="10" height="10" filter="url(#f)"/></svg>'),
    "noscript-img": '<noscript><img src="{u}" alt=""></noscript>',
    "marked-but-live": '<img data-consent="analytics" src="{u}" alt="">',
    "marked-necessary-but-tracker": '<img data-consent="necessary" src="{u}" alt="">',
    "after-comment-with-fake-end": '<!-- <script> --><img src="{u}" alt="">',
    "after-script-with-fake-tags": '<script>var s = "<img src=x>";</script><img src="{u}" alt="">',
    "after-textarea": '<textarea><img src="/x"></textarea><img src="{u}" alt="">',
    "entities-in-url": '<img src="{e}" alt="">',
    "backslashes-in-url": '<img src="{b}" alt="">',
    "tab-and-newline-in-url": '<img src="{t}" alt="">',
    "percent-in-host": '<img src="{c}" alt="">',
    "uppercase-host": '<img src="{h}" alt="">',
    "scheme-relative": '<img src="{r}" alt="">',
    "base-on-tracker": '<base href="http://ads.localhost:{p}/base/"><img src="rel.gif" alt="">',
    # The first, served inert, has no href: the second is the page's base then.
    "two-bases-on-tracker": ('<base href="http://ads.localhost:{p}/base/"><base href="http://ads.localhost:{p}/base/">'
                             '<img src="rel.gif" alt="">'),
}


# Chromium fetches no script with JavaScript off, and reads <noscript> as markup only
# then: script cases run with it on (the widget then runs too, and, with nothing
# granted, must not load a tracker either), the others with it off.
NEEDS_JAVASCRIPT = {name for name in CASES if name.startswith("script")}


def _page(name: str, port: int) -> str:
    url = f"http://ads.localhost:{port}/t/{name}"
    body = CASES[name].format(
        u=url,
        p=port,
        e=url.replace("//", "&#x2F;&#47;").replace(".", "&period;", 1),
        b=url.replace("//", "\\\\"),
        t=url.replace("ads.", "a\tds.\n"),
        c=url.replace("ads.", "%61ds."),
        h=url.replace("ads.localhost", "ADS.LocalHost"),
        r=url.removeprefix("http:"),
    )
    return f"<!doctype html><html lang=en><head><title>{name}</title></head><body><p>{name}</p>{body}</body></html>"


async def case(request: Request) -> Response:
    return HTMLResponse(_page(request.path_params["name"], request.url.port or 80))


async def anything(request: Request) -> Response:
    return Response(b"", media_type="image/gif")


def _app(gated: bool) -> Starlette:
    routes = [Route("/case/{name}", case), Route("/{path:path}", anything)]
    if not gated:
        return Starlette(routes=routes)
    kit = ConsentKit(site_policy("opt_in", age_gate=False), secret_keys=[SECRET], store="memory://")
    return Starlette(routes=routes, middleware=[Middleware(ConsentMiddleware, kit=kit)])


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, LiveServer]]:
    running = {"gated": serve(_app(True), public_host="localhost"), "bare": serve(_app(False), public_host="localhost")}
    yield running
    for server in running.values():
        server.stop()


def _tracker_requests(new_context: Callable[..., BrowserContext], server: LiveServer, name: str) -> list[str]:
    context = new_context(java_script_enabled=name in NEEDS_JAVASCRIPT)
    seen: list[str] = []
    context.on("request", lambda request: seen.append(request.url))
    page = context.new_page()
    page.goto(f"{server.url}/case/{name}", wait_until="load")
    page.wait_for_timeout(150)  # preloads and icons may start after load
    context.close()
    return [url for url in seen if "ads.localhost" in url.lower() or "%61ds" in url.lower()]


@pytest.mark.parametrize("name", sorted(CASES))
def test_nothing_reaches_a_tracker_without_consent(new_context, servers, name):
    leaked = _tracker_requests(new_context, servers["gated"], name)
    assert leaked == [], f"{name}: Chromium requested {leaked}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_without_the_middleware_the_same_page_reaches_the_tracker(new_context, servers, name):
    assert _tracker_requests(new_context, servers["bare"], name), f"{name}: the case loads nothing even ungated"


# -- Chromium's own parser as the judge of generated hostile documents ---------------

# 400 documents: Chromium also judges those html5lib reads as of old (html_judge._PREDATES).
HOSTILE = [hostile(random.Random(seed), 10) for seed in range(400)]
# What loads from the tracker in the DOM Chromium built (template content excluded).
_LIVE_IN_DOM = """() => {
  const out = [];
  const urls = el => [el.getAttribute('src'), el.getAttribute('href'), el.getAttribute('poster'),
                      el.getAttribute('data'), el.getAttribute('srcset'), el.getAttribute('imagesrcset'),
                      el.getAttributeNS('http://www.w3.org/1999/xlink', 'href')];
  for (const el of document.querySelectorAll('img,iframe,link,script,video,embed,object,image,source')) {
    if (el.closest('template')) continue;
    if (el.tagName === 'LINK' && !/stylesheet|preload|prefetch|icon|preconnect/i.test(el.rel)) continue;
    for (const u of urls(el)) if (u && u.includes('ads.example-ads.test')) out.push(el.outerHTML);
  }
  return out;
}"""


def _chromium_reads(new_context: Callable[..., BrowserContext], docs: list[str], javascript: bool) -> list[str]:
    context = new_context(java_script_enabled=javascript)
    seen: list[str] = []
    context.route("https://ads.example-ads.test/**", lambda route: (seen.append(route.request.url), route.abort()))
    page = context.new_page()
    found = []
    for doc in docs:
        before = len(seen)
        page.set_content(f"<!doctype html><html><head></head><body>{doc}</body></html>", wait_until="load")
        page.wait_for_timeout(20)
        live = page.evaluate(_LIVE_IN_DOM)
        if live or len(seen) > before:
            found.append(doc)
    context.close()
    return found


@pytest.mark.parametrize("javascript", [False, True], ids=["js-off", "js-on"])
def test_chromium_loads_nothing_from_gated_hostile_documents(new_context, javascript):
    gated = [rewrite_html(GATE_POLICY, {}, doc.encode()).decode() for doc in HOSTILE]
    leaked = _chromium_reads(new_context, gated, javascript)
    assert leaked == [], leaked[:3]


def test_chromium_loads_from_most_of_them_ungated(new_context):
    assert len(_chromium_reads(new_context, HOSTILE, False)) > len(HOSTILE) // 2
