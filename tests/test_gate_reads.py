"""The gate reads every URL a browser reads (#12 parts 1 and 3): inline loaders,
URLs in CSS, srcdoc, data: documents, refresh, animation, ping, speculation rules
and import maps, hosts hidden from a plain comparison, the tokenizer and tree
builder's contexts, the app's own headers, the encodings, and the limits (#13 L6,
L7). Each reproduction of the issue is a row; html5lib judges the output too."""

from __future__ import annotations

import pytest

from consentkit.gating import hosts
from consentkit.gating.gate import HtmlGate
from consentkit.gating.response import ResponseGate, gated_headers
from consentkit.gating.textscan import srcset_urls
from consentkit.rewrite import TAG_LIMIT, rewrite_html

from .conftest import make_policy
from .html_judge import leaks

POLICY = make_policy()
NONE: dict[str, bool] = {}
ANALYTICS = {"analytics": True}
ADS = "https://ads.example-ads.test"
GA = "https://www.google-analytics.com"


def gate(html: str, granted: dict[str, bool] = NONE) -> str:
    return rewrite_html(POLICY, granted, html.encode()).decode()


INERT_ADS = 'type="text/plain" data-consent="advertising"'
# (id, input, expected output with nothing granted; None: unchanged)
CASES = [
    # -- #12 part 1: inline loaders, matched on host boundaries
    ("inline-url", f'<script>s.src="{ADS}/t.js"</script>', f'<script {INERT_ADS}>s.src="{ADS}/t.js"</script>'),
    ("inline-scheme-relative", '<script>s.src="//ads.example-ads.test/t.js"</script>',
     f'<script {INERT_ADS}>s.src="//ads.example-ads.test/t.js"</script>'),
    ("inline-escaped-slashes", '<script>s.src="https:\\/\\/ads.example-ads.test\\/t.js"</script>',
     f'<script {INERT_ADS}>s.src="https:\\/\\/ads.example-ads.test\\/t.js"</script>'),
    ("inline-unicode-escapes", '<script>s.src="https:\\u002f\\u002fads\\u002eexample-ads.test/t.js"</script>',
     f'<script {INERT_ADS}>s.src="https:\\u002f\\u002fads\\u002eexample-ads.test/t.js"</script>'),
    ("inline-hex-escapes", '<script>s.src="\\x2f\\x2fads.example-ads.test/t.js"</script>',
     f'<script {INERT_ADS}>s.src="\\x2f\\x2fads.example-ads.test/t.js"</script>'),
    ("inline-bare-host", "<script>load('ads.example-ads.test', 'id')</script>",
     f"<script {INERT_ADS}>load('ads.example-ads.test', 'id')</script>"),
    ("inline-uppercase-host", "<script>load('ADS.Example-Ads.TEST')</script>",
     f"<script {INERT_ADS}>load('ADS.Example-Ads.TEST')</script>"),
    ("inline-host-boundary-left", "<script>load('xads.example-ads.test')</script>", None),
    ("inline-host-boundary-right", "<script>load('ads.example-ads.testing')</script>", None),
    ("inline-lookalike-suffix", "<script>load('ads.example-ads.test.evil.test')</script>", None),
    ("inline-path-scoped-needs-path", "<script>load('www.google.com')</script>", None),
    ("inline-path-scoped", "<script>load('https://www.google.com/recaptcha/api.js')</script>",
     "<script type=\"text/plain\" data-consent=\"captcha\">load('https://www.google.com/recaptcha/api.js')</script>"),
    ("inline-two-categories", f"<script>a('{GA}/a.js'); b('{ADS}/b.js')</script>",
     f"<script type=\"text/plain\" data-consent=\"analytics advertising\">a('{GA}/a.js'); b('{ADS}/b.js')</script>"),
    ("inline-module-type-kept", f'<script type="module">import "{ADS}/m.js"</script>',
     f'<script type="text/plain" data-consent="advertising" data-type="module">import "{ADS}/m.js"</script>'),
    ("inline-json-is-data", f'<script type="application/ld+json">{{"url": "{ADS}/"}}</script>', None),
    ("inline-marked-keeps-author-category", f'<script data-consent="analytics">x("{ADS}/a")</script>',
     f'<script type="text/plain" data-consent="analytics advertising">x("{ADS}/a")</script>'),
    ("handler", f'<img src="/a.png" onload="fetch(\'{ADS}/hit\')">',
     f'<img data-consent="advertising" data-src="/a.png" data-onload="fetch(\'{ADS}/hit\')">'),
    ("handler-entities", '<body onload="go(&quot;//ads.example-ads.test/x&quot;)">',
     '<body data-consent="advertising" data-onload="go(&quot;//ads.example-ads.test/x&quot;)">'),
    ("handler-without-host", '<button onclick="go(\'/next\')">', None),
    ("speculation-rules", f'<script type="speculationrules">{{"prefetch":[{{"urls":["{ADS}/x"]}}]}}</script>',
     (f'<script type="text/plain" data-consent="advertising" data-type="speculationrules">'
     f'{{"prefetch":[{{"urls":["{ADS}/x"]}}]}}</script>')),
    ("import-map", f'<script type="importmap">{{"imports":{{"t":"{ADS}/t.js"}}}}</script>',
     (f'<script type="text/plain" data-consent="advertising" data-type="importmap">'
     f'{{"imports":{{"t":"{ADS}/t.js"}}}}</script>')),
    # -- #12 part 3: srcset as the HTML Standard parses it
    ("srcset-comma-without-space", f'<img srcset="/a.gif 2x,{ADS}/p.gif 1x">',
     f'<img data-consent="advertising" data-srcset="/a.gif 2x,{ADS}/p.gif 1x">'),
    ("imagesrcset-comma", f'<link rel=preload as=image imagesrcset="/a.gif 2x,{ADS}/p.gif">',
     f'<link data-consent="advertising" rel=preload as=image data-imagesrcset="/a.gif 2x,{ADS}/p.gif">'),
    # -- URLs in CSS
    ("style-attribute", f'<div style="background:url({ADS}/x.png)">',
     f'<div data-consent="advertising" data-style="background:url({ADS}/x.png)">'),
    ("style-attribute-escaped", '<div style="background:u\\72l(//ads\\2e example-ads.test/x)">',
     '<div data-consent="advertising" data-style="background:u\\72l(//ads\\2e example-ads.test/x)">'),
    ("style-image-set", f'<p style="background-image:image-set(\'{ADS}/x.png\' 1x)">',
     f'<p data-consent="advertising" data-style="background-image:image-set(\'{ADS}/x.png\' 1x)">'),
    ("style-element-import", f'<style>@import "{ADS}/a.css";</style>',
     f'<style type="text/plain" data-consent="advertising">@import "{ADS}/a.css";</style>'),
    ("style-element-url", f"<style>body{{background:url('{ADS}/b.png')}}</style>",
     f"<style type=\"text/plain\" data-consent=\"advertising\">body{{background:url('{ADS}/b.png')}}</style>"),
    ("style-local", "<style>body{background:url(/b.png)} a>b{color:red}</style>", None),
    # -- documents inside attributes
    ("srcdoc", f'<iframe srcdoc="<img src=&quot;{ADS}/p.gif&quot;>"></iframe>',
     f'<iframe data-consent="advertising" data-srcdoc="<img src=&quot;{ADS}/p.gif&quot;>"></iframe>'),
    ("srcdoc-double-escaped", '<iframe srcdoc="<img src=&amp;#47;&amp;#47;ads.example-ads.test/p>"></iframe>',
     '<iframe data-consent="advertising" data-srcdoc="<img src=&amp;#47;&amp;#47;ads.example-ads.test/p>"></iframe>'),
    ("data-document-iframe", f'<iframe src="data:text/html,%3Cimg%20src%3D{ADS}/p%3E"></iframe>',
     f'<iframe data-consent="advertising" data-src="data:text/html,%3Cimg%20src%3D{ADS}/p%3E"></iframe>'),
    ("data-document-base64", '<object data="data:text/html;base64,PGltZyBzcmM9Ly9hZHMuZXhhbXBsZS1hZHMudGVzdC9wPg=="></object>',
     ('<object data-consent="advertising" data-data="data:text/html;base64,'
     'PGltZyBzcmM9Ly9hZHMuZXhhbXBsZS1hZHMudGVzdC9wPg=="></object>')),
    ("data-document-embed", f'<embed src="data:image/svg+xml,<svg><image href=\'{ADS}/p\'/></svg>">',
     f'<embed data-consent="advertising" data-src="data:image/svg+xml,<svg><image href=\'{ADS}/p\'/></svg>">'),
    ("javascript-url-frame", f'<iframe src="javascript:fetch(\'{ADS}/p\')"></iframe>',
     f'<iframe data-consent="advertising" data-src="javascript:fetch(\'{ADS}/p\')"></iframe>'),
    ("data-image-untouched", '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">', None),
    # -- other attributes that fetch
    ("background-attribute", f'<body background="{ADS}/bg.png">',
     f'<body data-consent="advertising" data-background="{ADS}/bg.png">'),
    ("meta-refresh", f'<meta http-equiv="refresh" content="0; url={ADS}/r">',
     f'<meta data-consent="advertising" http-equiv="refresh" data-content="0; url={ADS}/r">'),
    ("meta-refresh-quoted", f'<meta http-equiv=Refresh content="5;URL=\'{ADS}/r\'">',
     f'<meta data-consent="advertising" http-equiv=Refresh data-content="5;URL=\'{ADS}/r\'">'),
    ("meta-other", f'<meta property="og:image" content="{ADS}/og.png">', None),
    ("svg-set-href", f'<svg><image href="/a.png"><set attributeName="href" to="{ADS}/p.png"/></image></svg>',
     (f'<svg><image href="/a.png"><set data-consent="advertising" attributeName="href" data-to="{ADS}/p.png"/>'
     '</image></svg>')),
    ("svg-animate-values", f'<svg><image><animate attributeName="href" values="/a.png;{ADS}/p.png"/></image></svg>',
     (f'<svg><image><animate data-consent="advertising" attributeName="href" data-values="/a.png;{ADS}/p.png"/>'
     '</image></svg>')),
    ("ping", f'<a href="/x" ping="/count {ADS}/ping">x</a>',
     f'<a data-consent="advertising" href="/x" data-ping="/count {ADS}/ping">x</a>'),
    ("area-ping", f'<map><area href="/x" ping="{ADS}/ping"></map>',
     f'<map><area data-consent="advertising" href="/x" data-ping="{ADS}/ping"></map>'),
    # -- hosts a plain comparison misses
    ("soft-hyphen-in-host", '<img src="https://ads.exam\u00adple-ads.test/p">',
     '<img data-consent="advertising" data-src="https://ads.exam\u00adple-ads.test/p">'),
    ("zero-width-space-in-host", '<img src="https://ads.example\u200b-ads.test/p">',
     '<img data-consent="advertising" data-src="https://ads.example\u200b-ads.test/p">'),
    ("variation-selector-in-host", '<img src="https://ads.example-ads\ufe0f.test/p">',
     '<img data-consent="advertising" data-src="https://ads.example-ads\ufe0f.test/p">'),
    ("dot-segments", '<script src="https://www.google.com/x/../recaptcha/api.js"></script>',
     '<script type="text/plain" data-consent="captcha" data-src="https://www.google.com/x/../recaptcha/api.js"></script>'),
    ("dot-segments-escaped", '<script src="https://www.google.com/x/%2e%2E/recaptcha/api.js"></script>',
     ('<script type="text/plain" data-consent="captcha" data-src="https://www.google.com/x/%2e%2E/recaptcha/api.js">'
     "</script>")),
    ("double-slash-path", '<script src="https://www.google.com//recaptcha/api.js"></script>',
     '<script type="text/plain" data-consent="captcha" data-src="https://www.google.com//recaptcha/api.js"></script>'),
    ("escaped-path", '<script src="https://www.google.com/%72ecaptcha/api.js"></script>',
     '<script type="text/plain" data-consent="captcha" data-src="https://www.google.com/%72ecaptcha/api.js"></script>'),
    ("two-categories-one-tag", f'<video src="{GA}/v.mp4" poster="{ADS}/p.png"></video>',
     f'<video data-consent="analytics advertising" data-src="{GA}/v.mp4" data-poster="{ADS}/p.png"></video>'),
    # -- the tokenizer and tree builder's contexts
    ("template-svg-does-not-end-gating", f'<template><svg></template><img src="{ADS}/p">',
     f'<template><svg></template><img data-consent="advertising" data-src="{ADS}/p">'),
    ("svg-p-breakout-style", f'<svg><p><style><!--</style><img src="{ADS}/p">-->',
     f'<svg><p><style><!--</style><img data-consent="advertising" data-src="{ADS}/p">-->'),
    ("svg-div-breakout-cdata", f'<svg><div><![CDATA[ x ><img src="{ADS}/p"> ]]>',
     f'<svg><div><![CDATA[ x ]]>&gt;<![CDATA[<img src="{ADS}/p"]]>&gt;<![CDATA[ ]]>'),
    ("math-img-breakout", f'<math><img src="{ADS}/p"></math>',
     f'<math><img data-consent="advertising" data-src="{ADS}/p"></math>'),
    ("foreignobject-is-html", f'<svg><foreignObject><style><!--</style><img src="{ADS}/p">--></foreignObject></svg>',
     (f'<svg><foreignObject><style><!--</style><img data-consent="advertising" data-src="{ADS}/p">-->'
     "</foreignObject></svg>")),
    ("svg-end-tag-of-an-ancestor", f'<div><svg><g></div><style><!--</style><img src="{ADS}/p">-->',
     f'<div><svg><g></g></svg></div><style><!--</style><img data-consent="advertising" data-src="{ADS}/p">-->'),
    ("noscript-comment", f'<noscript><!--</noscript><img src="{ADS}/p">-->',
     f'<noscript><!--&lt;/noscript><img src="{ADS}/p">-->'),
    ("noscript-attribute", f'<noscript><p title="</noscript><img src={ADS}/p>"></noscript>',
     f'<noscript><p title="&lt;/noscript><img src={ADS}/p>"></noscript>'),
    ("noscript-style", f'<noscript><style></noscript><img src="{ADS}/p"></style></noscript>',
     (f'<noscript><style type="text/plain" data-consent="advertising">&lt;/noscript><img src="{ADS}/p"></style>'
     "</noscript>")),
    ("base-in-noscript", f'<noscript><base href="/"></noscript><base href="{ADS}/"><img src="p.gif">',
     f'<noscript><base href="/"></noscript><base data-consent="advertising" data-href="{ADS}/"><img src="p.gif">'),
    ("base-in-svg-is-no-base", f'<svg><base href="/"></base></svg><base href="{ADS}/">',
     f'<svg><base href="/"></base></svg><base data-consent="advertising" data-href="{ADS}/">'),
]


