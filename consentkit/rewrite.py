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
the plain majority of the page is skipped by one precompiled regular expression
that only stops at tags that might need attention. Whatever it cannot vouch for
goes through the exact, slower path; a mistake can only make the gate look at
more, never at less. Where browsers and this tokenizer could disagree, the gate
chooses the reading that sees more tags (fail closed):

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
clones it. Not covered: URLs in CSS (``style``, ``@import``), ``srcdoc``, legacy
``background`` attributes and ``xlink:href``.

A tag longer than ``TAG_LIMIT`` is not held back whole: it is decided on what
has been read (its complete attributes and the start of the one in progress, which
holds any URL's host), then the rest streams through. So that an attribute not yet
read cannot load anything, such a tag of an element that loads resources gets
empty copies of its URL attributes put first (the first of duplicate attributes
wins in HTML): an oversized ``<img alt="...">`` loses its image, never its privacy.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
import weakref
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urljoin

from .policy import HostRule, Policy

__all__ = ["TAG_LIMIT", "HtmlGate", "rewrite_html", "state_script"]

TAG_LIMIT = 64 * 1024

# URL attributes that load something, per element; ``data-<name>`` is their inert form.
_URL_ATTRS: dict[str, tuple[bytes, ...]] = {
    "script": (b"src", b"href"),  # href: SVG <script href>
    "img": (b"src", b"srcset"),
    "image": (b"src", b"srcset", b"href"),  # HTML parses <image> as <img>; SVG <image href>
    "source": (b"src", b"srcset"),
    "video": (b"src", b"poster"),
    "link": (b"href", b"imagesrcset"),
    "object": (b"data",),
    **{name: (b"src",) for name in ("iframe", "frame", "embed", "audio", "track", "input")},
}
_ANY_URL_ATTRS = (b"src", b"srcset")  # any other element marked data-consent
_SRCSETS = frozenset({b"srcset", b"imagesrcset", b"data-srcset", b"data-imagesrcset"})
_RAWTEXT = ("script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes")
_FOREIGN = ("svg", "math")
# rel values that fetch nothing by themselves; any other rel token may load the href.
_INERT_RELS = frozenset((
    "alternate", "author", "bookmark", "canonical", "external", "help", "license", "me", "next", "nofollow",
    "noopener", "noreferrer", "opener", "prev", "search", "tag", "shortlink", "pingback", "webmention",
    "privacy-policy", "terms-of-service",
))

# -- the exact tokenizer (HTML Standard 13.2.5), used one token at a time -------------
_NAME = rb"[^\t\n\f\r />][^\t\n\f\r /=>]*+"
_ATTR = _NAME + rb"""(?:[\t\n\f\r ]*+=[\t\n\f\r ]*+(?:"[^"]*+"|'[^']*+'|(?!["'])[^\t\n\f\r >]*+)|(?![\t\n\f\r ]*+=))"""
_TAG = re.compile(rb"<(/?)([A-Za-z][^\t\n\f\r />]*+)(?:[\t\n\f\r /]++|" + _ATTR + rb")*+>")
_ATTR_AT = re.compile(rb"(" + _NAME + rb""")(?:[\t\n\f\r ]*+=[\t\n\f\r ]*+("[^"]*+"|'[^']*+'|[^\t\n\f\r >]*+))?""")
# The same, as (separator, name, '=' with its spaces, value) tiles that findall() can
# hand over in one call: offsets are then sums of lengths.
_ATTR_TILES = re.compile(
    rb"([\t\n\f\r /]*+)(" + _NAME + rb""")(?:([\t\n\f\r ]*+=[\t\n\f\r ]*+)("[^"]*+"|'[^']*+'|[^\t\n\f\r >]*+))?"""
)
# For a tag cut short: the attributes certainly complete, then the one in progress.
_DONE = (
    _NAME + rb"""(?:[\t\n\f\r ]*+=[\t\n\f\r ]*+(?:"[^"]*+"|'[^']*+'|(?!["'])[^\t\n\f\r >]++(?=[\t\n\f\r >]))"""
    rb"|(?=[\t\n\f\r ]*+[^\t\n\f\r =]))"
)
_ATTRS_DONE = re.compile(rb"(?:[\t\n\f\r /]++|" + _DONE + rb")*+")
_TAG_HEAD = re.compile(rb"<(/?)([A-Za-z][^\t\n\f\r />]*+)")
_PARTIAL = re.compile(rb"(" + _NAME + rb""")?([\t\n\f\r ]*+)(=[\t\n\f\r ]*+(?:(")|(')|([^\t\n\f\r >"'])))?""")
_TAGNAME_RUN = re.compile(rb"[^\t\n\f\r />]*+")
_NAME_RUN = re.compile(rb"[^\t\n\f\r /=>]*+")
_WS_RUN = re.compile(rb"[\t\n\f\r ]*+")
_UNQUOTED_END = re.compile(rb"[\t\n\f\r >]")
_COMMENT_END = re.compile(rb"--!?>")
_NON_WS = re.compile(rb"[^\t\n\f\r ]")
_RAW_END = {n: re.compile(b"</" + n.encode() + rb"[\t\n\f\r />]") for n in _RAWTEXT}  # on the lowered body

# -- the fast path: skips text and every tag that cannot need a change ---------------
# It matches only a canonical subset of HTML (attributes after whitespace, values
# without stray quotes) on which it agrees with the exact tokenizer; anything else
# stops it, and the exact path takes the next token. It runs on the lowered body
# (bytes.lower() keeps every offset), because case-blind matching is much slower.
_NC = rb"""[^\t\n\f\r />"'=]"""
_NOT_CONSENT = rb"""[\t\n\f\r ]++(?:[^\t\n\f\r />"'=d]|d(?!ata-consent[\t\n\f\r />=]))""" + _NC + rb"*+"
_PLAIN = _NOT_CONSENT + rb"""(?:=(?:"[^"]*+"|'[^']*+'|[^\t\n\f\r >"'=`<]++))?"""
# Values that cannot hold another host's URL: no scheme, no //, no backslash, no entity.
_NO_URL = _NOT_CONSENT + (
    rb"""(?:=(?:"[^"/:\\&]*+(?:/(?![/\\\t\n\r])[^"/:\\&]*+)*+\""""
    rb"""|'[^'/:\\&]*+(?:/(?![/\\\t\n\r])[^'/:\\&]*+)*+'"""
    rb"""|(?:[^\t\n\f\r >"'=`<:/\\&]|/(?![/\\]))++))?"""
)
_END = rb"[\t\n\f\r ]*+/?>"
_SPECIAL = rb"(?!s(?:cr|ty|ou|vg)|t(?:e[xm]|it|ra)|i(?:f|m|np)|xmp|lin|vid|au|emb|ob|mat|fra|bas|no[ef])"


def _body(name: bytes) -> bytes:
    end = rb"/" + name + rb"[\t\n\f\r />]"
    return rb"[^<]*+(?:<(?!" + end + rb")[^<]*+)*+(?=<" + end + rb")"


_ANY_ATTR = rb"""[\t\n\f\r ]++""" + _NC + rb"""++(?:=(?:"[^"]*+"|'[^']*+'|[^\t\n\f\r >"'=`<]++))?"""
_TEXT_ELEMENTS = (b"style", b"textarea", b"title", b"xmp", b"noembed", b"noframes")
_LOADING = b"script|img|image|iframe|frame|link|video|audio|source|embed|object|input|track|base"


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
        raw = b"|".join((b"template", b"svg", b"math", b"script", b"iframe", *_TEXT_ELEMENTS))
        alts.append(_not(raw) + rb"[a-z]" + _NC + rb"*+(?:" + attr + rb")*+" + _END)
        for name in (b"script", b"iframe"):
            alts.append(name + rb"(?=[\t\n\f\r />])(?:" + attr + rb")*+" + _END + _body(name))
    else:
        alts = [rb"/[a-z]" + _NC + rb"*+[\t\n\f\r ]*+>", _SPECIAL + rb"[a-z]" + _NC + rb"*+(?:" + attr + rb")*+" + _END]
        if mode == "html":
            alts.append(
                rb"(?:img|input|source|link|track|video|audio|embed|object|frame)(?=[\t\n\f\r />])(?:"
                + _NO_URL + rb")*+" + _END
            )
            for name in (b"script", b"iframe"):
                alts.append(name + rb"(?=[\t\n\f\r />])(?:" + _NO_URL + rb")*+" + _END + _body(name))
    if not foreign:
        for name in _TEXT_ELEMENTS:
            alts.append(name + rb"(?=[\t\n\f\r />])(?:" + attr + rb")*+" + _END + _body(name))
    alts += [
        rb"!--(?:-?>|[^-]*+(?:-(?!-!?>)[^-]*+)*+--!?>)",
        (rb"!(?!--|\[)" if foreign else rb"!(?!--)") + rb"[^>]*+>|\?[^>]*+>|/(?![a-z])[^>]*+>",
        rb"(?=[^a-z!/?])",  # a '<' that starts nothing is text
    ]
    return re.compile(rb"[^<]*+(?:<(?:" + b"|".join(alts) + rb")[^<]*+)*+")


_FAST = {mode: _fast(mode) for mode in ("html", "strict", "template", "foreign", "template-foreign")}


# Tokenizer states.
_DATA, _RAW, _COMMENT, _BOGUS, _CDATA, _INTAG = range(6)
# Where an oversized tag stands.
_S_TAGNAME, _S_BEFORE, _S_NAME, _S_AFTER, _S_VALUE, _S_DQ, _S_SQ, _S_UNQ = range(8)
_BOM = b"\xef\xbb\xbf"
_WS = frozenset(b"\t\n\f\r ")
_TNR = str.maketrans("", "", "\t\n\r")
_HIDES_HOST = re.compile(r"[\t\n\r%]|[^\x00-\x7f]")  # what _normal_url could turn into a host name
_C0_SPACE = "".join(map(chr, range(0x21)))
_Edit = tuple[int, int, bytes]
_QUOTES = (0x22, 0x27)
_INERT_NAME = {name: b"data-" + name for names in _URL_ATTRS.values() for name in names}


# An attribute: (lowered name, start, end of name, value without quotes or None, end).
# Plain tuples: a tag in the slow path is read in microseconds, not tens of them.
_Attr = tuple[bytes, int, int, "bytes | None", int]


def _attrs(tag: bytes, start: int, stop: int) -> tuple[list[_Attr], dict[bytes, _Attr]]:
    """A complete tag's attributes, and each name's first occurrence (the one a
    browser keeps)."""
    found: list[_Attr] = []
    first: dict[bytes, _Attr] = {}
    pos = start
    for sep, name, eq, value in _ATTR_TILES.findall(tag, start, stop):
        begin = pos + len(sep)
        name_end = begin + len(name)
        pos = name_end + len(eq) + len(value)
        attr = (name.lower(), begin, name_end, value[1:-1] if value and value[0] in _QUOTES else value or None, pos)
        found.append(attr)
        first.setdefault(attr[0], attr)
    return found, first


def _run_end(pattern: re.Pattern[bytes], buf: bytes, pos: int) -> int:
    """End of a pattern that always matches (a possessive run, possibly empty)."""
    m = pattern.match(buf, pos)
    assert m is not None
    return m.end()


def _text(value: bytes | None) -> str:
    text = (value or b"").decode("utf-8", "replace")
    return html.unescape(text) if "&" in text else text


def _delete(tag: bytes, attr: _Attr, floor: int) -> _Edit:
    start = attr[1]
    while start > floor and tag[start - 1] in _WS:
        start -= 1
    return (start, attr[4], b"")


def _rename(attr: _Attr, name: bytes) -> _Edit:
    return (attr[1], attr[2], name)


def _quoted(text: str) -> bytes:
    return b'"' + html.escape(text).encode() + b'"'


class _Rules:
    """What a policy and a set of grants decide, prepared once and shared by every
    response with the same grants."""

    def __init__(self, policy: Policy, allowed: frozenset[str]) -> None:
        ordered = [(c.id, rule) for c in policy.categories if not c.required for rule in c.hosts]
        # Only hosts of categories not granted can block: a URL naming none is let be
        # without being parsed.
        hosts = {rule.host.removeprefix("*.") for cid, rule in ordered if cid not in allowed}
        self.hint = re.compile("|".join(map(re.escape, sorted(hosts)))) if hosts else None
        self.exact: dict[str, list[tuple[int, str, HostRule]]] = {}
        self.wild: list[tuple[int, str, HostRule]] = []
        for i, (cid, rule) in enumerate(ordered):
            if rule.host.startswith("*."):
                self.wild.append((i, cid, rule))
            else:
                self.exact.setdefault(rule.host, []).append((i, cid, rule))
        self.consent_attr = {c.id: b" data-consent=" + _quoted(c.id) for c in policy.categories}

    @classmethod
    def of(cls, policy: Policy, allowed: frozenset[str]) -> _Rules:
        # Keyed by identity (a Policy holds mappings, so it has no hash); the weak
        # reference tells a reused id from the same policy.
        entry = _PREPARED.get(id(policy))
        if entry is None or entry[0]() is not policy:
            entry = _PREPARED[id(policy)] = (weakref.ref(policy), {})
        rules = entry[1].get(allowed)
        if rules is None:
            rules = entry[1][allowed] = cls(policy, allowed)
        return rules

    def category(self, url: str) -> str | None:
        """Policy.category_for_url for a URL already through _normal_url."""
        host, path = _host_path(url)
        if not host:
            return None
        best: tuple[int, str] | None = None
        for i, cid, rule in (*self.exact.get(host, ()), *self.wild):
            if (best is None or i < best[0]) and rule.matches(host, path):
                best = (i, cid)
        return None if best is None else best[1]

    def declares_host(self, host: str) -> bool:
        return host in self.exact or any(rule.matches(host, rule.path or "/") for _, _, rule in self.wild)


_PREPARED: dict[int, tuple[weakref.ref[Policy], dict[frozenset[str], _Rules]]] = {}


class HtmlGate:
    """Gate one HTML response: ``feed()`` each chunk, then ``close()``.

    ``granted`` maps category ids to consent (required categories count as
    granted; unknown ones as not). ``nonce`` goes on scripts made live. ``inject``
    is written once, right after ``<head>`` (or before the first content when the
    page has no head). Memory is bounded by ``TAG_LIMIT``, whatever the page size.
    """

    def __init__(
        self, policy: Policy, granted: Mapping[str, bool], *, nonce: str | None = None, inject: bytes = b""
    ) -> None:
        allowed = frozenset(c.id for c in policy.categories if c.required or granted.get(c.id, False))
        self._rules = _Rules.of(policy, allowed)
        self._allowed = allowed
        self._nonce = b" nonce=" + _quoted(nonce) if nonce else b""
        self._inject = inject
        self._injected = not inject
        self._buf = b""
        self._waiting: list[bytes] = []  # chunks held while a tag waits for its '>'
        self._held = 0
        self._state = _DATA
        self._raw: re.Pattern[bytes] = _RAW_END["script"]
        self._raw_keep = 0
        self._template = 0
        self._foreign = 0
        self._base: str | None = None
        self._base_seen = False
        self._at_start = True
        self._retry = 0  # length of a pending tag already searched for its '>'
        self._sub = _S_BEFORE
        self._big: tuple[bool, str, bool] = (False, "", False)  # oversized tag: closing, name, inject after
        self._closed = False
        self._fast: re.Pattern[bytes] | None = None
        self._update_fast()

    def feed(self, chunk: bytes) -> bytes:
        """Take the next chunk of the body; return what can be sent now."""
        if self._closed:
            raise RuntimeError("HtmlGate.feed() after close()")
        if not chunk:
            return b""
        chunk = bytes(chunk)
        held = self._held + len(chunk)
        if self._retry and b">" not in chunk and len(self._buf) + held <= TAG_LIMIT:
            # Only a '>' can end the tag we wait on: hold the chunk without copying
            # the tag again, which small chunks would make quadratic.
            self._waiting.append(chunk)
            self._held = held
            if len(self._waiting) >= 64:
                self._waiting[:] = [b"".join(self._waiting)]
            return b""
        self._buf = b"".join((self._buf, *self._waiting, chunk)) if self._buf or self._waiting else chunk
        self._waiting.clear()
        self._held = 0
        return self._run(final=False)

    def close(self) -> bytes:
        """End of the body: return everything still held back."""
        if self._closed:
            return b""
        self._buf = b"".join((self._buf, *self._waiting))
        self._waiting.clear()
        self._held = 0
        out = self._run(final=True)
        self._closed = True
        if not self._injected:
            self._injected = True
            out += self._inject
        return out

    # -- the scanner ---------------------------------------------------------------

    def _update_fast(self) -> None:
        if not self._injected:
            self._fast = None
        elif self._foreign:
            self._fast = _FAST["template-foreign" if self._template else "foreign"]
        elif self._template:
            self._fast = _FAST["template"]
        else:
            self._fast = _FAST["strict" if self._base else "html"]

    def _run(self, final: bool) -> bytes:
        buf = self._buf
        low = buf.lower()
        n = len(buf)
        pos = emit = 0
        out: list[bytes] = []
        if self._at_start:
            # A byte order mark must stay first, or the browser no longer sees it.
            if n < 3 and _BOM.startswith(buf) and not final:
                return b""
            self._at_start = False
            if buf.startswith(_BOM):
                pos = 3
        while pos < n:
            state = self._state
            if state == _DATA:
                if self._fast is not None and not self._retry:
                    pos = _run_end(self._fast, low, pos)
                    if pos >= n:
                        break
                if buf[pos] != 0x3C:  # text, read here only before the injection
                    end = buf.find(b"<", pos)
                    end = n if end < 0 else end
                    first = None if self._injected else _NON_WS.search(buf, pos, end)
                    if first is not None:
                        out += (buf[emit : first.start()], self._take_inject())
                        emit = first.start()
                    pos = end
                    continue
                end, new = self._markup(buf, pos, n, final)
                if end < 0:
                    break
                if new is not None:
                    out += (buf[emit:pos], new)
                    emit = end
                pos = end
            elif state == _RAW:
                m = self._raw.search(low, pos)
                if m is None:
                    pos = n if final else max(pos, n - self._raw_keep)
                    break
                pos, self._state = m.start(), _DATA
            elif state == _COMMENT:
                m = _COMMENT_END.search(buf, pos)
                if m is None:
                    pos = n if final else max(pos, n - 3)
                    break
                pos, self._state = m.end(), _DATA
            elif state == _CDATA:
                end = buf.find(b"]]>", pos)
                if end < 0:
                    pos = n if final else max(pos, n - 2)
                    break
                pos, self._state = end + 3, _DATA
            elif state == _BOGUS:
                end = buf.find(b">", pos)
                if end < 0:
                    pos = n
                    break
                pos, self._state = end + 1, _DATA
            else:  # _INTAG
                end = self._scan_tag(buf, pos, n)
                if end < 0:
                    pos = n
                    break
                pos, self._state = end, _DATA
                closing, name, inject_after = self._big
                if closing:
                    self._end_tag(name)
                else:
                    self._start_tag(name, False)
                if inject_after and not self._injected:
                    out += (buf[emit:pos], self._take_inject())
                    emit = pos
        out.append(buf[emit:pos])
        self._buf = buf[pos:]
        return b"".join(out)

    def _take_inject(self) -> bytes:
        self._injected = True
        self._update_fast()
        return self._inject

    def _markup(self, buf: bytes, pos: int, n: int, final: bool) -> tuple[int, bytes | None]:
        """One token at a '<': (its end, its replacement or None), or (-1, None) to wait."""
        if n - pos < 3 and not final:
            return -1, None
        second = buf[pos + 1 : pos + 2]
        if second == b"!":
            if buf.startswith(b"<!--", pos):
                if n - pos < 6 and not final:
                    return -1, None
                if buf[pos + 4 : pos + 5] == b">":
                    return pos + 5, None
                if buf[pos + 4 : pos + 6] == b"->":
                    return pos + 6, None
                self._state = _COMMENT
                return pos + 4, None
            if self._foreign and buf.startswith(b"<![CDATA[", pos):
                self._state = _CDATA
                return pos + 9, None
            if not final and n - pos < 9 and (b"<!--".startswith(buf[pos:n]) or b"<![CDATA[".startswith(buf[pos:n])):
                return -1, None
            self._state = _BOGUS
            return pos + 2, None
        if second == b"/":
            if buf[pos + 2 : pos + 3].isalpha():
                return self._tag(buf, pos, n, final)
            self._state = _BOGUS  # "</>" or "</ ...>"
            return pos + 2, None
        if second == b"?":
            self._state = _BOGUS
            return pos + 2, None
        if second.isalpha():
            return self._tag(buf, pos, n, final)
        return pos + 1, (None if self._injected else self._take_inject() + b"<")  # a '<' that is text

    def _tag(self, buf: bytes, pos: int, n: int, final: bool) -> tuple[int, bytes | None]:
        if self._retry and buf.find(b">", pos + self._retry) < 0 and n - pos <= TAG_LIMIT and not final:
            self._retry = n - pos
            return -1, None
        m = _TAG.match(buf, pos)
        if m is None:
            if final:  # a tag cut by the end of the body: browsers drop it
                self._retry = 0
                return n, None
            if n - pos > TAG_LIMIT:
                self._retry = 0
                return self._oversized(buf, pos, n)
            self._retry = n - pos
            return -1, None
        self._retry = 0
        closing = bool(m.group(1))
        name = m.group(2).lower().decode("latin-1")
        end = m.end()
        new = None
        if closing:
            self._end_tag(name)
        else:
            if not self._template and (name in _URL_ATTRS or name == "base" or b"data-consent" in buf[pos:end].lower()):
                tag = buf[pos:end]
                at = m.end(2) - pos
                new = self._rewrite(name, tag, *_attrs(tag, at, len(tag) - 1), at)
            self._start_tag(name, name in _FOREIGN and _self_closing(buf, m))
            if name == "head" and not self._injected:
                return end, (buf[pos:end] if new is None else new) + self._take_inject()
        if not self._injected and (closing or name not in ("html", "head")):
            new = self._take_inject() + (buf[pos:end] if new is None else new)
        return end, new

    def _start_tag(self, name: str, self_closing: bool) -> None:
        if self._foreign:
            if name in _FOREIGN and not self_closing:
                self._foreign += 1
        elif name == "template":
            self._template += 1
        elif name in _RAWTEXT:
            self._state = _RAW
            self._raw = _RAW_END[name]
            self._raw_keep = len(name) + 2
        elif name in _FOREIGN and not self_closing:
            self._foreign = 1
        self._update_fast()

    def _end_tag(self, name: str) -> None:
        if self._foreign:
            if name in _FOREIGN:
                self._foreign -= 1
        elif name == "template" and self._template:
            self._template -= 1
        self._update_fast()

    # -- tags longer than TAG_LIMIT ------------------------------------------------

    def _oversized(self, buf: bytes, pos: int, n: int) -> tuple[int, bytes | None]:
        head = _TAG_HEAD.match(buf, pos)
        assert head is not None
        closing = bool(head.group(1))
        name = head.group(2).lower().decode("latin-1")
        at = done = head.end()
        if at == n:
            self._sub = _S_TAGNAME
            name = ""  # a name this long is no element that loads anything
        else:
            done = _run_end(_ATTRS_DONE, buf, at)
            self._partial(buf, done, n)
        self._state = _INTAG
        inject_before = not self._injected and (closing or name not in ("html", "head"))
        self._big = (closing, name, not self._injected and not closing and name == "head")
        new = None
        if not closing and name and not self._template:
            prefix = buf[pos:n]
            attrs, first = _attrs(prefix, at - pos, done - pos)
            if self._sub in (_S_DQ, _S_SQ, _S_UNQ, _S_AFTER, _S_VALUE):  # its name is complete
                attrs.append(self._partial_attr(prefix, done - pos))
                first.setdefault(attrs[-1][0], attrs[-1])
            new = self._rewrite(name, prefix, attrs, first, at - pos, oversized=True)
        if inject_before:
            new = self._take_inject() + (buf[pos:n] if new is None else new)
        return n, new

    def _partial(self, buf: bytes, pos: int, n: int) -> None:
        m = _PARTIAL.match(buf, pos)
        assert m is not None
        if m.group(4):
            self._sub = _S_DQ
        elif m.group(5):
            self._sub = _S_SQ
        elif m.group(6):
            self._sub = _S_UNQ
        elif m.group(3):
            self._sub = _S_VALUE
        elif m.group(1):
            self._sub = _S_AFTER if m.group(2) else _S_NAME
        else:
            self._sub = _S_BEFORE

    def _partial_attr(self, prefix: bytes, pos: int) -> _Attr:
        m = _PARTIAL.match(prefix, pos)
        assert m is not None
        start = m.start(1) if m.group(1) else pos
        name_end = m.end(1) if m.group(1) else pos
        value_start = m.end(4) if m.group(4) else m.end(5) if m.group(5) else m.start(6) if m.group(6) else -1
        value = prefix[value_start:] if value_start >= 0 else None
        return (prefix[start:name_end].lower(), start, name_end, value, len(prefix))

    def _scan_tag(self, buf: bytes, pos: int, n: int) -> int:
        """Follow an oversized tag to its '>' (HTML tokenizer states); -1 if it goes on."""
        sub = self._sub
        while pos < n:
            if sub == _S_DQ or sub == _S_SQ:
                end = buf.find(b'"' if sub == _S_DQ else b"'", pos)
                if end < 0:
                    break
                pos, sub = end + 1, _S_BEFORE
            elif sub == _S_UNQ:
                m = _UNQUOTED_END.search(buf, pos)
                if m is None:
                    break
                pos, sub = m.start(), _S_BEFORE
            elif sub == _S_TAGNAME or sub == _S_NAME:
                pos = _run_end(_TAGNAME_RUN if sub == _S_TAGNAME else _NAME_RUN, buf, pos)
                if pos == n:
                    break
                c = buf[pos]
                if c == 0x3D and sub == _S_NAME:
                    pos, sub = pos + 1, _S_VALUE
                else:
                    sub = _S_AFTER if c in _WS and sub == _S_NAME else _S_BEFORE
            elif sub == _S_AFTER or sub == _S_VALUE:
                pos = _run_end(_WS_RUN, buf, pos)
                if pos == n:
                    break
                c = buf[pos]
                if c == 0x3E or (c == 0x2F and sub == _S_AFTER):
                    sub = _S_BEFORE
                elif sub == _S_AFTER:
                    if c == 0x3D:
                        pos, sub = pos + 1, _S_VALUE
                    else:
                        sub = _S_NAME
                elif c == 0x22 or c == 0x27:
                    pos, sub = pos + 1, (_S_DQ if c == 0x22 else _S_SQ)
                else:
                    sub = _S_UNQ
            else:  # _S_BEFORE
                pos = _run_end(_ATTRS_DONE, buf, pos)
                if pos < n and buf[pos] == 0x3E:
                    self._sub = _S_BEFORE
                    return pos + 1
                self._partial(buf, pos, n)
                sub = self._sub
                break
        self._sub = sub
        return -1

    # -- the gating decision -------------------------------------------------------

    def _rewrite(
        self, name: str, tag: bytes, attrs: list[_Attr], first: dict[bytes, _Attr], at: int, oversized: bool = False
    ) -> bytes | None:
        """The tag as it must go out, or None when it goes out unchanged."""
        if name == "base":
            return self._rewrite_base(tag, first, at)
        loads = _URL_ATTRS.get(name)
        consent = first.get(b"data-consent")
        if consent is None and loads is None:
            return None
        live_names = loads or _ANY_URL_ATTRS
        if consent is not None:
            checked = live_names + tuple(_INERT_NAME[a] for a in live_names)
        elif name != "link" or _link_fetches(first):
            checked = live_names
        else:
            checked = ()
        blocked = None
        for attr in attrs:
            if attr[0] in checked and attr[3]:
                blocked = self._blocked(attr[0], attr[3])
                if blocked is not None:
                    break
        edits: list[_Edit] = []
        inserts: list[bytes] = []
        category = None if consent is None else _text(consent[3])
        if category is not None and blocked is None and category in self._allowed:
            self._live(name, tag, attrs, first, at, live_names, edits, inserts)
        elif category is not None or blocked is not None:
            relabel = blocked if blocked != category else None
            self._inert(name, tag, attrs, first, at, live_names, relabel, edits, inserts)
        if oversized and loads is not None:
            names = set(first)
            for start, end, new in edits:
                if new:  # a rename
                    names.discard(tag[start:end].lower())
                    names.add(new.lower())
            inserts += [b" " + a + b'=""' for a in loads if a not in names]
        if not edits and not inserts:
            return None
        parts = [tag[:at], *inserts]
        cursor = at
        for start, end, new in sorted(edits):
            parts += (tag[cursor:start], new)
            cursor = end
        parts.append(tag[cursor:])
        return b"".join(parts)

    def _live(
        self, name: str, tag: bytes, attrs: list[_Attr], first: dict[bytes, _Attr], at: int,
        live_names: tuple[bytes, ...], edits: list[_Edit], inserts: list[bytes],
    ) -> None:
        if name == "script":
            kind = first.get(b"type")
            if kind is not None and _text(kind[3]).strip().lower() == "text/plain":
                edits += [_delete(tag, a, at) for a in attrs if a[0] == b"type"]
                if b"data-type" in first:
                    edits.append(_rename(first[b"data-type"], b"type"))
            if self._nonce and b"nonce" not in first:
                inserts.append(self._nonce)
        for live in live_names:
            inert = first.get(_INERT_NAME[live])
            if inert is not None:
                edits += [_delete(tag, a, at) for a in attrs if a[0] == live]
                edits.append(_rename(inert, live))

    def _inert(
        self, name: str, tag: bytes, attrs: list[_Attr], first: dict[bytes, _Attr], at: int,
        live_names: tuple[bytes, ...], relabel: str | None, edits: list[_Edit], inserts: list[bytes],
    ) -> None:
        if name == "script":
            kind = first.get(b"type")
            if kind is None or _text(kind[3]).strip().lower() != "text/plain":
                # Keep the author's type for the widget, unless a data-type already says it.
                kept = b"data-type" in first
                edits += [_delete(tag, a, at) if kept else _rename(a, b"data-type") for a in attrs if a[0] == b"type"]
                inserts.append(b' type="text/plain"')
        edits += [_rename(a, b"data-" + tag[a[1] : a[2]]) for a in attrs if a[0] in live_names]
        if relabel is not None:
            # A declared host overrules the category an author wrote, when it is not granted.
            edits += [_delete(tag, a, at) for a in attrs if a[0] == b"data-consent"]
            inserts.append(self._rules.consent_attr.get(relabel) or b" data-consent=" + _quoted(relabel))

    def _rewrite_base(self, tag: bytes, first: dict[bytes, _Attr], at: int) -> bytes | None:
        # Relative URLs resolve against the first <base href>: when it points at a
        # declared host, every relative URL after it must be checked too.
        href = first.get(b"href")
        if href is None or self._base_seen:
            return None
        self._base_seen = True
        url = _normal_url(_text(href[3]))
        host, _ = _host_path(url)
        if not host or not self._rules.declares_host(host):
            return None
        category = self._rules.category(url)
        if category is not None and category not in self._allowed:
            return tag[:at] + b" data-consent=" + _quoted(category) + tag[at : href[1]] + b"data-" + tag[href[1] :]
        self._base = url
        self._update_fast()
        return None

    def _blocked(self, attr: bytes, value: bytes) -> str | None:
        """The first category not granted that this attribute's URL(s) load from."""
        hint = self._rules.hint
        if hint is None:
            return None
        text = _text(value)
        for url in text.split() if attr in _SRCSETS else (text,):
            if self._base is None and hint.search(url.lower()) is None and not _HIDES_HOST.search(url):
                continue  # names no host that could block, however a browser reads it
            url = _normal_url(url.strip(","))
            if self._base is not None and not _host_path(url)[0]:
                url = urljoin(self._base, url)
            if hint.search(url) is None:
                continue
            category = self._rules.category(url)
            if category is not None and category not in self._allowed:
                return category
        return None


def _normal_url(url: str) -> str:
    """A URL lowered and read as a browser would find its host: no tabs or newlines,
    \\ as /, any run of slashes after http(s): or at the start as //, %-escapes and
    full-width characters and dots (IDNA mapping) decoded."""
    url = url.translate(_TNR).strip(_C0_SPACE).replace("\\", "/")
    if "%" in url:
        url = unquote(url)
    if not url.isascii():
        url = unicodedata.normalize("NFKC", url).replace("\u3002", ".")
    url = url.lower()
    if url.startswith(("http:", "https:")):
        scheme, _, rest = url.partition(":")
        return scheme + "://" + rest.lstrip("/")
    return "//" + url.lstrip("/") if url.startswith("//") else url


def _host_path(url: str) -> tuple[str, str]:
    """(host, path) of a URL from _normal_url, as split_url() would find them."""
    if url.startswith("//"):
        rest = url[2:]
    elif url.startswith(("http://", "https://")):
        rest = url.partition("://")[2]
    else:
        return "", ""
    cut = len(rest)
    for mark in "/?#":
        at = rest.find(mark, 0, cut)
        if at >= 0:
            cut = at
    host = rest[:cut].rpartition("@")[2]
    host = host.partition("]")[0] + "]" if host.startswith("[") else host.partition(":")[0]
    path = rest[cut:]
    for mark in "?#":
        path = path.partition(mark)[0]
    return host.rstrip("."), path or "/"


def _link_fetches(first: dict[bytes, _Attr]) -> bool:
    rel = first.get(b"rel")
    return rel is not None and any(token not in _INERT_RELS for token in _text(rel[3]).lower().split())


def _self_closing(buf: bytes, m: re.Match[bytes]) -> bool:
    if buf[m.end() - 2] != 0x2F:
        return False
    # "<a href=/>" ends an unquoted value with '/', which closes nothing.
    last = None
    for last in _ATTR_AT.finditer(buf, m.end(2), m.end() - 1):
        pass
    return last is None or last.end() < m.end() - 1


def rewrite_html(
    policy: Policy, granted: Mapping[str, bool], html: bytes, *, nonce: str | None = None, inject: bytes = b""
) -> bytes:
    """Gate a whole document at once (see ``HtmlGate``)."""
    gate = HtmlGate(policy, granted, nonce=nonce, inject=inject)
    return gate.feed(html) + gate.close()


_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def state_script(state: Mapping[str, Any], *, element_id: str = "consentkit-state", nonce: str | None = None) -> bytes:
    """``<script type="application/json" id=...>`` holding ``state``.

    <, > and & are written as \\u escapes (and every non-ASCII character, U+2028 and
    U+2029 among them), so no value can close the element or open a comment.
    """
    data = json.dumps(state, ensure_ascii=True, separators=(",", ":")).translate(_JSON_ESCAPES)
    nonce_attr = b" nonce=" + _quoted(nonce) if nonce else b""
    return b'<script type="application/json" id=' + _quoted(element_id) + nonce_attr + b">" + data.encode() + b"</script>"
