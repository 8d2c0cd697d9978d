"""Random markup for the gate's property tests (``test_rewrite``, ``test_cscan``):
tags that load resources, written every way HTML allows, inside comments, raw text
and foreign content; the grants to gate them under; and cuts into chunks."""

from __future__ import annotations

import itertools
import re

from hypothesis import strategies as st

NONE: dict[str, bool] = {}
ALL = {"analytics": True, "captcha": True, "advertising": True}
ANALYTICS = {"analytics": True}
GA = "https://www.google-analytics.com/analytics.js"
GTM = "https://www.googletagmanager.com/gtag/js?id=G-X"
PIXEL = "https://pixel.example-analytics.test/p.gif"
CAPTCHA = "https://www.google.com/recaptcha/api.js"
ADS = "https://ads.example-ads.test/tag.js"


URLS = [GA, GTM, PIXEL, CAPTCHA, ADS, "/local.js", "https://cdn.example.test/x.js",
        "https://www.googletagmanager.com.evil.test/x", "//www.google-analytics.com/a.js",
        "https://www.google.com/maps", f"{PIXEL} 1x, /b.gif 2x"]
CATEGORIES = ["analytics", "captcha", "advertising", "necessary", "unknown", ""]
ELEMENTS = ["script", "img", "iframe", "link", "video", "source", "audio", "embed", "div", "SCRIPT", "Img"]


def _attr(draw: st.DrawFn, name: str, value: str) -> str:
    sep = draw(st.sampled_from([" ", "\n  ", "\t", "  "]))
    quote = draw(st.sampled_from(['"', "'", ""] if value and not re.search(r"[\s\"'=<>`]", value) else ['"', "'"]))
    if draw(st.integers(0, 4)) == 0:
        name = name.upper()
    return f"{sep}{name}={quote}{value}{quote}"


@st.composite
def resource_tag(draw: st.DrawFn) -> str:
    element = draw(st.sampled_from(ELEMENTS))
    attrs = []
    if draw(st.booleans()):
        attrs.append(("data-consent", draw(st.sampled_from(CATEGORIES))))
    url = draw(st.sampled_from(URLS))
    attr = draw(st.sampled_from(["src", "data-src", "srcset", "data-srcset", "href", "data-href", "poster"]))
    attrs.append((attr, url))
    if element.lower() == "script":
        kind = draw(st.sampled_from([None, "text/plain", "module", "text/javascript"]))
        if kind:
            attrs.insert(draw(st.integers(0, len(attrs))), ("type", kind))
    if element.lower() == "link":
        attrs.insert(0, ("rel", draw(st.sampled_from(["stylesheet", "preload", "canonical", "dns-prefetch"]))))
    attrs.append(("alt", draw(st.sampled_from(["", "a > b", "x\"y", "it's"]))))
    attrs = draw(st.permutations(attrs))
    body = "".join(_attr(draw, k, v) for k, v in attrs)
    end = draw(st.sampled_from([">", " >", "/>", "\n>"]))
    closer = f"</{element}>" if element.lower() in ("script", "iframe", "video", "audio", "div") else ""
    inner = draw(st.sampled_from(["", "x()", f"'<img src={PIXEL}>'"])) if element.lower() == "script" else ""
    return f"<{element}{body}{end}{inner}{closer}"


TEXT = st.text(alphabet="ab <>/=\"'!-&;\n\té", max_size=12)


@st.composite
def piece(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 8))
    if kind <= 2:
        return draw(resource_tag())
    if kind == 3:
        return draw(TEXT)
    if kind == 4:
        return f"<!--{draw(TEXT).replace('-->', '')} {draw(resource_tag())} -->"
    if kind == 5:
        raw = draw(st.sampled_from(["script", "style", "textarea", "title", "template"]))
        inner = draw(resource_tag()).replace(f"</{raw}", "")
        return f"<{raw}>{inner}</{raw}>"
    if kind == 6:
        return draw(st.sampled_from(["<p>", "</p>", '<a href="/x" title="a>b">', "<br/>", "<!DOCTYPE html>",
                                     "<div\nclass=x>", "<?pi x?>", "</>", "<head>", "<noscript>"]))
    if kind == 7:
        return f'<div title="{draw(resource_tag()).replace(chr(34), "")}">'
    if draw(st.booleans()):
        inner = draw(resource_tag())
        wrap = draw(st.sampled_from(["<svg>{}</svg>", "<svg><style>{}</style></svg>", "<math><mi>{}</mi></math>",
                                     "<svg><g>{}</g><svg/><title>{}</title></svg>"]))
        return wrap.replace("{}", inner)
    return draw(st.sampled_from(["<svg><title>t</title></svg>", "<math></math>", "<![CDATA[x]]>", "<svg/>"]))


DOCS = st.lists(piece(), max_size=12).map("".join)
GRANTS = st.sampled_from([NONE, ANALYTICS, ALL, {"captcha": True, "advertising": True}])


def cut(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(c, len(data)) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in itertools.pairwise(points)]
