"""``consentkit scan`` over several pages (issue 19): URLs and a sitemap in one run,
progress on a terminal only, one line per problem with its fix, a page without a
banner failing the scan, and the scan's decisions recorded as a test's."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from consentkit import ConsentKit, ConsentMiddleware, Policy
from consentkit.testing import LiveServer, serve

from .test_scan import SECRET, SHOP_POLICY

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parent.parent


def shop(kit: ConsentKit) -> Starlette:
    async def page(request: Request) -> HTMLResponse:
        port = request.url.port
        tracker = f'<script src="http://tracker.localhost:{port}/t.js"></script>' if "leaky" in request.url.path else ""
        return HTMLResponse(f'<!doctype html><html lang="en"><head><title>Shop</title></head><body><h1>Shop</h1>'
                            f"{tracker}</body></html>")

    async def sitemap(request: Request) -> Response:
        base = f"http://{request.headers['host']}"
        locs = "".join(f"<url><loc>{base}{path}</loc></url>" for path in ("/", "/leaky", "/leaky/2"))
        return Response(f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}'
                        "</urlset>", media_type="application/xml")

    async def script(request: Request) -> Response:
        return Response("window.t = 1;", media_type="text/javascript")

    routes = [Route("/", page), Route("/leaky", page), Route("/leaky/2", page), Route("/sitemap.xml", sitemap),
              Route("/t.js", script)]
    return Starlette(routes=routes, middleware=[Middleware(ConsentMiddleware, kit=kit)])


async def bare_page(request: Request) -> HTMLResponse:
    return HTMLResponse('<!doctype html><html lang="en"><head><title>Bare</title></head><body>No banner</body></html>')


@pytest.fixture(scope="module")
def kit() -> ConsentKit:
    import tomllib

    return ConsentKit(Policy.from_dict(tomllib.loads(SHOP_POLICY)), secret_keys=[SECRET], store="memory://")


@pytest.fixture(scope="module")
def sites(kit: ConsentKit) -> Iterator[tuple[LiveServer, LiveServer]]:
    with serve(shop(kit)) as site, serve(Starlette(routes=[Route("/", bare_page)]), public_host="localhost") as bare:
        yield site, bare


def _run_on_a_terminal(args: list[str]) -> tuple[int, str, str]:
    """Run ``consentkit scan`` with its stderr on a pseudo-terminal (as in a shell)."""
    leader, follower = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "consentkit.commands.scan", *args], stdout=subprocess.PIPE,
                               stderr=follower, env=env, text=True)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    out = process.stdout.read() if process.stdout else ""
    status = process.wait(timeout=300)
    os.close(leader)
    return status, out, seen.decode(errors="replace")


def test_pages_and_a_sitemap_one_line_per_problem(sites: tuple[LiveServer, LiveServer], kit: ConsentKit,
                                                   tmp_path: Path) -> None:
    site, bare = sites
    policy = tmp_path / "policy.toml"
    policy.write_text(SHOP_POLICY)
    status, out, progress = _run_on_a_terminal([
        bare.url + "/", "--sitemap", site.url + "/sitemap.xml", "--policy", str(policy),
        "--test-token", kit.test_token, "--timeout", "20"])
    assert status == 1, out
    # Progress went to the terminal, page by page and visit by visit; the report to stdout.
    assert "[1/4] " + bare.url + "/ visit 1/3: no choice" in progress
    assert "[4/4] " + site.url + "/leaky/2 visit 3/3: accept all" in progress
    assert "visit 1/3" not in out
    verdict = out.split("FAIL: ")[1]
    lines = verdict.splitlines()
    assert lines[0] == "2 problem(s):", verdict
    assert lines[1].startswith(f"  No consent banner: {bare.url}/ (visits: no-choice) - fix: mount ConsentMiddleware")
    # The tracker on two pages, in every visit: one line, and what to do.
    assert lines[2].startswith("  Undeclared third-party host: tracker.localhost (visits: no-choice, reject-all, "
                               "accept-all; 2 pages) - fix: add host tracker.localhost to the category")
    # The scan's choices are in the site's ledger as a test's: out of its statistics.
    sources = {r.source for r in kit.ledger.store.records.values()}
    assert sources == {"test"}


def test_without_a_terminal_no_progress_and_a_note_about_the_token(sites: tuple[LiveServer, LiveServer],
                                                                   kit: ConsentKit) -> None:
    site, _ = sites
    result = subprocess.run([sys.executable, "-m", "consentkit.commands.scan", site.url + "/", "--timeout", "20"],
                            capture_output=True, text=True, timeout=300, check=False,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    assert "PASS: no violation found." in result.stdout
    assert "pass --test-token" in result.stdout
    assert {r.source for r in kit.ledger.store.records.values()} >= {"banner"}
