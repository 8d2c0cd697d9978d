"""The fast path: skips text and every tag that cannot need a change, per tokenizer
context. In C (``_cscan``, built at install) when it is there, else one precompiled
pattern per context; both only stop earlier or later, never at a different reading
of the page, and the exact tokenizer in ``gate.py`` takes every token they stop at."""

from __future__ import annotations

import re

from .syntax import _URL_ATTRS

try:
    from . import _cscan as CSCAN
except ImportError:  # built without a C compiler: the patterns below do the same, slower
    CSCAN = None  # type: ignore[assignment]

__all__ = ["CSCAN", "MODES"]

# The contexts, in the order of _cscan's mode numbers.
MODES = ("html", "strict", "template", "foreign", "template-foreign")

# -- the fast path: skips text and every tag that cannot need a change ---------------
# It matches only a canonical subset of HTML (attributes after whitespace, values
# without stray quotes) on which it agrees with the exact tokenizer; anything else
# stops it, and the exact path takes the next token. It runs on the lowered body
# (bytes.lower() keeps every offset), because case-blind matching is much slower.
_NC = rb"""[^\t\n\f\r />"'=]"""
# An attribute that is not data-consent, nor one that may load on any element
# (style, background, ping, srcdoc, an on* handler).
_E = rb"[\t\n\f\r />=]"
_NOT_CONSENT = (
    rb"""[\t\n\f\r ]++(?:[^\t\n\f\r />"'=dosbp]|d(?!ata-consent""" + _E + rb")|o(?!n)|s(?!tyle" + _E
    + rb"|rcdoc" + _E + rb")|b(?!ackground" + _E + rb")|p(?!ing" + _E + rb"))" + _NC + rb"*+"
)
_PLAIN = _NOT_CONSENT + rb"""(?:=(?:"[^"]*+"|'[^']*+'|[^\t\n\f\r >"'=`<]++))?"""
# Values that cannot hold another host's URL: no scheme, no //, no backslash, no entity.
_NO_URL = _NOT_CONSENT + (
    rb"""(?:=(?:"[^"/:\\&]*+(?:/(?![/\\\t\n\r])[^"/:\\&]*+)*+\""""
    rb"""|'[^'/:\\&]*+(?:/(?![/\\\t\n\r])[^'/:\\&]*+)*+'"""
    rb"""|(?:[^\t\n\f\r >"'=`<:/\\&]|/(?![/\\]))++))?"""
)
_END = rb"[\t\n\f\r ]*+/?>"
_SPECIAL = (
    rb"(?!s(?:cr|ty|ou|vg|et)|t(?:e[xm]|it|ra)|i(?:f|m|np)|xmp|lin|vid|au|emb|ob|mat|fra|fei|bas|no[efs]|use|met|ani)"
)
# A tag name no special one starts like. Names whose first letter starts none of them
# skip the lookahead, which tries each of its branches on every tag.
_ORDINARY = rb"(?:[cdghjkpqrwyz]|" + _SPECIAL + rb"[abefilmnostuvx])"


def _body(name: bytes) -> bytes:
    end = rb"/" + name + rb"[\t\n\f\r />]"
    return rb"[^<]*+(?:<(?!" + end + rb")[^<]*+)*+(?=<" + end + rb")"


_ANY_ATTR = rb"""[\t\n\f\r ]++""" + _NC + rb"""++(?:=(?:"[^"]*+"|'[^']*+'|[^\t\n\f\r >"'=`<]++))?"""
_TEXT_ELEMENTS = (b"style", b"textarea", b"title", b"xmp", b"noembed", b"noframes")
_LOADING = "|".join((*_URL_ATTRS, "base")).encode()


def _not(names: bytes) -> bytes:
    return rb"(?!(?:" + names + rb")[\t\n\f\r />])"


def _fast(mode: str) -> re.Pattern[bytes]:
    """The fast path for one tokenizer context: "html" (gating), "strict" (after a
    <base> on a declared host: every resource tag stops), "template" (nothing is
    gated, raw text still counts), "foreign" (inside <svg>/<math>: no raw text) and
    "template-foreign"."""
    foreign = mode in ("foreign", "template-foreign")
    gating = mode in ("html", "strict", "foreign")
    attr = _PLAIN if gating else _ANY_ATTR
    if foreign:
        alts = [rb"/" + _not(b"svg|math") + rb"[a-z]" + _NC + rb"*+[\t\n\f\r ]*+>"]
        stop = b"svg|math|" + _LOADING if gating else b"svg|math"
        alts.append(_not(stop) + rb"[a-z]" + _NC + rb"*+(?:" + attr + rb")*+" + _END)
    elif mode == "template":
        alts = [rb"/" + _not(b"template") + rb"[a-z]" + _NC + rb"*+[\t\n\f\r ]*+>"]
        raw = b"|".join((b"template", b"svg", b"math", b"script", b"iframe", b"noscript", *_TEXT_ELEMENTS))
        alts.append(_not(raw) + rb"[a-z]" + _NC + rb"*+(?:" + attr + rb")*+" + _END)
        for name in (b"script", b"iframe"):
            alts.append(name + rb"(?=[\t\n\f\r />])(?:" + attr + rb")*+" + _END + _body(name))
    else:
        alts = [rb"/[a-z]" + _NC + rb"*+[\t\n\f\r ]*+>", _ORDINARY + _NC + rb"*+(?:" + attr + rb")*+" + _END]
        if mode == "html":
            alts.append(
                rb"(?:img|input|source|link|track|video|audio|embed|object|frame|use|feimage)(?=[\t\n\f\r />])(?:"
                + _NO_URL + rb")*+" + _END
            )
            # An inline script or style stops: its body may name a host.
            alts.append(b"iframe" + rb"(?=[\t\n\f\r />])(?:" + _NO_URL + rb")*+" + _END + _body(b"iframe"))
    if not foreign:
        for name in _TEXT_ELEMENTS:
            if name != b"style" or not gating:
                alts.append(name + rb"(?=[\t\n\f\r />])(?:" + attr + rb")*+" + _END + _body(name))
    alts += [
        rb"!--(?:-?>|[^-]*+(?:-(?!-!?>)[^-]*+)*+--!?>)",
        rb"!(?!--|\[)[^>]*+>|\?[^>]*+>|/(?![a-z])[^>]*+>",  # "<![CDATA[" stops in any context
        rb"(?=[^a-z!/?])",  # a '<' that starts nothing is text
    ]
    return re.compile(rb"[^<]*+(?:<(?:" + b"|".join(alts) + rb")[^<]*+)*+")


_FAST = {mode: _fast(mode) for mode in MODES}
