"""Open redirects through ``next`` and header injection through anything a request
carries, driven by hypothesis straight through ASGI.

Already covered elsewhere, and not repeated: a handful of off-site ``next`` values
on the two POSTs (``tests/test_pages.py::test_post_never_redirects_off_site``,
``tests/test_endpoints.py::test_opt_out_json_and_form``). Here: any ``next``, on the
GET pages' links and hidden field too, judged as a browser's URL parser reads it.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from functools import cache
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from starlette.types import ASGIApp

from consentkit import ConsentKit
from consentkit.pages import csrf_token
from consentkit.state import Choices
from tests.apps import make_app
from tests.kits import SECRET, Clock, make_policy

from .exchange import SITE, Answer, assert_clean_headers, exchange, lands_on_site
from .markup import parse

FORM = (b"content-type", b"application/x-www-form-urlencoded")
TRICKS = [
    "//evil.test/", "/\\evil.test/", "\\\\evil.test", "/\t/evil.test", "/\n/evil.test", " //evil.test",
    "\x00//evil.test", "/\x0b/evil.test", "https://evil.test", "http:evil.test", "http:/\\evil.test",
    "javascript:alert(1)", " JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>",
    "/%2F%2Fevil.test", "/%5Cevil.test", "/.//evil.test", "/..//evil.test", "/\u3000/evil.test",
    "//evil.test@testserver/", "/@evil.test", "\u2215\u2215evil.test", "\uff0f\uff0fevil.test",
    "/x\r\nSet-Cookie: owned=1", "/x%0d%0aSet-Cookie:%20owned=1", "/" + "a" * 3000,
]
_ALPHABET = st.sampled_from(list("/\\:@.%?#&= \t\r\n\x00\x0bAaEe0\u3000\uff0f\u2215\u00e9") + ["evil.test", "//"])
targets = st.sampled_from(TRICKS) | st.tuples(
    st.sampled_from(["", "/", "//", "/\\", "\\", " /", "http:", "https://", "/%2f"]),
    st.lists(_ALPHABET, max_size=12).map("".join),
).map("".join)
VISITOR = "visitor-0123456789abcdef"


@cache
def _kit() -> ConsentKit:
    """One kit for every example: nothing here reads what an example leaves behind."""
    return ConsentKit(make_policy(), secret_keys=[SECRET], store="memory://", clock=Clock())


@cache
def _app() -> ASGIApp:
    return make_app(_kit())


def _cookie(kit: ConsentKit, minor: bool) -> tuple[bytes, bytes]:
    now = kit.clock()
    choices = Choices(visitor_id=VISITOR, policy_version=kit.policy.version, decided_at=now, updated_at=now,
                      age_band="13_15" if minor else "16_plus")
    return (b"cookie", f"{kit.cookie_name}={kit.codec.dumps(choices)}".encode())


def _links(answer: Answer) -> list[str]:
    page = parse(answer.body.decode())
    found = [e.attrs["href"] for e in page.elements if e.tag == "a" and "href" in e.attrs]
    found += [e.attrs.get("value", "") for e in page.elements if e.tag == "input" and e.attrs.get("name") == "next"]
    return [link for link in found if link]


async def _every_surface(target: str, minor: bool) -> None:
    kit, app = _kit(), _app()
    cookie = _cookie(kit, minor)
    origin = (b"origin", SITE.encode())
    query = urlencode({"next": target}).encode()
    for path in ("/consentkit/preferences", "/consentkit/do-not-sell"):
        page = await exchange(app, "GET", path, query=query, headers=[cookie])
        assert page.status == 200
        assert_clean_headers(page)
        for link in _links(page):
            assert lands_on_site(link), f"{path}?next={target!r} links to {link!r}"
    posts = {
        "/consentkit/opt-out": {"next": target},
        "/consentkit/preferences": {"next": target, "csrf_token": csrf_token(kit, VISITOR), "advertising": "1"},
    }
    for path, form in posts.items():
        answer = await exchange(app, "POST", path, headers=[cookie, origin, FORM], body=urlencode(form).encode())
        assert_clean_headers(answer)  # a Location lands on the site
        if minor and path == "/consentkit/preferences":
            # A teen's grant of a sale category is the first of two steps (§7028): the
            # confirmation page, whose links and hidden next stay on the site too.
            assert answer.status == 200, (path, answer.status, answer.body[:200])
            assert b'name="confirm"' in answer.body
            for link in _links(answer):
                assert lands_on_site(link), f"POST {path} next={target!r} links to {link!r}"
            continue
        assert answer.status == 303, (path, answer.status, answer.body[:200])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(target=targets, minor=st.booleans())
@example(target="/quote?step=2", minor=True)
def test_next_never_leads_off_the_site(target: str, minor: bool) -> None:
    asyncio.run(_every_surface(target, minor))


def test_a_same_site_next_is_kept() -> None:
    """The guard is not simply "always the default": a good ``next`` is followed."""
    async def run() -> tuple[Answer, Answer]:
        kit, app = _kit(), _app()
        form = urlencode({"next": "/quote?step=2&x=%2F"}).encode()
        headers = [_cookie(kit, False), (b"origin", SITE.encode()), FORM]
        back = await exchange(app, "GET", "/consentkit/do-not-sell", query=b"next=%2Fquote%3Fstep%3D2")
        return back, await exchange(app, "POST", "/consentkit/opt-out", headers=headers, body=form)

    back, answer = asyncio.run(run())
    assert answer.header(b"location") == b"/quote?step=2&x=%2F"
    assert "/quote?step=2" in _links(back)


# -- header injection ---------------------------------------------------------------

latin1 = st.binary(max_size=80).map(lambda b: b.replace(b"\r\n", b"\r\n ")) | st.sampled_from([
    b"a\r\nSet-Cookie: owned=1", b"\r\n\r\n<script>alert(1)</script>", b"x\x00y", b"\n", b"\r", b"1\r\n",
])
HEADER_NAMES = [b"cookie", b"accept-language", b"user-agent", b"sec-gpc", b"origin", b"referer", b"host",
                b"content-type", b"if-none-match"]
ROUTES = [("GET", "/"), ("GET", "/set"), ("GET", "/consentkit/state"), ("GET", "/consentkit/preferences"),
          ("GET", "/consentkit/do-not-sell"), ("POST", "/consentkit/consent"), ("POST", "/consentkit/opt-out"),
          ("GET", "/consentkit/widget.js"), ("GET", "/.well-known/gpc.json")]


def _granting_cookie(kit: ConsentKit) -> bytes:
    now = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)
    choices = Choices(visitor_id=VISITOR, policy_version=kit.policy.version, decided_at=now, updated_at=now
                      ).evolve(choices={"analytics": True, "advertising": True, "captcha": True})
    return f"{kit.cookie_name}={kit.codec.dumps(choices)}".encode()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(route=st.sampled_from(ROUTES), values=st.dictionaries(st.sampled_from(HEADER_NAMES), latin1, min_size=1),
       extra_cookie=latin1, next_raw=latin1)
def test_nothing_a_request_carries_reaches_a_response_header_raw(
    route: tuple[str, str], values: dict[bytes, bytes], extra_cookie: bytes, next_raw: bytes
) -> None:
    """CR, LF and NUL in any header the middleware reads, in a cookie beside a consent
    cookie that grants everything (so that withdrawing expires cookies by name), and
    raw in the query's ``next``: never a 5xx, never a split or extended header."""
    method, path = route

    async def run() -> Answer:
        kit = _kit()
        cookie = b"_ga_" + extra_cookie + b"=1; " + _granting_cookie(kit)
        headers = [(name, value) for name, value in values.items() if name != b"cookie"]
        headers.append((b"cookie", values.get(b"cookie", b"") + b"; " + cookie))
        if method == "POST":
            headers += [(b"origin", SITE.encode()), (b"content-type", b"application/json")]
        body = b'{"choices": {"analytics": false, "advertising": false}}' if method == "POST" else b""
        return await exchange(_app(), method, path, query=b"next=" + next_raw, headers=headers, body=body)

    answer = asyncio.run(run())
    assert answer.status < 500
    assert_clean_headers(answer)


@pytest.mark.parametrize(("location", "on_site"), [
    ("//evil.test/", False), ("/\\evil.test/", False), ("/\t/evil.test", False), (" //evil.test", False),
    ("https://evil.test", False), ("javascript:alert(1)", False), ("http:/\\evil.test", False),
    ("/quote?step=2", True), ("/%2F%2Fevil.test", True), ("quote", True), ("/consentkit/preferences?saved=1", True),
])
def test_the_checker_reads_urls_as_a_browser_does(location: str, on_site: bool) -> None:
    assert lands_on_site(location) is on_site


@pytest.mark.parametrize("headers", [
    [(b"location", b"//evil.test/")], [(b"x-next", b"/a\r\nSet-Cookie: owned=1")], [(b"set-cookie", b"a b=1; Path=/")],
    [(b"bad name", b"1")], [(b"location", b"/\t/evil.test")],
])
def test_the_header_checker_sees_each_injection(headers: list[tuple[bytes, bytes]]) -> None:
    with pytest.raises(AssertionError):
        assert_clean_headers(Answer(200, headers, b"", 1, 0.0))
