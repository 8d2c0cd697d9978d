"""A real HTML5 parser (html5lib, the WHATWG tree builder in Python) as the judge of
what a browser would load from a gated page: every element it builds, with
JavaScript off and on (``<noscript>`` read as markup, then as raw text), outside
``<template>`` content, whose URL attributes name a declared host of a category not
granted is a leak."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import html5lib

from consentkit.gating.textscan import srcset_urls
from consentkit.policy import Policy

_HTML = "{http://www.w3.org/1999/xhtml}"
_SVG = "{http://www.w3.org/2000/svg}"
_XLINK = "{http://www.w3.org/1999/xlink}href"
LOADS = {
    "script": ("src",), "img": ("src", "srcset"), "source": ("src", "srcset"), "video": ("src", "poster"),
    "link": ("href", "imagesrcset"), "object": ("data",), "iframe": ("src",), "frame": ("src",),
    "embed": ("src",), "audio": ("src",), "track": ("src",), "input": ("src",),
}
SVG_LOADS = {"image": ("href", _XLINK), "use": ("href", _XLINK), "feimage": ("href", _XLINK),
             "script": ("href", _XLINK)}
_INERT_RELS = {"canonical", "alternate", "author", "bookmark", "next", "prev", "nofollow", "noopener", "noreferrer"}


# html5lib 1.1 (2020) predates three things the standard's tree construction says
# today and Chromium ships: the relaxed <select> parser (2025: its content is parsed
# like any other), "</p>" and "</br>" leaving SVG or MathML (2023), and the template
# contents rules it never followed whole (an end tag of a formatting element outside a
# <template> does not close it). A document that uses them is judged by Chromium's own
# parser instead (tests/browser/test_gate_in_chromium.py, same generator).
_PREDATES = re.compile(r"<(select|template)\b|<(svg|math)\b.*</(p|br)\b", re.IGNORECASE | re.DOTALL)


def html5lib_reads_as_today(doc: str) -> bool:
    """Whether html5lib builds the tree the current standard builds for ``doc``, as
    far as the generated documents go (see ``_PREDATES``)."""
    return _PREDATES.search(doc) is None


def _elements(root: object, in_template: bool = False) -> Iterator[tuple[str, str, dict[str, str]]]:
    for el in root:  # type: ignore[attr-defined]
        tag = el.tag if isinstance(el.tag, str) else ""
        ns, _, name = tag.rpartition("}")
        inside = in_template or tag == _HTML + "template"
        if not in_template:
            yield ns + "}", name.lower(), dict(el.attrib)
        yield from _elements(el, inside)


def url_category(policy: Policy, url: str) -> str | None:
    url = re.sub(r"[\t\n\r]", "", url).strip().replace("\\", "/").lower()
    url = re.sub(r"^(https?):/*", r"\1://", url)
    return policy.category_for_url(url)


def leaks(policy: Policy, granted: dict[str, bool], html: str) -> list[tuple[str, str, str]]:
    """(element, attribute, URL) for every live URL of a category not granted that
    html5lib finds, with scripting off and on."""
    allowed = {c.id for c in policy.categories if c.required or granted.get(c.id)}
    found = []
    for scripting in (False, True):
        tree = html5lib.HTMLParser(namespaceHTMLElements=True).parse(html, scripting=scripting)
        for ns, name, attrs in _elements(tree):
            if ns == _HTML:
                names = LOADS.get(name, ())
                if name == "link" and set(attrs.get("rel", "").lower().split()) <= _INERT_RELS:
                    names = ()
            elif ns == _SVG:
                names = SVG_LOADS.get(name, ())
            else:
                names = ()
            for attr in names:
                value = attrs.get(attr)
                if not value:
                    continue
                for url in srcset_urls(value) if "srcset" in attr else [value]:
                    category = url_category(policy, unescape(url))
                    if category is not None and category not in allowed:
                        found.append((name, attr, url))
    return found
