"""Streaming HTML gating: consent-gated tags go out live or inert, trackers inert.

``HtmlGate`` is fed a ``text/html`` body chunk by chunk and answers at once with
what may be sent. A tag marked ``data-consent="<category>"`` is served live when
the category is granted (script ``type`` restored, ``data-src`` back to ``src``)
and inert when it is not (``type="text/plain"``, ``src`` moved to ``data-src``),
so the widget can activate it in place later. A script, image, frame, link, media
or embed tag whose URL is on a declared host of a category not granted goes out
inert even without ``data-consent``, and gets one. Every byte outside the
rewritten tags passes through unchanged.

How it stays correct and fast: the body is tokenized as a browser would (HTML
tokenizer rules for tags, quoted attributes, comments, raw text elements), but
the plain majority of the page is skipped by a scanner that only stops at tags
that might need attention: in C (``gating/_cscan.c``) where it was compiled at
install, else one precompiled regular expression per tokenizer context. Every
stop goes through the exact path; a scanner's mistake could only make the gate
look at more, never at less, and tests compare both scanners with the exact path
alone. What a tag becomes is kept per policy and set of grants, keyed by the
tag's bytes (bounded; never across a ``<base>`` that changes how URLs resolve), so
a tag seen on an earlier page costs a lookup; the CSP nonce is put in per
response. Where browsers and this tokenizer could disagree, the gate chooses the
reading that sees more tags (fail closed):

* a script ends at its first ``</script``, even where a browser in the "double
  escaped" state (``<!--<script>`` inside a script) would read on;
* ``<noscript>`` content is read as markup, as a browser without JavaScript does;
* inside ``<svg>``/``<math>`` no element is raw text, as in foreign content.

URLs are read as a browser reads them before their host is compared: character
references decoded, tabs and newlines dropped, ``\\`` as ``/``, %-escapes and
full-width characters mapped. A host declared by a category that is not granted
overrules the category an author wrote on the tag. After a ``<base href>`` on a
declared host, relative URLs are resolved against it; a ``<base>`` on a host that
is not granted goes out inert itself.

``<template>`` content is left untouched: it is inert until the page's own script
clones it. SVG's ``<image>``, ``<use>`` and ``<feImage>`` are gated by ``href`` and
``xlink:href`` (an inert ``data-xlink:href`` comes back live on the next page view,
not in place). Not covered: URLs in CSS (``style``, ``@import``), ``srcdoc``, legacy
``background`` attributes and ``<meta http-equiv="refresh">``; keep trackers out of
those (``tests/browser/test_gate_in_chromium.py`` shows what Chromium fetches).

A tag longer than ``TAG_LIMIT`` is not held back whole: it is decided on what
has been read (its complete attributes and the start of the one in progress, which
holds any URL's host), then the rest streams through. So that an attribute not yet
read cannot load anything, such a tag of an element that loads resources gets
empty copies of its URL attributes put first (the first of duplicate attributes
wins in HTML): an oversized ``<img alt="...">`` loses its image, never its privacy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from .gating import TAG_LIMIT, HtmlGate
from .policy import Policy

__all__ = ["TAG_LIMIT", "HtmlGate", "rewrite_html"]


def rewrite_html(
    policy: Policy, granted: Mapping[str, bool], html: bytes, *, nonce: str | None = None, inject: bytes = b"",
    services: Mapping[str, bool] | None = None,
    placeholders: Callable[[str, int | None, int | None], bytes] | None = None,
) -> bytes:
    """Gate a whole document at once (see ``HtmlGate``)."""
    gate = HtmlGate(policy, granted, nonce=nonce, inject=inject, services=services, placeholders=placeholders)
    return gate.feed(html) + gate.close()
