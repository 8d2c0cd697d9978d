"""Click-to-load placeholders (#12 part 5): the markup the gate writes before an
embed it holds for one service, read back by a real HTML5 parser (html5lib), and
the no-JavaScript "Always allow <service>" flow of the preferences page."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import html5lib
import pytest

from consentkit.gating.placeholder import Placeholders
from consentkit.rewrite import rewrite_html

from .apps import client
from .kits import embeds_policy

NONE = {"analytics": False, "captcha": False, "advertising": False, "media": False}
YOUTUBE = (b'<iframe width="560" height="315" src="https://www.youtube.com/embed/abc" title="YouTube video player" '
           b"allowfullscreen></iframe>")
MAPS = b'<iframe src="https://www.google.com/maps/embed?pb=1" width="100%" height="450" style="border:0;"></iframe>'
NS = "{http://www.w3.org/1999/xhtml}"
SITE = "http://testserver"
FORM = {"content-type": "application/x-www-form-urlencoded"}


def gate(html: bytes, services=None, granted=None, page="/watch?v=1&list=<2>", lang="en") -> bytes:
    policy = embeds_policy()
    placeholders = Placeholders(policy, lang, "/consentkit", page)
    return rewrite_html(policy, {**NONE, **(granted or {})}, html, services=services, placeholders=placeholders)


def parse(html: bytes):
    return html5lib.parse(b"<!doctype html><body>" + html, namespaceHTMLElements=True)


def placeholders(tree) -> list:
    return [e for e in tree.iter(f"{NS}span") if e.get("data-consentkit-placeholder")]


def text(element) -> str:
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


def test_a_held_embed_gets_a_placeholder_that_says_what_it_is_with_its_two_controls():
    tree = parse(b"<p>" + YOUTUBE + b"</p>")
    (holder,) = placeholders(parse(gate(b"<p>" + YOUTUBE + b"</p>")))
    assert holder.get("data-consentkit-placeholder") == "youtube"
    assert holder.get("role") == "group" and holder.get("aria-label") == "YouTube"
    said = text(holder)
    for part in ("YouTube (Google)", "Plays videos from YouTube.", "sends information about your visit to Google",
                 "Cookies: YSC (session), VISITOR_INFO1_LIVE (6 months)", "Load once", "Always allow YouTube"):
        assert part in said, said
    (once,) = [b for b in holder.iter(f"{NS}button")]
    assert once.get("type") == "button" and once.get("data-consentkit-action") == "once"
    (allow,) = [a for a in holder.iter(f"{NS}a")]
    assert allow.get("data-consentkit-action") == "allow" and allow.get("data-service") == "youtube"
    # Without JavaScript, the link is the preferences page's form for YouTube alone, back to this page.
    assert allow.get("href") == "/consentkit/preferences?service=youtube&next=/watch%3Fv%3D1%26list%3D%3C2%3E"
    # Its box is the embed's: an empty svg of its width, height and aspect ratio.
    (svg,) = list(holder.iter("{http://www.w3.org/2000/svg}svg"))
    assert (svg.get("width"), svg.get("height"), svg.get("viewBox")) == ("560", "315", "0 0 560 315")
    assert svg.get("aria-hidden") == "true"
    # Phrasing content only: the author's <p> still holds both, in the same place, the
    # inert embed right after its placeholder.
    (p,) = [e for e in parse(gate(b"<p>" + YOUTUBE + b"</p>")).iter(f"{NS}p")]
    children = list(p)
    assert [c.tag for c in children] == [f"{NS}span", f"{NS}iframe"]
    assert children[1].get("data-src") == "https://www.youtube.com/embed/abc" and children[1].get("src") is None
    assert len(list(tree.iter(f"{NS}p"))) == 1
    # No style attribute, no script: any Content-Security-Policy allows it.
    for element in holder.iter():
        assert element.get("style") is None and not any(k.startswith("on") for k in element.attrib)
    assert not list(holder.iter(f"{NS}script"))


def test_the_size_comes_from_the_width_and_height_in_pixels_only():
    (holder,) = placeholders(parse(gate(MAPS)))
    svg = next(holder.iter("{http://www.w3.org/2000/svg}svg"))
    # width="100%" is no size in pixels: the default aspect ratio (300x150) at the given height.
    assert (svg.get("width"), svg.get("height")) == ("900", "450")
    (holder,) = placeholders(parse(gate(b'<iframe src="https://www.youtube.com/embed/x"></iframe>')))
    svg = next(holder.iter("{http://www.w3.org/2000/svg}svg"))
    assert (svg.get("width"), svg.get("height")) == ("300", "150")


def test_one_placeholder_per_service_and_the_granted_one_has_none():
    both = YOUTUBE + MAPS
    assert [h.get("data-consentkit-placeholder") for h in placeholders(parse(gate(both)))] == ["youtube", "maps"]
    out = gate(both, services={"youtube": True})
    assert [h.get("data-consentkit-placeholder") for h in placeholders(parse(out))] == ["maps"]
    assert b' src="https://www.youtube.com/embed/abc"' in out
    assert placeholders(parse(gate(both, granted={"media": True}))) == []


@pytest.mark.parametrize("html", [
    # Not meant to be seen: a tracking frame, hidden ones.
    b'<iframe src="https://www.youtube.com/embed/x" width="1" height="1"></iframe>',
    b'<iframe src="https://www.youtube.com/embed/x" width="0" height="0"></iframe>',
    b'<iframe src="https://www.youtube.com/embed/x" hidden></iframe>',
    b'<iframe src="https://www.youtube.com/embed/x" style="display: none"></iframe>',
    b'<iframe src="https://www.youtube.com/embed/x" style="VISIBILITY:hidden"></iframe>',
    # Where a placeholder would change what the browser reads: inert template content,
    # foreign content, and <noscript> (raw text with JavaScript on).
    b'<template><iframe src="https://www.youtube.com/embed/x"></iframe></template>',
    b'<svg><iframe src="https://www.youtube.com/embed/x"></iframe></svg>',
    b'<noscript><iframe src="https://www.youtube.com/embed/x"></iframe></noscript>',
    # Held for two services: allowing one would not load it.
    b'<iframe src="https://www.youtube.com/embed/x" data-consent="analytics"></iframe>',
    # Not an embed.
    b'<img src="https://www.youtube.com/x.gif">',
    b'<script src="https://www.youtube.com/iframe_api"></script>',
])
def test_no_placeholder(html):
    out = gate(html)
    assert b"data-consentkit-placeholder" not in out
    if not html.startswith(b"<template>"):  # template content loads nothing: the gate leaves it
        assert b' src="https://www.youtube.com/' not in out  # still held


@pytest.mark.parametrize("html", [
    b'<embed src="https://www.youtube.com/v/x" width="400" height="300">',
    b'<object data="https://www.youtube.com/v/x" width="400" height="300"></object>',
    b'<video src="https://www.youtube.com/v.mp4" width="400" height="300" controls></video>',
    b'<iframe data-consent="media" data-src="https://www.youtube.com/embed/x" width="400" height="300"></iframe>',
    b'<iframe data-consent="youtube" data-src="https://www.youtube.com/embed/x" width="400" height="300"></iframe>',
])
def test_every_kind_of_embed(html):
    (holder,) = placeholders(parse(gate(html)))
    assert holder.get("data-consentkit-placeholder") == "youtube"


def test_the_placeholder_speaks_the_visitors_language_and_escapes_what_it_writes():
    out = gate(YOUTUBE, lang="es", page='/x?a="><script>')
    (holder,) = placeholders(parse(out))
    assert "Permitir siempre YouTube" in text(holder) and "Cargar una vez" in text(holder)
    assert b"<script>" not in out and out.isascii()  # non-ASCII as character references: any charset
    assert "información" in text(holder)


def test_the_same_tag_gets_its_placeholder_every_time():
    # The gate remembers what a tag becomes per grants; a tag with a placeholder is not
    # remembered, so the C fast path cannot send it out without one.
    for _ in range(3):
        assert len(placeholders(parse(gate(b"<div>" + YOUTUBE + b"</div>")))) == 1


TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.mark.anyio
async def test_always_allow_without_javascript_grants_that_service_alone(make_kit):
    kit = make_kit(embeds_policy("opt_in"))
    async with client(kit, Origin=SITE) as c:
        r = await c.get("/consentkit/preferences", params={"service": "youtube", "next": "/watch?v=1"})
        assert r.status_code == 200
        assert "Always allow YouTube" in r.text and "Plays videos from YouTube." in r.text
        token = TOKEN.search(r.text).group(1)
        posted = await c.post("/consentkit/preferences",
                              data={"csrf_token": token, "next": "/watch?v=1", "service": "youtube"})
        assert posted.status_code == 303 and posted.headers["location"] == "/watch?v=1"
        state = (await c.get("/consentkit/state")).json()
    assert state["services"]["youtube"] is True and state["services"]["maps"] is False
    assert state["categories"]["media"] is False


@pytest.mark.anyio
async def test_the_service_form_refuses_bad_input_and_changes_nothing(make_kit):
    kit = make_kit(embeds_policy("opt_in"))
    async with client(kit, Origin=SITE) as c:
        r = await c.get("/consentkit/preferences", params={"service": "nope"})
        assert r.status_code == 200 and "Always allow" not in r.text  # an unknown service: the plain page
        token = TOKEN.search(r.text).group(1)
        before = (await c.get("/consentkit/state")).json()
        bad = await c.post("/consentkit/preferences", data={"csrf_token": token, "service": "nope"})
        assert bad.status_code == 400
        forged = await c.post("/consentkit/preferences", data={"csrf_token": "x", "service": "youtube"})
        assert forged.status_code == 403
        assert (await c.get("/consentkit/state")).json() == before


@pytest.mark.anyio
async def test_the_preferences_page_has_a_box_per_service(make_kit):
    kit = make_kit(embeds_policy("opt_in"))
    async with client(kit, Origin=SITE) as c:
        r = await c.get("/consentkit/preferences")
        tree = html5lib.parse(r.text, namespaceHTMLElements=False)
        boxes = {i.get("name"): i for i in tree.iter("input") if i.get("type") == "checkbox"}
        assert {"service.youtube", "service.maps", "service.web-analytics"} <= set(boxes)
        assert not any(name.startswith("service.") and box.get("checked") is not None for name, box in boxes.items())
        token = TOKEN.search(r.text).group(1)
        # Media unticked, YouTube ticked: YouTube alone. (The hidden "0" comes first, the box's "1" last.)
        form = [("csrf_token", token), ("service.youtube", "0"), ("service.youtube", "1"), ("service.maps", "0")]
        posted = await c.post("/consentkit/preferences", content=urlencode(form), headers=FORM)
        assert posted.status_code == 303
        state = (await c.get("/consentkit/state")).json()
        assert state["services"]["youtube"] is True and state["services"]["maps"] is False
        assert state["categories"]["media"] is False
        again = await c.get("/consentkit/preferences")
        assert re.search(r'name="service.youtube" value="1" checked', again.text)
        assert not re.search(r'name="service.maps" value="1" checked', again.text)
        # Media ticked, Maps unticked: everything in media but Maps.
        form = [("csrf_token", token), ("media", "1"), ("service.youtube", "0"), ("service.youtube", "1"),
                ("service.maps", "0")]
        await c.post("/consentkit/preferences", content=urlencode(form), headers=FORM)
        state = (await c.get("/consentkit/state")).json()
        assert state["categories"]["media"] is True
        assert state["services"]["youtube"] is True and state["services"]["maps"] is False
        # A form without service boxes (an older page) leaves each service to its category.
        await c.post("/consentkit/preferences", data={"csrf_token": token, "media": "1"})
        assert (await c.get("/consentkit/state")).json()["services"]["maps"] is True


@pytest.mark.parametrize("cut", [1, 7, 64, 10_000])
def test_the_fast_paths_write_the_same_placeholders_as_the_exact_reading(cut):
    # The C scanner passes tags it remembers; an embed with a placeholder is never
    # remembered, so a page read fast (in chunks of any size, twice: the second time
    # from the cache) comes out as the exact tokenizer reads it.
    from consentkit.gating import HtmlGate

    from .test_cscan import _exact_gate, _run

    policy = embeds_policy()
    page = b"<main><p>" + YOUTUBE + b"</p><div>" + MAPS + b"</div>" + YOUTUBE + b"<img src=/x.png></main>"
    parts = [page[i:i + cut] for i in range(0, len(page), cut)]
    expected = _run(_exact_gate(policy, NONE, placeholders=Placeholders(policy, "en", "/consentkit", "/p")), parts)
    assert expected.count(b"data-consentkit-placeholder") == 3
    for _ in range(2):
        gate = HtmlGate(policy, NONE, placeholders=Placeholders(policy, "en", "/consentkit", "/p"))
        assert _run(gate, parts) == expected
