"""The gate's scanner in C (consentkit/gating/_cscan.c) against the pure-Python
paths: for any document, any chunking, any grants and nonce, the gate's output is
the same with the C scanner (cold and with its tag cache warm), with the regular
expressions, and with the exact tokenizer alone (no fast path, no cache)."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks import corpus
from consentkit.gating import fastpath
from consentkit.gating.gate import HtmlGate
from consentkit.gating.syntax import _FOREIGN, _RAW_END, _RAWTEXT, _TAG, _URL_ATTRS, _attrs

from .kits import make_policy
from .random_markup import GRANTS, cut, piece, resource_tag

C = fastpath.CSCAN
needs_c = pytest.mark.skipif(C is None and os.environ.get("CI") != "true", reason="the C scanner is not built")


def test_the_c_scanner_is_built_in_ci():
    # setup.py builds it as optional: CI must not fall back to pure Python unnoticed.
    assert C is not None or os.environ.get("CI") != "true"


class _NeverKept(dict):  # type: ignore[type-arg]
    def __setitem__(self, key: object, value: object) -> None:
        pass


def _exact_gate(policy, granted, **kw):  # type: ignore[no-untyped-def]
    """The reference: every token read by the exact tokenizer, nothing cached."""
    gate = HtmlGate(policy, granted, **kw)
    gate._c = None
    rules = object.__new__(type(gate._rules))
    rules.__dict__.update(vars(gate._rules))
    rules.tags = _NeverKept()
    rules.prefixes = ()
    rules.embeds = _NeverKept()
    rules.remember_prefix = lambda prefix: None
    gate._rules = rules
    gate._update_fast = lambda: setattr(gate, "_fast", None)  # type: ignore[method-assign]
    gate._fast = None
    return gate


def _run(gate: HtmlGate, parts: list[bytes]) -> bytes:
    return b"".join(gate.feed(p) for p in parts) + gate.close()


SNIPPETS = [
    '<base href="https://www.googletagmanager.com/">', '<base href="/">', "<BASE HREF=//www.google-analytics.com/>",
    "<template><img src=https://pixel.example-analytics.test/p.gif></template>", "</template>", "<svg>", "</svg>",
    "<math>", "<![CDATA[<img src=//ads.example-ads.test/a>]]>", "<!-->", "<!--->", "<!-- x --!>", "<!---->",
    "<!-- a -- b --!->", "<!-x>", "<!DOCTYPE html>", "</ x>", "</>", "<? x >", "< p>", "<a =b c= d>",
    "<img src='/a' alt=x:y>", '<img src="/a/\t/b">', "<img src=/a\\b>", "<img src=\"&#47;/x\">",
    '<a data-CONSENT="analytics" src="/x">', '<p data-consentx="analytics">', "<script src=/local.js></script>",
    "<SCRIPT>a</script >", "<style>x</style/>", "<textarea><img src=//ads.example-ads.test/a></TEXTAREA>",
    "<img src=//ads.example-ads.test/a/>", "<iframe src=/f></iframe>", "<p/a=b>", '<img"src=//x.test>',
    "<noscript><img src=https://pixel.example-analytics.test/p.gif></noscript>", "<title><script></title>",
    '<img src="\\\\ads.example-ads.test/a">', "<img src=/\\ads.example-ads.test/a>", '<img src=" //ads.example-ads.test">',
    "<svg><![CDATA[ a > <img src=//ads.example-ads.test/a> ]]></svg>", "<svg><img src=/a></svg>",
    '<img src="%2F%2Fads.example-ads.test/x">', "<img src=/%2Fads.example-ads.test/x>",
    '<img src="\uff0f\uff0fads.example-ads.test/x">', "<img src=//ads%2Eexample-ads.test/x>",
    '<img src="https:%2F%2Fads.example-ads.test/x">', "<img src=HTTPS:ads.example-ads.test>",
    "<svg><use href=//ads.example-ads.test/s.svg#a /><feImage xlink:href=//ads.example-ads.test/f></svg>",
    "<use href=//ads.example-ads.test/s.svg#a>", '<svg><image xlink:href="/local.png"/><use href="#i"/></svg>',
]
DOCS = st.lists(st.one_of(piece(), st.sampled_from(SNIPPETS), resource_tag()), max_size=14).map("".join)
# Contexts a snippet is tried in: each tokenizer mode of the scanner.
CONTEXTS = ["<head>{}", "<head><svg>{}</svg>", "<head><template>{}</template>", "<head><svg><template>{}",
            "<head><template><svg>{}", '<head><base href="https://www.googletagmanager.com/x/">{}', "{}"]


@needs_c
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=DOCS, granted=GRANTS, cuts=st.lists(st.integers(0, 2000), max_size=10),
       nonce=st.sampled_from([None, "n0nce"]))
def test_c_scanner_gives_the_output_of_the_exact_tokenizer(doc, granted, cuts, nonce):
    policy = make_policy()  # a fresh policy: an empty tag cache
    data = b"<head>" + doc.encode() if len(doc) % 3 else doc.encode()  # injected at once, or not
    parts = cut(data, cuts)
    kw = {"nonce": nonce, "inject": b"<!--I-->"}
    reference = _run(_exact_gate(policy, granted, **kw), [data])
    assert _run(HtmlGate(policy, granted, **kw), parts) == reference  # cold cache
    assert _run(HtmlGate(policy, granted, **kw), parts) == reference  # every tag read before
    assert _run(HtmlGate(policy, granted, **kw), [data]) == reference
    patterns = HtmlGate(make_policy(), granted, **kw)
    patterns._c = None  # what an install without a C compiler runs
    assert _run(patterns, parts) == reference


PIXEL = "<img src=https://pixel.example-analytics.test/p.gif>"
YOUTUBE = '<iframe src="https://www.youtube.com/embed/v" width="560" height="315"></iframe>'
NOSCRIPTS = [
    f"<noscript>{PIXEL}</noscript>", f"<NOSCRIPT >{PIXEL}</NoScript\t>", f"<noscript>{YOUTUBE}</noscript>{YOUTUBE}",
    f'<noscript><img alt="</noscriptx>" src=/a>{PIXEL}</noscript>',  # every "</noscript" inside is escaped
    f"<noscript><!-- </noscript> -->{PIXEL}</noscript>", f"<noscript><style>a</noscript>b</style>{PIXEL}</noscript>",
    f"<noscript><noscript>{PIXEL}</noscript></noscript>", f"<noscript><svg>{PIXEL}</svg></noscript>",
    f"<noscript><template>{PIXEL}</template></noscript>", f"<noscript><script>x({PIXEL!r})</script></noscript>",
    f'<noscript><base href="https://pixel.example-analytics.test/">{PIXEL}</noscript><img src=a.gif>',
    f'<noscript data-consent="analytics">{PIXEL}</noscript>', f"<noscript style=x>{PIXEL}</noscript>",
    f"<noscript>{PIXEL}</noscript", f"<noscript>{PIXEL}</noscript x='>'>", f"<noscript>{PIXEL}<", "<noscript></noscript>",
    f"<noscript><p>a<b>{PIXEL}</p><textarea></textarea></noscript>", f"<template><noscript>{PIXEL}</noscript></template>",
    f"<svg><noscript>{PIXEL}</noscript></svg>", f"<noscript><plaintext>{PIXEL}</noscript>",
]


@needs_c
@pytest.mark.parametrize("doc", NOSCRIPTS)
@pytest.mark.parametrize("granted", [{}, {"analytics": True}])
def test_a_noscript_passed_in_c_gives_the_exact_output(doc, granted):
    # The C scanner passes a <noscript> whole when its content, up to the first
    # "</noscript", is markup it passes or knows (read before under the same grants).
    from .kits import embeds_policy

    policy = embeds_policy()
    data = f"<head>{doc}<p>after</p>".encode()
    kw = {"nonce": "n0nce", "inject": b"<!--I-->", "placeholders": lambda service, w, h: b"<b>%s</b>" % service.encode()}
    reference = _run(_exact_gate(policy, granted, **kw), [data])
    for _ in range(2):  # cold, then every tag read before
        assert _run(HtmlGate(policy, granted, **kw), [data]) == reference
        assert _run(HtmlGate(policy, granted, **kw), [data[:-9], data[-9:]]) == reference
    assert reference.count(b"<b>youtube</b>") == doc.count("</noscript>" + YOUTUBE)  # none inside a <noscript>


@needs_c
def test_skip_known_passes_a_plain_noscript_whole():
    tag = b"<img src=https://pixel.example-analytics.test/p.gif>"
    read = (False, "img", False, b"<img data-src=https://pixel.example-analytics.test/p.gif>", -1)
    doc = b"<p><noscript><b>" + tag + b"</b></noscript><i>"
    out: list[bytes] = []
    assert C.skip_known(doc, 0, 0, {tag: read}, b"", out, 0, (), {}, None) == (len(doc), doc.index(tag) + len(tag))
    assert b"".join(out) + doc[doc.index(tag) + len(tag):] == doc.replace(tag, read[3])
    for stops in (b"<p><noscript><b>" + tag + b"<!-- </noscript> -->", b"<p><noscript><noscript>" + tag + b"</noscript>",
                  b"<p><noscript><b>" + tag + b"</noscriptx>", b"<p><noscript><b>" + tag + b"</noscript"):
        out.clear()
        assert C.skip_known(stops, 0, 0, {tag: read}, b"", out, 0, (), {}, None) == (3, 0), stops  # at <noscript>
        assert out == []  # what it wrote inside is taken back
    assert C.skip_known(doc, 0, 0, {}, b"", out, 0, (), {}, None) == (3, 0)  # the <img> was not read before
    assert C.skip(doc, 0, 0, ()) == 3  # without a cache of tags, a <noscript> stops


MARKUP_SOUP = st.text(alphabet='<>/!-="\' \t\naAbBiIsScCrRpPtTgGmMvVdD:[]?\\&', max_size=200).map(str.encode)


@needs_c
@settings(max_examples=400, deadline=None)
@given(data=st.one_of(st.binary(max_size=200), MARKUP_SOUP), cuts=st.lists(st.integers(0, 200), max_size=6),
       granted=GRANTS)
def test_any_bytes_give_the_exact_output(data, cuts, granted):
    policy = make_policy()
    for prefix in (b"", b"<head>", b"<head><svg>", b"<head><template>"):
        reference = _run(_exact_gate(policy, granted, nonce="n"), [prefix + data])
        assert _run(HtmlGate(policy, granted, nonce="n"), cut(prefix + data, cuts)) == reference
        assert _run(HtmlGate(policy, granted, nonce="n"), [prefix + data]) == reference  # warm


@needs_c
@pytest.mark.parametrize("snippet", SNIPPETS)
def test_each_snippet_in_each_context_gives_the_exact_output(snippet):
    for context, granted in itertools.product(CONTEXTS, [{}, {"analytics": True}, {"advertising": True}]):
        data = context.format(snippet + snippet).encode()
        policy = make_policy()
        reference = _run(_exact_gate(policy, granted, nonce="n"), [data])
        for parts in ([data], [data], [data[i : i + 1] for i in range(len(data))]):
            assert _run(HtmlGate(policy, granted, nonce="n"), parts) == reference, (context, granted, len(parts))


@needs_c
def test_cached_tags_follow_the_nonce_of_each_response():
    policy = make_policy()
    object.__setattr__(policy, "nonce_sources", ("https://www.googletagmanager.com/gtag/js",))
    src = b"https://www.googletagmanager.com/gtag/js?id=G-1"
    doc = b'<head><script data-consent="analytics" type="text/plain" data-src="' + src + b'"></script>'
    first = _run(HtmlGate(policy, {"analytics": True}, nonce="one"), [doc])
    second = _run(HtmlGate(policy, {"analytics": True}, nonce="two"), [doc])
    third = _run(HtmlGate(policy, {"analytics": True}), [doc])
    assert b'<script nonce="one" data-consent="analytics" src="' + src + b'">' in first
    assert b'<script nonce="two" data-consent="analytics" src="' + src + b'">' in second
    assert b'<script data-consent="analytics" src="' + src + b'">' in third
    assert b"nonce" not in _run(HtmlGate(policy, {}, nonce="x"), [doc]).replace(b"<head>", b"")


@needs_c
def test_cache_holds_per_grants_and_stays_bounded():
    policy = make_policy()
    tag = b'<img data-consent="analytics" src="https://pixel.example-analytics.test/p.gif">'
    granted = _run(HtmlGate(policy, {"analytics": True}), [b"<head>" + tag])
    denied = _run(HtmlGate(policy, {}), [b"<head>" + tag])
    assert b" src=" in granted and b"data-src=" in denied
    many = b"<head>" + b"".join(b'<img data-consent="analytics" src="/p%d.gif">' % i for i in range(2000))
    out = _run(HtmlGate(policy, {}), [many])
    assert out.count(b"data-src=") == 2000
    gate = HtmlGate(policy, {})
    assert len(gate._rules.tags) <= 512


TAGGY = st.text(alphabet="<>/=\"' \t\naAbBsrcd-:x", max_size=40)


@needs_c
@settings(max_examples=500, deadline=None)
@given(name=st.sampled_from(["a", "img", "SCRIPT", "x-y", "/p", "/Svg"]), rest=TAGGY)
def test_tag_end_agrees_with_the_exact_pattern(name, rest):
    buf = f"<{name}{rest}".encode()
    m = _TAG.match(buf)
    assert C.tag_end(buf, 0) == (m.end() if m else -1)


@needs_c
@settings(max_examples=500, deadline=None)
@given(name=st.sampled_from(["a", "img", "SCRIPT", "x-y"]), rest=TAGGY)
def test_attrs_agree_with_the_exact_pattern(name, rest):
    m = _TAG.match(f"<{name}{rest}".encode())
    if m is None:
        return
    tag, at = m.group(), m.end(2)  # the name may go on into `rest`
    assert C.attrs(tag, at, len(tag) - 1) == _attrs(tag, at, len(tag) - 1)[0]


@needs_c
@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(["script", "style", "textarea", "title", "xmp", "iframe"]), body=TAGGY, tail=TAGGY)
def test_raw_end_agrees_with_the_exact_pattern(name, body, tail):
    buf = f"{body}</{name.upper() if len(body) % 2 else name}{tail}".encode()
    m = _RAW_END[name].search(buf.lower())
    assert C.raw_end(buf, 0, name.encode()) == (m.start() if m else -1)


@needs_c
def test_skip_stops_where_the_gate_must_look():
    doc = b'<p>a</p><!-- <img src=//x> --><img src="/a.png"><img src="https://x.test/a.png">'
    needles = (b"ads.example-ads.test",)
    assert C.skip(doc, 0, fastpath.MODES.index("html"), needles) == doc.index(b'<img src="https')
    assert C.skip(doc, 0, fastpath.MODES.index("strict"), None) == doc.index(b'<img src="/a')
    assert C.skip(doc, 0, fastpath.MODES.index("template"), needles) == len(doc)
    cut = b"<p>a</p><img src="
    assert C.skip(cut, 0, 0, needles) == cut.index(b"<img")
    assert C.skip(b"<script>x<img src=//x>", 0, 0, needles) == 0  # the body's end is not here yet
    # Inline bodies and attributes that load anywhere stop where they may name a needle.
    plain = b"<script>go('/x')</script><p>"
    assert C.skip(plain, 0, 0, needles) == len(plain)
    assert C.skip(b"<script>go('//ADS.Example-ads.test/x')</script>", 0, 0, needles) == 0
    assert C.skip(b"<script>go('\\x61ds')</script>", 0, 0, needles) == 0  # an escape may hide one
    assert C.skip(b"<style>a{color:red}</style>", 0, 0, needles) == len(b"<style>a{color:red}</style>")
    assert C.skip(b"<style>@import '//ads.example-ads.test/a.css'</style>", 0, 0, needles) == 0
    assert C.skip(b'<p style="color:red" onclick="go()">', 0, 0, needles) == len(b'<p style="color:red" onclick="go()">')
    assert C.skip(b'<p onclick="go(&quot;x&quot;)">', 0, 0, needles) == 0
    assert C.skip(b'<p style="background:url(//ads.example-ads.test/)">', 0, 0, needles) == 0
    assert C.skip(b"<noscript><p>", 0, 0, ()) == 0 and C.skip(b"<x><![CDATA[ ]]>", 0, 0, ()) == 3


STARTS = [
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">', "<html><head><meta charset=utf-8>",
    "<!doctype html><!-- a --><html>\n<head>\n  <meta charset='utf-8'/>", "<head><META CHARSET=UTF-8>",
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">',
    '<html><head><meta http-equiv="refresh" content="0; url=https://ads.example-ads.test/" charset="x">',
    '<html><head><base href="https://www.googletagmanager.com/"><meta charset="utf-8">',
    "<html><head><noscript><meta charset=utf-8>", "<head><template><meta charset=utf-8>",
    "<svg><meta charset=utf-8>", "\ufeff<html><head><meta charset=utf-8>", "<html><head><title>x</title><meta charset=a>",
    "<meta charset=utf-8", "<html>", "",
]


@needs_c
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(starts=st.lists(st.sampled_from(STARTS), min_size=2, max_size=4), docs=st.lists(DOCS, min_size=2, max_size=4),
       granted=GRANTS, cuts=st.lists(st.integers(0, 300), max_size=4), nonce=st.sampled_from([None, "n0nce"]))
def test_pages_that_start_alike_give_the_exact_output(starts, docs, granted, cuts, nonce):
    # A start read before (kept per grants, the injection put after its <meta charset>
    # at once) gives what reading every token gives, whatever follows and however cut.
    policy = make_policy()
    for start, doc in itertools.product(starts, docs):
        page = (start + doc).encode()
        for parts in ([page], cut(page, cuts)):  # (a '>' in CDATA is split where a chunk ends: as cut)
            expected = _run(_exact_gate(policy, granted, nonce=nonce, inject=b"<!--I-->"), parts)
            assert _run(HtmlGate(policy, granted, nonce=nonce, inject=b"<!--I-->"), parts) == expected, (start, doc)


@needs_c
def test_a_start_read_before_is_kept_only_when_it_went_out_unchanged():
    policy = make_policy()
    granted = {"analytics": False}
    start = b'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
    gate = HtmlGate(policy, granted, inject=b"<!--I-->")
    assert _run(gate, [start + b"<title>A</title>"]) == start + b"<!--I--><title>A</title>"
    assert start in gate._rules.prefixes
    again = HtmlGate(policy, granted, inject=b"<!--J-->")
    assert again._rules is gate._rules
    assert _run(again, [start + b"<p>B"]) == start + b"<!--J--><p>B"
    for changed in (b'<html><head><base href="/x/"><meta charset="utf-8">', b"<html><head><noscript><meta charset=a>",
                    b'<html><head><meta http-equiv="refresh" content="0;url=https://ads.example-ads.test/" charset=a>'):
        gate = HtmlGate(policy, granted, inject=b"<!--I-->")
        _run(gate, [changed + b"<p>x"])
        assert not any(p.startswith(changed[:20]) and len(p) >= len(changed) for p in gate._rules.prefixes), changed


def _may_name(text: bytes, needles: tuple[bytes, ...], attribute: bool) -> bool:
    """The needle search of _cscan.c's may_name(), the plain way."""
    special = b"\\%" + (b"&\t\n\r" if attribute else b"")
    if not needles:
        return False
    if any(byte in special or byte >= 0x80 for byte in text):
        return True
    lowered = text.lower()
    return any(needle in lowered for needle in needles)


