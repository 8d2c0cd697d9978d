"""A Content-Security-Policy set after the template rendered (in the view, or by a
middleware outside ConsentMiddleware): ``consent_head()`` and ``consent_tag()``
write a per-request placeholder, which the middleware fills with the response's
nonce as the body streams, or removes when there is none."""

from __future__ import annotations

import logging
import random
import re
import secrets

import httpx
import jinja2
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from consentkit import ConsentMiddleware
from consentkit.csp_nonce import NonceFiller
from consentkit.testing.server import serve

from .kits import make_policy

pytestmark = pytest.mark.anyio

PAGE = """<!doctype html><html><head><meta charset="utf-8">{{ consent_head() }}<title>Quote</title></head><body>
{{ consent_tag("analytics", "script", src="https://www.googletagmanager.com/gtag/js?id=G-X") }}
<p>{{ said }}</p>
</body></html>"""
NONCE = "v13wN0nce-" + "a" * 12


def templates_for(kit) -> Jinja2Templates:
    templates = Jinja2Templates(env=jinja2.Environment(loader=jinja2.DictLoader({"page.html": PAGE}), autoescape=True))
    kit.install(templates.env)
    return templates


def app_for(kit, *, outer: list[Middleware] = ()) -> Starlette:
    templates = templates_for(kit)

    async def csp_in_view(request: Request):
        response = templates.TemplateResponse(request, "page.html", {"said": request.query_params.get("say", "")})
        response.headers["Content-Security-Policy"] = f"script-src 'nonce-{NONCE}' 'self'"
        return response

    async def csp_without_nonce(request: Request):
        response = templates.TemplateResponse(request, "page.html", {"said": ""})
        response.headers["Content-Security-Policy"] = "script-src 'self'"
        return response

    async def no_csp(request: Request):
        return templates.TemplateResponse(request, "page.html", {"said": ""})

    async def streamed(request: Request):
        html = templates.get_template("page.html").render(said="")

        async def body():
            for i in range(0, len(html), 5):
                yield html[i : i + 5]

        return StreamingResponse(body(), media_type="text/html",
                                 headers={"Content-Security-Policy": f"script-src 'nonce-{NONCE}'"})

    routes = [Route("/", csp_in_view), Route("/self", csp_without_nonce), Route("/plain", no_csp),
              Route("/stream", streamed)]
    return Starlette(routes=routes, middleware=[*outer, Middleware(ConsentMiddleware, kit=kit)])


class OuterCsp:
    """A security-headers middleware outside ConsentMiddleware: its nonce in
    request.state.csp_nonce for the app, its header on the way out."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["csp_nonce"] = nonce

        async def with_csp(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []),
                                      (b"content-security-policy", f"script-src 'nonce-{nonce}'".encode())]
            await send(message)

        await self.app(scope, receive, with_csp)


def nonces(html: str) -> list[str]:
    return re.findall(r'nonce="([^"]*)"', html)


async def get(app, path: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        return await c.get(path)


@pytest.mark.parametrize("path", ["/", "/stream"])
async def test_nonce_set_in_the_view_after_rendering_reaches_the_widget(make_kit, path):
    html = (await get(app_for(make_kit(make_policy("opt_in"))), path)).text
    # the stylesheet, two scripts and the inert gtag script
    assert nonces(html) == [NONCE] * 4, html
    assert "consentkit-nonce-" not in html


async def test_nonce_of_an_outer_middleware(make_kit):
    response = await get(app_for(make_kit(), outer=[Middleware(OuterCsp)]), "/plain")
    nonce = re.search(r"'nonce-([^']+)'", response.headers["content-security-policy"]).group(1)
    assert set(nonces(response.text)) == {nonce} and len(nonces(response.text)) == 4


@pytest.mark.parametrize(("path", "told"), [("/self", False), ("/plain", True)])
async def test_without_a_nonce_the_placeholder_goes(make_kit, caplog, path, told):
    kit = make_kit()
    app = app_for(kit)
    with caplog.at_level(logging.INFO, logger="consentkit"):
        first, second = (await get(app, path)).text, (await get(app, path)).text
    assert nonces(first) == nonces(second) == [] and "consentkit-nonce-" not in first
    said = [r for r in caplog.records if "rendered without a CSP nonce" in r.getMessage()]
    assert len(said) == (1 if told else 0)


async def test_reflected_markup_never_gets_the_nonce(make_kit):
    """A guessed placeholder in reflected text stays as it was (escaped by Jinja here,
    and even raw it is not this request's placeholder)."""
    evil = '<script nonce="consentkit-nonce-AAAAAAAAAAAAAAAAAAAAAAAA">x()</script>'
    html = (await get(app_for(make_kit()), "/?say=" + evil)).text
    assert nonces(html).count(NONCE) == 4 and "consentkit-nonce-AAAA" in html


@pytest.mark.parametrize("seed", range(20))
def test_filler_whatever_the_chunks(seed):
    rng = random.Random(seed)
    ph = "consentkit-nonce-" + "x" * 24
    parts = [rng.choice(["<p>", f' nonce="{ph}"', ' nonce="other"', " ", "n", '"', ph]) for _ in range(60)]
    body = "".join(parts).encode()
    for put, expect in ((NONCE, f' nonce="{NONCE}"'), (None, "")):
        filler = NonceFiller(ph, put)
        cuts = sorted(rng.sample(range(1, len(body)), 8))
        pieces = [body[a:b] for a, b in zip([0, *cuts], [*cuts, len(body)], strict=True)]
        out = b"".join(filler.feed(p, final=i == len(pieces) - 1) for i, p in enumerate(pieces))
        assert out == body.replace(f' nonce="{ph}"'.encode(), expect.encode())


@pytest.mark.browser
def test_the_widget_runs_under_the_views_csp_in_chromium(make_kit, page):
    """The end of it: a strict CSP set in the view, and the banner shows."""
    kit = make_kit(make_policy("opt_in"))
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    with serve(app_for(kit)) as server:
        page.goto(server.url + "/")
        page.wait_for_selector("[data-consentkit-action='accept-all']", state="visible")
    assert not [e for e in errors if "Content Security Policy" in e], errors
