"""An app served under a sub-path (``Mount("/shop", app)``, ``uvicorn --root-path
/shop``): the endpoints answer under it, and every URL consentkit writes (the
widget's tags, the endpoints the widget calls, form actions, redirects, "back to
the site") starts with it."""

from __future__ import annotations

import re

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

from consentkit.mount import root_url, route_path
from consentkit.testing.server import serve

from .apps import make_app

pytestmark = pytest.mark.anyio

SITE = "http://testserver"
SAME_SITE = {"Origin": SITE}


def shop(kit) -> Starlette:
    """The app with consentkit, mounted at /shop of a site that has its own root page."""
    async def root(request):
        return PlainTextResponse("the outer site")

    return Starlette(routes=[Route("/", root), Mount("/shop", make_app(kit))])


def client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=SITE)


@pytest.mark.parametrize(("scope", "path", "root"), [
    ({"path": "/shop/consentkit/state", "root_path": "/shop"}, "/consentkit/state", "/shop"),
    ({"path": "/shop", "root_path": "/shop"}, "/", "/shop"),
    ({"path": "/shopping/x", "root_path": "/shop"}, "/shopping/x", "/shop"),   # not under the root: as it is
    ({"path": "/consentkit/state", "root_path": ""}, "/consentkit/state", ""),
    ({"path": "/consentkit/state"}, "/consentkit/state", ""),
    ({"path": "/a b/x", "root_path": "/a b/"}, "/x", "/a%20b"),
    ({"path": '/"><x/x', "root_path": '/"><x'}, "/x", "/%22%3E%3Cx"),   # a path parameter is client text
])
def test_route_path_and_root(scope, path, root):
    assert route_path(scope) == path
    assert root_url(scope) == root


async def test_mounted_app_serves_its_endpoints_and_writes_its_urls(make_kit):
    kit = make_kit()
    async with client(shop(kit)) as c:
        page = (await c.get("/shop/")).text
        tags = re.findall(r'(?:src|href)="([^"]*consentkit[^"]*)"', page)
        assert len(tags) == 3 and all(url.startswith("/shop/consentkit/") for url in tags), tags
        for url in tags:
            assert (await c.get(url.replace("&amp;", "&"))).status_code == 200, url
        boot = (await c.get(next(u for u in tags if "boot.js" in u).replace("&amp;", "&"))).text
        assert '"prefix":"/shop/consentkit"' in boot     # where the widget sends choices
        state = await c.get("/shop/consentkit/state")
        assert state.status_code == 200 and state.json()["decided"] is False
        assert (await c.get("/shop/consentkit/openapi.json")).json()["servers"] == [{"url": "/shop"}]
        # The outer site is not the app: its /consentkit is not ours.
        assert (await c.get("/consentkit/state")).status_code == 404
        assert (await c.get("/")).text == "the outer site"


async def test_mounted_pages_forms_and_redirects_stay_under_the_root(make_kit):
    kit = make_kit()
    async with client(shop(kit)) as c:
        dns = (await c.get("/shop/consentkit/do-not-sell")).text
        assert 'action="/shop/consentkit/opt-out"' in dns and 'href="/shop/"' in dns
        prefs = (await c.get("/shop/consentkit/preferences")).text
        assert 'action="/shop/consentkit/preferences"' in prefs
        assert 'href="/shop/"' in prefs                       # back to the site: the app's home
        assert 'href="/shop/consentkit/widget.css' in prefs
        token = re.search(r'name="csrf_token" value="([^"]+)"', prefs).group(1)
        saved = await c.post("/shop/consentkit/preferences", data={"csrf_token": token, "analytics": "on"},
                             headers=SAME_SITE)
        assert saved.status_code == 303 and saved.headers["location"] == "/shop/consentkit/preferences?saved=1"
        out = await c.post("/shop/consentkit/opt-out", data={"next": ""}, headers=SAME_SITE)
        assert out.status_code == 303 and out.headers["location"] == "/shop/consentkit/do-not-sell?done=1"
        receipts = (await c.get("/shop/consentkit/receipts")).json()["receipts"]
        assert receipts and receipts[-1]["withdrawal"]["preferences"] == "/shop/consentkit/preferences"
        # One consent per host: the __Host- cookie on HTTPS must be Path=/, and so is this one.
        assert "Path=/;" in out.headers["set-cookie"]
        assert (await c.get("/shop/whoami")).json()["analytics"] is True


async def test_gpc_json_under_the_mount_and_where_the_docs_put_it(make_kit):
    """gpc.json belongs at the site's root, which a mounted app does not own: the
    outer app routes it to ``kit.gpc_json`` (docs/deployment.md); the mounted
    middleware still answers it below its own root."""
    kit = make_kit()
    outer = shop(kit)
    outer.router.routes.insert(0, Route("/.well-known/gpc.json", kit.gpc_json))
    async with client(outer) as c:
        for url in ("/.well-known/gpc.json", "/shop/.well-known/gpc.json"):
            answer = await c.get(url)
            assert answer.status_code == 200 and answer.json()["gpc"] is True, url


def test_uvicorn_root_path(make_kit):
    """``uvicorn --root-path /shop`` behind a proxy that strips /shop: the server puts
    the root in front of every path; the app answers, and writes /shop URLs."""
    kit = make_kit()
    with serve(make_app(kit), root_path="/shop") as server, httpx.Client(base_url=server.url) as c:
        page = c.get("/").text
        assert 'src="/shop/consentkit/boot.js?v=' in page
        assert c.get("/consentkit/state").status_code == 200
        out = c.post("/consentkit/opt-out", data={"next": ""}, headers={"Origin": server.url})
        assert out.status_code == 303 and out.headers["location"] == "/shop/consentkit/do-not-sell?done=1"
        assert c.get("/whoami").status_code == 200


def test_a_client_made_root_is_escaped_and_never_grows_the_kit(make_kit):
    """A root from a path parameter (``Mount("/{site}", app)``) is the client's text:
    escaped where it is written, and the kit keeps only a few built."""
    kit = make_kit()
    heads = {kit.head_at(f"/site{i}").prefix for i in range(40)}
    assert len(heads) == 40 and len(kit._heads) <= 16