NEEDLE_TEXT = st.lists(st.sampled_from([b"a", b"A", b"b", b"ad", b"Ads", b"s.", b".t", b"x", b"-", b"=", b"%", b"\\",
                                        b"&", b"\t", b"\xc3\xa9", b"(", b"//", b" "]), max_size=30).map(b"".join)


@needs_c
@settings(max_examples=600, deadline=None)
@given(needles=st.lists(st.sampled_from([b"a", b"ad", b"ads.t", b"b.x", b"bb", b"s-a", b"x", b"ads.example-ads.test"]),
                        max_size=8, unique=True).map(tuple),
       body=NEEDLE_TEXT)
def test_a_body_or_handler_stops_exactly_where_it_may_name_a_needle(needles, body):
    # may_name() passes most bytes on one test of the needles' first two bytes, and
    # tries only the needles that start with the byte it is at: the same answers as
    # looking for every needle everywhere.
    if b"</" in body or b"<" in body or b'"' in body:
        return
    script = b"<script>" + body + b"</script>"
    stops = C.skip(script, 0, 0, needles) == 0
    assert stops == _may_name(body, needles, attribute=False), (needles, body)
    handler = b'<p onclick="' + body + b'">'
    stops = C.skip(handler, 0, 0, needles) == 0
    assert stops == (bool(body) and _may_name(body, needles, attribute=True)), (needles, body)


