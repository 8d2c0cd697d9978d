"""The banner's layouts in Chromium (issue 19): a bar or a box, at the bottom or the
top, a box also on either side; in each, "Accept all", "Reject all" and "Choose" are
the same size and look (equal weight), at a desktop and a phone width."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import BrowserContext
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import HTMLResponse
from starlette.routing import Route

from consentkit import Category, ConsentKit, ConsentMiddleware, Policy
from consentkit.policy import LAYOUTS
from consentkit.testing import LiveServer, serve

pytestmark = pytest.mark.browser

CASES = [(layout, position) for layout, positions in LAYOUTS.items() for position in positions]
STYLE = ("e => ['fontWeight', 'fontSize', 'backgroundColor', 'color', 'borderTopWidth', 'borderTopColor']"
         ".map(k => getComputedStyle(e)[k])")


async def home(request: object) -> HTMLResponse:
    return HTMLResponse('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title></head>'
                        "<body><h1>Layouts</h1></body></html>")


@pytest.fixture(scope="module")
def sites() -> Iterator[dict[tuple[str, str], LiveServer]]:
    running = {}
    for layout, position in CASES:
        policy = Policy("2026-11-01", [Category("necessary", required=True), Category("analytics")],
                        mode="opt_in", layout=layout, position=position)
        kit = ConsentKit(policy, secret_keys=["layouts-test-secret-0123"], store="memory://")
        running[layout, position] = serve(Starlette(routes=[Route("/", home)],
                                                    middleware=[Middleware(ConsentMiddleware, kit=kit)]))
    yield running
    for server in running.values():
        server.stop()


@pytest.mark.parametrize("width", [1280, 360])
def test_every_layout_keeps_the_buttons_equal_and_sits_where_asked(
    sites: dict[tuple[str, str], LiveServer], new_context: Callable[..., BrowserContext], width: int,
) -> None:
    height = 720
    page = new_context(viewport={"width": width, "height": height}).new_page()
    for (layout, position), site in sites.items():
        where = f"{layout} {position} at {width}px"
        page.goto(site.url + "/")
        banner = page.locator("#consentkit-banner")
        banner.wait_for()
        box = banner.bounding_box()
        assert box, where
        buttons = [page.locator(f'#consentkit-banner [data-consentkit-action="{name}"]')
                   for name in ("accept-all", "reject-all", "preferences")]
        sizes = [b.bounding_box() for b in buttons]
        assert all(sizes), where
        for size in sizes[1:]:
            assert abs(size["width"] - sizes[0]["width"]) < 0.5, where
            assert abs(size["height"] - sizes[0]["height"]) < 0.5, where
        looks = [b.evaluate(STYLE) for b in buttons]
        assert looks[1:] == looks[:-1], where
        # Where it is: the top or the bottom of the window; a bar its whole width, a box
        # narrower on a wide window, on its side.
        if position.startswith("top"):
            assert box["y"] < 20, where
        else:
            assert box["y"] + box["height"] > height - 80, where   # above the "Privacy choices" bar
        if layout == "bar":
            assert box["width"] >= width - 1, where
        elif width > 600:
            assert box["width"] < 500, where
            centre = box["x"] + box["width"] / 2
            if position.endswith("left"):
                assert box["x"] < 20, where
            elif position.endswith("right"):
                assert box["x"] + box["width"] > width - 20, where
            else:
                assert abs(centre - width / 2) < 2, where
