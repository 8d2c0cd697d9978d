"""The gate decides per service: a tag whose URL is on a service's declared host is
live when that service (or its category) is granted, and only then."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import HTMLResponse
from starlette.routing import Route

from consentkit import ConsentMiddleware
from consentkit.rewrite import rewrite_html

from .kits import embeds_policy

YOUTUBE = b'<iframe src="https://www.youtube.com/embed/abc" title="A video"></iframe>'
MAPS = b'<iframe src="https://www.google.com/maps/embed?pb=1" title="A map"></iframe>'
MARKED = b'<iframe data-consent="media" data-src="https://www.youtube.com/embed/abc" title="A video"></iframe>'
BY_SERVICE = b'<iframe data-consent="youtube" data-src="https://www.youtube.com/embed/abc" title="A video"></iframe>'
SCRIPT = b'<script src="https://www.youtube.com/iframe_api"></script>'
NONE = {"analytics": False, "captcha": False, "advertising": False, "media": False}


def gate(html, granted=None, services=None):
    return rewrite_html(embeds_policy(), {**NONE, **(granted or {})}, html, services=services)


LIVE_YT = b'src="https://www.youtube.com/embed/abc"'


@pytest.mark.parametrize(("html", "granted", "services", "live"), [
    (YOUTUBE, {}, None, False),
    (YOUTUBE, {}, {"youtube": True}, True),
    (YOUTUBE, {"media": True}, None, True),
    (YOUTUBE, {"media": True}, {"youtube": False}, False),
    (YOUTUBE, {}, {"maps": True}, False),
    (MARKED, {}, {"youtube": True}, True),
    (MARKED, {}, {"maps": True}, False),
    (MARKED, {"media": True}, {"youtube": False}, False),
    (BY_SERVICE, {}, {"youtube": True}, True),
    (BY_SERVICE, {"media": True}, {"youtube": False}, False),
])
def test_an_embed_is_live_exactly_when_its_service_is(html, granted, services, live):
    out = gate(html, granted, services)
    assert (LIVE_YT in out and b"data-src" not in out) is live, out
    if not live:
        assert b'data-src="https://www.youtube.com/embed/abc"' in out and b"data-consent=" in out


def test_inert_tags_are_labelled_with_categories_as_before():
    assert b'data-consent="media"' in gate(YOUTUBE, {}, {"maps": True})
    assert b'data-consent="media"' in gate(MAPS, {}, {"youtube": True})
    assert b' src="https://www.google.com/maps/embed' not in gate(MAPS, {}, {"youtube": True})


def test_a_script_naming_a_service_host_follows_the_service():
    assert b'type="text/plain"' not in gate(SCRIPT, {}, {"youtube": True})
    assert b'type="text/plain" data-consent="media"' in gate(SCRIPT, {}, {"maps": True})


@pytest.mark.anyio
async def test_always_allow_youtube_through_the_middleware(make_kit):
    kit = make_kit(embeds_policy())

    async def page(request):
        return HTMLResponse(b"<!doctype html><html><head></head><body>" + YOUTUBE + MAPS + b"</body></html>")

    app = Starlette(routes=[Route("/", page)], middleware=[Middleware(ConsentMiddleware, kit=kit)])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver",
                                 headers={"Origin": "http://testserver"}) as c:
        before = (await c.get("/")).text
        assert 'data-src="https://www.youtube.com/embed/abc"' in before
        r = await c.post("/consentkit/consent", json={"services": {"youtube": True}, "source": "preferences"})
        assert r.status_code == 200 and r.json()["services"]["youtube"] is True
        after = (await c.get("/")).text
    assert ' src="https://www.youtube.com/embed/abc"' in after
    assert 'data-src="https://www.google.com/maps/embed?pb=1"' in after