@needs_c
def test_skip_foreign_passes_plain_tags_and_keeps_the_stack():
    foreign = fastpath.MODES.index("foreign")
    doc = b'<g a=b><path d="x"/><title>hi</title><rect></rect><G></g><use href="#a"><b>'
    assert C.skip_foreign(doc, 0, foreign, ()) == (doc.index(b"<b>"), ("g", "use"))
    assert C.skip_foreign(b"<g></g></svg>", 0, foreign, ()) == (7, ())
    assert C.skip_foreign(b"</g>", 0, foreign, ()) == (0, ())  # closes what the gate opened: the gate reads it
    assert C.skip_foreign(b"<g a=b/><x>", 0, foreign, ()) == (len(b"<g a=b/><x>"), ("g", "x"))  # '/' of a value
    assert C.skip_foreign(b"<desc>a<i>b</i></desc>", 0, foreign, ()) == (0, ())  # markup in an integration point
    assert C.skip_foreign(b"<g><font color=red>", 0, foreign, ()) == (3, ("g",))
    assert C.skip_foreign(b"<use href=//ads.example-ads.test/s#a>", 0, foreign, (b"ads.example-ads.test",))[0] == 0
    deep = b"<g>" * 70
    assert C.skip_foreign(deep, 0, foreign, ()) == (64 * 3, ("g",) * 64)
    with pytest.raises(ValueError):
        C.skip_foreign(b"<g>", 0, fastpath.MODES.index("html"), ())


