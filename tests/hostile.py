"""Hostile documents: the pieces that make a tokenizer or tree builder read markup
differently (foreign content and the tags that leave it, integration points,
<template>, <noscript>, raw text, comments, CDATA, quotes, <base>), mixed with
tags that load from a tracker. Used by the differential tests against html5lib
and Chromium."""

from __future__ import annotations

import random

TRACKER = "https://ads.example-ads.test"
LOADERS = [
    f'<img src="{TRACKER}/i.gif">', f"<img src={TRACKER}/u.gif>", f'<iframe src="{TRACKER}/f"></iframe>',
    f'<link rel="stylesheet" href="{TRACKER}/s.css">', f'<script src="{TRACKER}/s.js"></script>',
    f'<img srcset="/a.gif 2x,{TRACKER}/ss.gif 1x">', f'<video poster="{TRACKER}/p.png"></video>',
    f'<svg><image href="{TRACKER}/svg.png"/></svg>', '<img src="rel.gif">',
    f'<embed src="{TRACKER}/e">', f'<object data="{TRACKER}/o"></object>',
]
OPENERS = [
    "<svg>", "<math>", "<svg><foreignObject>", "<svg><desc>", "<svg><title>", "<math><mi>", "<math><mtext>",
    '<math><annotation-xml encoding="text/html">', "<math><annotation-xml>", "<template>", "<noscript>",
    "<select>", "<table>", "<p>", "<div>", "<span>", "<ul><li>", "<font color=red>", "<svg><g>", "<b>",
    "<style>", "<textarea>", "<title>", "<xmp>", "<noembed>", "<noframes>", "<iframe>", "<script>",
]
CLOSERS = [
    "</svg>", "</math>", "</foreignObject>", "</desc>", "</title>", "</mi>", "</template>", "</noscript>",
    "</select>", "</table>", "</p>", "</div>", "</span>", "</li>", "</br>", "</style>", "</textarea>", "</xmp>",
    "</iframe>", "</script>", "</g>", "</b>", "</font>",
]
NOISE = [
    "<!--", "-->", "--!>", "<![CDATA[", "]]>", ">", "<", '<p title="', '"', "'", "<p title='", "x", " ",
    "<!-->", "<?x", "</ x>", '<base href="/">', f'<base href="{TRACKER}/">', "<br/>", "<svg/>", "<math/>",
]


def hostile(rng: random.Random, pieces: int = 8) -> str:
    out = []
    for _ in range(pieces):
        kind = rng.random()
        if kind < 0.3:
            out.append(rng.choice(OPENERS))
        elif kind < 0.5:
            out.append(rng.choice(CLOSERS))
        elif kind < 0.75:
            out.append(rng.choice(NOISE))
        else:
            out.append(rng.choice(LOADERS))
    out.append(rng.choice(LOADERS))
    return "".join(out)