@pytest.mark.parametrize(("source", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_gate_reads_what_the_browser_reads(source, expected):
    expected = source if expected is None else expected
    assert gate(source) == expected
    assert gate(expected) == expected  # idempotent
    assert leaks(POLICY, NONE, expected) == []
    data = source.encode()
    for size in (1, 3):
        g = HtmlGate(POLICY, NONE)
        assert (b"".join(g.feed(data[i : i + size]) for i in range(0, len(data), size)) + g.close()).decode() == expected


# Not the cases where the gate writes markup both readings agree on (noscript, CDATA, an end tag).
NORMALISED = ("noscript", "cdata", "ancestor")


@pytest.mark.parametrize("source", [c[1] for c in CASES if c[2] is not None and not any(w in c[0] for w in NORMALISED)])
def test_everything_granted_leaves_every_case_alone(source):
    assert gate(source, {"analytics": True, "captcha": True, "advertising": True}) == source


@pytest.mark.parametrize(("text", "urls"), [
    ("/a.gif 2x,https://t/p.gif 1x", ["/a.gif", "https://t/p.gif"]),
    ("a.gif, b.gif 2x", ["a.gif", "b.gif"]),
    ("a.gif,,, b.gif", ["a.gif", "b.gif"]),
    ("a.gif (x, y), c.gif", ["a.gif", "c.gif"]),
    ("  ,a,b c,d ", ["a,b", "d"]),
    ("data:image/gif;base64,R0l,GOD 1x", ["data:image/gif;base64,R0l,GOD"]),
])
def test_srcset_is_split_as_the_html_standard_says(text, urls):
    assert srcset_urls(text) == urls


# -- streamed tags over TAG_LIMIT fail closed for every URL attribute ----------------

def _oversized(html: bytes, granted: dict[str, bool] = NONE) -> str:
    g = HtmlGate(POLICY, granted)
    return (b"".join(g.feed(html[i : i + 4096]) for i in range(0, len(html), 4096)) + g.close()).decode()


def test_oversized_tag_with_the_deciding_rel_after_the_cut_is_inert():
    out = _oversized(f'<link href="{ADS}/x.css" title="{"t" * (2 * TAG_LIMIT)}" rel="stylesheet">'.encode())
    assert out.startswith('<link style="" background="" ping="" href="" imagesrcset="" data-consent="advertising" data-href=')
    assert leaks(POLICY, NONE, out) == []


def test_oversized_tag_cut_inside_the_host_is_inert():
    out = _oversized(b'<img alt="' + b"a" * (TAG_LIMIT - 30) + b'" src="https://ads.example-ads.test/' + b"p" * TAG_LIMIT
                     + b'">')
    assert ' data-src="https://ads.exa' in out and leaks(POLICY, NONE, out) == []


def test_oversized_local_image_fails_closed_too():
    out = _oversized(b'<img src="/local.png" alt="' + b"a" * (2 * TAG_LIMIT) + b'">')
    assert out.startswith('<img style="" background="" ping="" src="" srcset="" data-src="/local.png"')


def test_oversized_ordinary_tag_shadows_a_style_after_the_cut():
    out = _oversized(b'<div title="' + b"a" * (2 * TAG_LIMIT) + b'" style="background:url(//ads.example-ads.test/x)">')
    assert out.startswith('<div style="" background="" ping=""')


# -- the app's own headers --------------------------------------------------------

def test_link_preload_and_refresh_headers_of_a_category_not_granted_are_dropped():
    raw = [
        (b"link", f"</app.css>; rel=preload; as=style, <{ADS}/t.js>; rel=preload; as=script".encode()),
        (b"link", f'<{ADS}/>; rel="preconnect"'.encode()),
        (b"link", f"<{ADS}/about>; rel=canonical".encode()),
        (b"refresh", f"0; url={ADS}/r".encode()),
        (b"refresh", b"5; url=/next"),
    ]
    assert gated_headers(POLICY, NONE, raw) == [
        (b"link", b"</app.css>; rel=preload; as=style"),
        (b"link", f"<{ADS}/about>; rel=canonical".encode()),
        (b"refresh", b"5; url=/next"),
    ]
    assert gated_headers(POLICY, {"advertising": True}, raw) == raw


# -- encodings ---------------------------------------------------------------------

def _served(body: bytes, content_type: bytes) -> tuple[bytes, bool]:
    g = ResponseGate(POLICY, NONE, content_type=content_type)
    out = b"".join(g.feed(body[i : i + 5]) for i in range(0, len(body), 5)) + g.close()
    # The same, the last chunk read with the end of the body (feed_last), and the whole in one.
    for last in (1, 5, len(body)):
        again = ResponseGate(POLICY, NONE, content_type=content_type)
        cut = len(body) - last
        pieces = b"".join(again.feed(body[i : min(i + 5, cut)]) for i in range(0, cut, 5))
        assert pieces + again.feed_last(body[cut:]) == out and again.transcoded == g.transcoded
    return out, g.transcoded


@pytest.mark.parametrize(("encoding", "content_type"), [
    ("utf-16-le", b"text/html; charset=utf-16le"), ("utf-16-be", b"text/html; charset=UTF-16BE"),
    ("utf-16", b"text/html; charset=utf-8"),  # the byte order mark wins over the header
    ("iso2022_jp", b"text/html; charset=iso-2022-jp"),
])
def test_pages_not_ascii_compatible_are_decoded_gated_and_served_as_utf8(encoding, content_type):
    page = f'<p>\u65e5\u672c</p><img src="{ADS}/p.gif">'
    out, transcoded = _served(page.encode(encoding), content_type)
    assert transcoded
    assert out.decode("utf-8") == f'<p>\u65e5\u672c</p><img data-consent="advertising" data-src="{ADS}/p.gif">'


def test_iso_2022_jp_escapes_cannot_hide_a_tag_on_a_page_without_a_charset():
    # ESC $ B switches ISO-2022-JP to two-byte mode, where "<!--" is two characters.
    body = b'\x1b$B<!--\x1b(B<img src="' + ADS.encode() + b'/p.gif">-->'
    out, transcoded = _served(body, b"text/html")
    assert not transcoded and b"\x1b" not in out
    assert b'data-src="https://ads.example-ads.test/p.gif"' not in out or b"<!--" in out
    assert out == b' $B<!-- (B<img src="' + ADS.encode() + b'/p.gif">-->'  # a comment in every reading now


# -- #13 L6: one bound on every cached tag -----------------------------------------

def test_the_tag_cache_has_one_bound_for_every_set_of_grants():
    policy = make_policy()
    categories = ("analytics", "captcha", "advertising")
    for i in range(40):
        granted = {c: bool(i >> k & 1) for k, c in enumerate(categories)}
        page = "".join(f'<img src="https://cdn.example.test/{i}/{j}.png" alt="{j}">' for j in range(300))
        rewrite_html(policy, granted, f'<img data-consent="analytics" src="/a{i}.png">{page}'.encode())
    total = sum(len(rules.tags) for _, rules in hosts._PREPARED.rules.values())
    assert total == hosts._PREPARED.tags <= hosts._TAGS_IN_ALL


# -- #13 L7: linear work however the body is cut -----------------------------------

class _Counting(HtmlGate):
    runs = 0

    def _run(self, final: bool) -> bytes:
        type(self).runs += 1
        return super()._run(final)


@pytest.mark.parametrize("pending", [
    b'<img alt="' + b">" * 60000 + b'" src="/a">',  # a '>' in every chunk, inside quotes
    b"<script>" + b"if (a > b) x();\n" * 4000 + b"</script>",  # an inline body held to its end
])
def test_a_pending_tag_or_body_fed_byte_by_byte_is_read_once(pending):
    _Counting.runs = 0
    g = _Counting(POLICY, NONE)
    out = b"".join(g.feed(pending[i : i + 1]) for i in range(len(pending))) + g.close()
    assert out == pending
    assert _Counting.runs < 50  # not once per byte: each byte is looked at a bounded number of times