@needs_c
def test_skip_passes_whole_plain_svg_elements():
    html = fastpath.MODES.index("html")
    needles = (b"ads.example-ads.test",)
    plain = b'<p><svg viewBox="0 0 2 2"><g><path d="M0 0"/></g><title>t</title></svg><math><mi>x</mi></math><p>'
    assert C.skip(plain, 0, html, needles) == len(plain)
    for inside in (b"<p>", b"<foreignObject><i>x</i></foreignObject>", b"<svg></svg>", b"<use href=//ads.example-ads.test/a>"):
        doc = b"<p><svg><g>" + inside + b"</g></svg>"
        assert C.skip(doc, 0, html, needles) == 3, inside  # the gate reads the element from its start


def test_corpus_pages_give_the_exact_output():
    """The benchmark's pages (benchmarks/pages), like sites' markup, with the C scanner
    and the exact tokenizer alone."""
    policy = corpus.policy()
    for name, page in corpus.pages().items():
        for granted in ({}, {"analytics": True, "functional": True}):
            reference = _run(_exact_gate(policy, granted, nonce="n"), [page])
            assert _run(HtmlGate(policy, granted, nonce="n"), [page[i : i + 8192] for i in range(0, len(page), 8192)]) == reference, name
            assert _run(HtmlGate(policy, granted, nonce="n"), [page]) == reference, name


