"""The page memo (consentkit/gating/memo.py): a body gated before in the same context
is answered from what was made of it, byte for byte what the gate makes, with each
response's own injection; a different context (grants, nonce, placeholders,
charset) is never served another's answer; unique bodies are not kept; memory stays
within its bound."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from consentkit import ConsentMiddleware
from consentkit.gating.memo import PageMemo
from consentkit.gating.placeholder import Placeholders
from consentkit.gating.response import ResponseGate

from .kits import embeds_policy, make_policy
from .random_markup import DOCS, GRANTS

POLICY = make_policy()
PAGES = Path(__file__).resolve().parent.parent / "benchmarks" / "pages"
ADS = b'<img src="https://ads.example-ads.test/p.gif" alt="">'
PAGE = b"<!doctype html><html><head><meta charset=utf-8><title>Q</title></head><body>" + ADS + b"</body></html>"


def plain(body: bytes, granted: dict[str, bool], inject: bytes, **kw: object) -> bytes:
    return ResponseGate(POLICY, granted, inject=inject, **kw).feed_last(body)  # type: ignore[arg-type]


def memoised(memo: PageMemo, body: bytes, granted: dict[str, bool], inject: bytes, **kw: object) -> bytes:
    return ResponseGate(POLICY, granted, inject=inject, memo=memo, **kw).feed_last(body)  # type: ignore[arg-type]


def test_a_body_seen_again_is_answered_from_the_memo_with_its_own_injection():
    memo = PageMemo()
    for visitor in range(5):
        inject = b'<script id="consentkit-state">{"visitor":"v%d"}</script>' % visitor
        assert memoised(memo, PAGE, {}, inject) == plain(PAGE, {}, inject)
    assert memo.hits == 3  # seen once (noted), kept on the second, answered on the next three
    assert memo.size > 0


def test_each_context_gets_its_own_answer():
    memo = PageMemo()
    contexts = [
        ({}, {}), ({"advertising": True}, {}), ({}, {"nonce": "n0nce-AAAA"}), ({}, {"nonce": "n0nce-BBBB"}),
        ({}, {"content_type": b"text/html; charset=windows-1252"}),
    ]
    for _ in range(3):
        for granted, kw in contexts:
            assert memoised(memo, PAGE + b"\x1b", granted, b"<i>", **kw) == plain(PAGE + b"\x1b", granted, b"<i>", **kw)
    assert b' src="https://ads' in memoised(memo, PAGE, {"advertising": True}, b"<i>")
    assert b' src="https://ads' not in memoised(memo, PAGE, {}, b"<i>")


def test_placeholders_of_another_language_or_page_are_not_shared():
    policy = embeds_policy()
    page = b"<html><head></head><body><iframe src=\"https://www.youtube.com/embed/x\"></iframe></body></html>"
    memo = PageMemo()
    answers = {}
    for _ in range(3):
        for lang, path in (("en", "/a"), ("de", "/a"), ("en", "/b")):
            ph = Placeholders(policy, lang, "/consentkit", path)
            got = ResponseGate(policy, {}, inject=b"<i>", placeholders=ph, memo=memo).feed_last(page)
            want = ResponseGate(policy, {}, inject=b"<i>", placeholders=ph).feed_last(page)
            assert got == want
            answers.setdefault((lang, path), set()).add(got)
    assert len({a for got in answers.values() for a in got}) == 3


@pytest.mark.parametrize("page", sorted(PAGES.glob("*.html")), ids=lambda p: p.stem)
def test_the_corpus_pages_come_out_of_the_memo_as_the_gate_makes_them(page):
    body = page.read_bytes()
    memo = PageMemo()
    for visitor in range(4):
        inject = b"<script>v%d</script>" % visitor
        assert memoised(memo, body, {}, inject) == plain(body, {}, inject)
    assert memo.hits == 2


@settings(max_examples=150, deadline=None)
@given(DOCS, GRANTS, st.sampled_from([b"", b"<!doctype html><html><head>", b"\xef\xbb\xbf<head>"]))
def test_random_documents_come_out_of_the_memo_as_the_gate_makes_them(doc, granted, start):
    body = start + doc.encode()
    memo = PageMemo()
    for visitor in range(3):
        inject = b"<s>%d</s>" % visitor
        assert memoised(memo, body, granted, inject) == plain(body, granted, inject)


def test_a_body_holding_the_marker_is_not_kept_and_is_gated_right():
    memo = PageMemo()
    body = PAGE.replace(b"<title>", memo.marker + b"<title>")
    for _ in range(3):
        assert memoised(memo, body, {}, b"<i>") == plain(body, {}, b"<i>")
    assert memo.size == 0 and memo.hits == 0


def test_unique_bodies_are_not_kept_and_memory_stays_bounded():
    memo = PageMemo(limit=64 * 1024)
    for i in range(200):  # a token per response: never seen twice
        memoised(memo, PAGE + b"<!-- csrf %d -->" % i, {}, b"<i>")
    assert memo.size == 0
    for i in range(200):  # each seen twice: kept, the oldest let go
        body = PAGE + b"<p>" + b"x" * 1000 + b"%d</p>" % i
        for _ in range(2):
            memoised(memo, body, {}, b"<i>")
        assert memo.size <= memo.limit
    assert memo.size > 0


def test_bodies_decoded_before_gating_are_never_memoised():
    memo = PageMemo()
    utf16 = b"\xff\xfe" + PAGE.decode().encode("utf-16-le")
    declared = PAGE.decode().encode("utf-16-le")
    for _ in range(3):
        assert memoised(memo, utf16, {}, b"<i>") == plain(utf16, {}, b"<i>")
        kw = {"content_type": b"text/html; charset=utf-16"}
        assert memoised(memo, declared, {}, b"<i>", **kw) == plain(declared, {}, b"<i>", **kw)
    assert memo.size == 0


def test_a_gate_answered_from_the_memo_is_closed():
    memo = PageMemo()
    for _ in range(2):
        memoised(memo, PAGE, {}, b"<i>")
    gate = ResponseGate(POLICY, {}, inject=b"<i>", memo=memo)
    assert gate.feed_last(PAGE).count(b"<i>") == 1
    assert gate.close() == b""
    assert memo.hits == 1


# -- through the middleware: each visitor's page carries its own state ---------------

async def page(request: Request) -> Response:
    return HTMLResponse(PAGE)


@pytest.mark.anyio
async def test_new_visitors_served_from_the_memo_each_get_their_own_id(make_kit):
    kit = make_kit(make_policy("opt_in"))
    app = Starlette(routes=[Route("/", page)], middleware=[Middleware(ConsentMiddleware, kit=kit)])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        answers = []
        for _ in range(4):  # each a new visitor: no cookie kept between them
            answers.append(await c.get("/"))
            c.cookies.clear()
        granted = await c.post("/consentkit/consent", json={"choices": {"advertising": True}, "source": "banner"})
        assert granted.status_code == 200
        returning = await c.get("/")
    ids = set()
    for r in answers:
        assert r.status_code == 200 and int(r.headers["content-length"]) == len(r.content)
        assert b'data-src="https://ads.example-ads.test/p.gif"' in r.content
        ids.add(r.content.split(b'"visitor_id":"', 1)[1].split(b'"', 1)[0])
    assert len(ids) == 4  # no visitor's id in another's page
    assert b' src="https://ads.example-ads.test/p.gif"' in returning.content


def test_page_memo_bytes_is_checked_and_zero_turns_the_memo_off(make_kit):
    kit = make_kit(make_policy("opt_in"))
    with pytest.raises(ValueError, match="page_memo_bytes"):
        ConsentMiddleware(page, kit=kit, page_memo_bytes=-1)
    assert ConsentMiddleware(page, kit=kit, page_memo_bytes=0).pages is None
    assert ConsentMiddleware(page, kit=kit, page_memo_bytes=1024).pages.limit == 1024  # type: ignore[union-attr]


def test_a_body_given_as_a_bytearray_or_memoryview_is_gated_and_kept_as_bytes():
    memo = PageMemo()
    for make in (bytearray, memoryview, bytearray):
        assert memoised(memo, make(PAGE), {}, b"<i>") == plain(PAGE, {}, b"<i>")  # type: ignore[arg-type]
    assert memo.hits == 1