@needs_c
def test_skip_known_passes_known_tags_and_writes_their_replacement():
    doc = b'<p><img data-consent="a" src="/x"><b>'
    tag = b'<img data-consent="a" src="/x">'
    out: list[bytes] = []
    tags = {tag: (False, "img", False, b"<img NEW>", -1)}
    assert C.skip_known(doc, 0, 0, tags, b"", out, 0, (), {}, None) == (len(doc), doc.index(b"<b>"))
    assert out == [b"<p>", b"<img NEW>"]
    out.clear()
    tags = {tag: (False, "img", False, None, 4)}
    assert C.skip_known(doc, 0, 0, tags, b" nonce=n", out, 0, (), {}, None) == (len(doc), doc.index(b"<b>"))
    assert b"".join(out) == b'<p><img nonce=n data-consent="a" src="/x">'
    for bad in ((False, "img"), (False, "img", False, "not bytes", -1), "nope"):
        out.clear()
        assert C.skip_known(doc, 0, 0, {tag: bad}, b"", out, 0, (), {}, None) == (3, 0)  # stops: the gate reads it
        assert out == []


@needs_c
def test_skip_known_passes_held_embeds_after_the_responses_placeholder():
    doc = b'<p><iframe src="https://v.test/e" width="5"></iframe><b>'
    tag = b'<iframe src="https://v.test/e" width="5">'
    read = (False, "iframe", False, b'<iframe data-src="https://v.test/e" width="5">', -1)
    embeds = {tag: (read, ("video", 5, None))}
    calls = []

    def placeholders(service, width, height):
        calls.append((service, width, height))
        return b"<span>PH</span>"

    out: list[bytes] = []
    assert C.skip_known(doc, 0, 0, {}, b"", out, 0, (), embeds, placeholders) == (len(doc), doc.index(b"</iframe>"))
    assert b"".join(out) == b'<p><span>PH</span><iframe data-src="https://v.test/e" width="5">'
    assert calls == [("video", 5, None)]
    out.clear()
    assert C.skip_known(doc, 0, 0, {}, b"", out, 0, (), embeds, None) == (len(doc), doc.index(b"</iframe>"))
    assert b"".join(out) == b'<p><iframe data-src="https://v.test/e" width="5">'  # no placeholders: the tag alone
    for bad in ((read,), (read, "video"), ((False, "iframe"), ("video", 5, None))):
        out.clear()
        assert C.skip_known(doc, 0, 0, {}, b"", out, 0, (), {tag: bad}, placeholders) == (3, 0)  # the gate reads it
        assert out == []
    assert len(calls) == 1  # nothing written for a read it cannot use
    with pytest.raises(TypeError):
        C.skip_known(doc, 0, 0, {}, b"", [], 0, (), embeds, lambda *a: "not bytes")
    with pytest.raises(ZeroDivisionError):
        C.skip_known(doc, 0, 0, {}, b"", [], 0, (), embeds, lambda *a: 1 // 0)


@needs_c
def test_needles_prepared_once_per_tuple_still_answer_for_each():
    # The scanner keeps the prepared needles of the last few tuples, by identity:
    # more tuples than it keeps, each asked in turn and again, answer as their own.
    hosts = [b"h%d.example.test" % i for i in range(12)]
    docs = [b"<script>load('//" + host + b"/t.js')</script><p>" for host in hosts]
    for _ in range(2):
        for i, host in enumerate(hosts):
            needles = (host,)
            assert C.skip(docs[i], 0, 0, needles) == 0  # its own host in the body: stops
            other = docs[(i + 1) % 12]
            assert C.skip(other, 0, 0, needles) == len(other)  # another's: passes
            assert C.skip(docs[i], 0, 0, tuple(needles)) == 0


@needs_c
@pytest.mark.parametrize(("call", "error"), [
    (lambda: C.skip("text", 0, 0, ()), TypeError),
    (lambda: C.skip(b"x", 5, 0, ()), ValueError),
    (lambda: C.skip(b"x", -1, 0, ()), ValueError),
    (lambda: C.skip(b"x", 0, 9, ()), ValueError),
    (lambda: C.skip(b"x", 0, 0), TypeError),
    (lambda: C.skip(b"x", 0, 0, [b"a"]), TypeError),
    (lambda: C.skip(b"x", 0, 0, ("a",)), TypeError),
    (lambda: C.tag_end(b"<1>", 0), ValueError),
    (lambda: C.tag_end(b"", 0), ValueError),
    (lambda: C.raw_end(b"x", 0, "script"), TypeError),
    (lambda: C.attrs(b"<a b>", 3, 9), ValueError),
    (lambda: C.attrs(b"<a b>", 4, 3), ValueError),
    (lambda: C.skip_known(b"x", 0, 0, [], b"", [], 0, (), {}, None), TypeError),
    (lambda: C.skip_known(b"x", 0, 0, {}, b"", [], 1, (), {}, None), ValueError),
    (lambda: C.skip_known(b"x", 0, 0, {}, b"", [], 0, ()), TypeError),
    (lambda: C.skip_known(b"x", 0, 0, {}, b"", [], 0, (), [], None), TypeError),
    (lambda: C.skip_known(b"x", 0, 0, {}, b"", [], 0, (), {}, "not callable"), TypeError),
])
def test_bad_arguments_raise(call, error):
    with pytest.raises(error):
        call()


@needs_c
def test_the_scanner_knows_the_elements_the_gate_knows():
    # and the elements whose other attributes load: refresh, SVG animation values
    assert C.LOADING == set(_URL_ATTRS) | {"meta", "set", "animate"}
    assert C.RAW_TEXT == set(_RAWTEXT)
    assert C.FOREIGN == set(_FOREIGN) and C.TEMPLATE == {"template"} and C.BASE == {"base"}


def test_pattern_fallback_exists_for_every_mode():
    assert set(fastpath.MODES) == set(fastpath._FAST)
    assert all(isinstance(p, re.Pattern) for p in fastpath._FAST.values())


_UNDER_SANITIZERS = """
import importlib.util, random, sys
spec = importlib.util.spec_from_file_location("consentkit.gating._cscan", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
sys.modules["consentkit.gating._cscan"] = module
from consentkit.gating import fastpath
from consentkit.gating.gate import HtmlGate
from tests.kits import make_policy
assert fastpath.CSCAN is module
policy, rng = make_policy(), random.Random(4)
pieces = [b"<", b">", b"/", b"!--", b"-->", b"=", b'"', b"'", b" ", b"\\t", b"script", b"img", b"svg", b"template",
          b"src", b"data-consent", b"//ads.example-ads.test/a", b"analytics", b"[CDATA[", b"]]>", b"base", b"x",
          b"style", b"onload", b"noscript", b"\\\\", b"&", b"ADS.EXAMPLE-ADS.TEST", b"\\xe9"]
for _ in range(3000):
    doc = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 60)))
    for n in range(len(doc) + 1):  # every call on every prefix and position
        module.skip(doc[:n], rng.randint(0, n), rng.randint(0, 4), rng.choice([None, (), (b"ads.example-ads.test",)]))
        module.raw_end(doc[:n], rng.randint(0, n), b"script")
    for granted in ({}, {"advertising": True}):
        gate = HtmlGate(policy, granted, nonce="n")
        cut = rng.randint(0, len(doc))
        gate.feed(b"<head>" + doc[:cut]); gate.feed(doc[cut:]); gate.close()
print("ok")
"""


@pytest.mark.skipif(os.environ.get("CI") != "true" and shutil.which("gcc") is None, reason="no gcc")
def test_scanner_is_memory_safe_under_address_sanitizer(tmp_path):
    """Build the scanner with AddressSanitizer and UBSan and drive it with random
    markup at every position: any out-of-bounds read or undefined behaviour aborts."""
    so = tmp_path / "_cscan_asan.so"
    include = sysconfig.get_paths()["include"]
    source = Path(fastpath.__file__).with_name("_cscan.c")
    subprocess.run(["gcc", "-g", "-O1", "-fsanitize=address,undefined", "-fno-sanitize-recover=all",
                    "-fno-omit-frame-pointer", "-fPIC", "-shared", f"-I{include}", str(source), "-o", str(so)],
                   check=True)
    runtimes = [subprocess.run(["gcc", f"-print-file-name={lib}"], capture_output=True, text=True,
                               check=True).stdout.strip() for lib in ("libasan.so", "libubsan.so")]
    env = {**os.environ, "LD_PRELOAD": " ".join(runtimes), "ASAN_OPTIONS": "detect_leaks=0:abort_on_error=1",
           "PYTHONMALLOC": "malloc"}  # so that a read past a bytes object meets a red zone
    done = subprocess.run([sys.executable, "-c", _UNDER_SANITIZERS, str(so)], env=env, capture_output=True, check=False,
                          text=True,
                          cwd=Path(__file__).resolve().parent.parent, timeout=600)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-3000:]
