"""Hosts named inside text a browser turns into requests: inline scripts and event
handlers (JavaScript), style sheets and style attributes (CSS), ``srcdoc`` and
``data:`` documents (HTML), plus the URL lists of ``srcset``, ``ping``,
``<meta http-equiv=refresh>`` and SVG animation values.

What is recognised: a declared host written out anywhere in the text, as a URL
(``https://h/``, ``//h/``), with escaped slashes (``\\/\\/``, ``\\u002f``, ``\\x2f``,
CSS ``\\2f``), %-escaped, with characters a URL parser ignores or folds (UTS #46), or
as a bare host in a string literal, matched on host boundaries (``t.co`` is not
found inside ``segment.com``; ``x.t.co`` is a host of its own). A path-scoped host
(``www.google.com/recaptcha``) counts only with its path written after it. Not
recognised: a host assembled at run time from pieces (``"goo" + "gle.com"``), read
from elsewhere (a fetch, the DOM, ``location``), or encoded some other way
(``atob``, ``String.fromCharCode``); the widget's runtime guard is there for those.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import unquote

from .hosts import _normal_path, _uts46

if TYPE_CHECKING:
    from .hosts import _Rules

_WS = "\t\n\f\r "
_JS_ESCAPE = re.compile(r"\\(?:u\{([0-9a-fA-F]{1,6})\}|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|([0-7]{1,3})|(\r\n|[\s\S]))")
_JS_SINGLE = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v"}
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})(?:\r\n|[ \t\n\r\f])?|(\r\n|[\s\S]))")
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.DOTALL)
_PERCENT = re.compile(r"%[0-9a-fA-F]{2}")
# A host's characters, once mapped: what extends a match of a declared host on
# either side (so that the whole host is compared, never a piece of it).
_HOST_CHAR = re.compile(r"[a-z0-9_\-.\u0080-\U0010ffff]")
_PORT_PATH = re.compile(r"(?::[0-9]*)?(/[^\s\"'`<>(){}\[\],;\\]*)?")
_DATA_URL = re.compile(r"\s*data:([^,]*),(.*)", re.DOTALL | re.IGNORECASE)
_JAVASCRIPT_URL = re.compile(r"\s*javascript:(.*)", re.DOTALL | re.IGNORECASE)
_REFRESH = re.compile(r"\s*[0-9.]*\s*[;,]?\s*(?:url\s*=\s*)?(['\"]?)(.*)", re.DOTALL | re.IGNORECASE)


def _chr(code: int) -> str:
    return chr(code) if 0 <= code <= 0x10FFFF else "\ufffd"


def js_unescaped(text: str) -> str:
    """JavaScript string escapes resolved (on the whole text: a host written with
    them is found wherever it stands)."""

    def one(m: re.Match[str]) -> str:
        hexa = m.group(1) or m.group(2) or m.group(3)
        if hexa:
            return _chr(int(hexa, 16))
        if m.group(4):
            return _chr(int(m.group(4), 8))
        ch = m.group(5)
        if ch in ("\n", "\r", "\r\n", "\u2028", "\u2029"):
            return ""  # a line continuation
        return _JS_SINGLE.get(ch, ch)

    return _JS_ESCAPE.sub(one, text)


def css_unescaped(text: str) -> str:
    """CSS escapes resolved and comments dropped (CSS Syntax 4.3.7)."""
    text = _CSS_COMMENT.sub(" ", text)

    def one(m: re.Match[str]) -> str:
        if m.group(1):
            return _chr(int(m.group(1), 16))
        return "" if m.group(2) in ("\n", "\r\n", "\r", "\f") else m.group(2)

    return _CSS_ESCAPE.sub(one, text) if "\\" in text else text


def srcset_urls(text: str) -> list[str]:
    """The URLs of a srcset, split as the HTML Standard's srcset parser does: a
    candidate's URL runs to whitespace (trailing commas end it), its descriptors to
    the next comma outside parentheses."""
    urls: list[str] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and (text[i] in _WS or text[i] == ","):
            i += 1
        if i >= n:
            break
        j = i
        while j < n and text[j] not in _WS:
            j += 1
        url = text[i:j]
        i = j
        if url.endswith(","):
            urls.append(url.rstrip(","))
            continue
        urls.append(url)
        in_parens = False
        while i < n:
            c = text[i]
            i += 1
            if c == "(":
                in_parens = True
            elif c == ")":
                in_parens = False
            elif c == "," and not in_parens:
                break
    return urls


def refresh_url(content: str) -> str:
    """The URL of a ``<meta http-equiv=refresh>`` content or a ``Refresh`` header."""
    m = _REFRESH.match(content)
    assert m is not None
    url = m.group(2).strip()
    return url[:-1] if m.group(1) and url.endswith(m.group(1)) else url


def _variants(text: str, kinds: Iterable[str]) -> set[str]:
    """The readings of a text in which a host is looked for: as written, and with the
    escapes of each kind resolved, each %-decoded, UTS #46-mapped and lowered."""
    out = {text}
    if "\\" in text:
        if "js" in kinds:
            out.add(js_unescaped(text))
        if "css" in kinds:
            out.add(css_unescaped(text))
    mapped = set()
    for variant in out:
        if "%" in variant:
            variant = _PERCENT.sub(lambda m: unquote(m.group()), variant)
        if not variant.isascii():
            variant = _uts46(variant)
        mapped.add(variant.lower())
    return mapped


def categories_in_text(
    rules: _Rules, text: str, kinds: Iterable[str], hint: re.Pattern[str] | None, depth: int = 0
) -> set[str]:
    """Categories of the declared hosts (among those ``hint`` finds) named in a text."""
    if hint is None or depth > 3:
        return set()
    found: set[str] = set()
    kinds = tuple(kinds)
    for variant in _variants(text, kinds):
        if "html" in kinds:
            found |= _in_markup(rules, variant, hint, depth)
        seen_end = -1
        for m in hint.finditer(variant):
            start, end = m.start(), m.end()
            if start < seen_end:
                continue
            while start > 0 and _HOST_CHAR.match(variant, start - 1):
                start -= 1
            while end < len(variant) and _HOST_CHAR.match(variant, end):
                end += 1
            seen_end = end
            host = variant[start:end].strip(".")
            tail = _PORT_PATH.match(variant, end)
            assert tail is not None
            path = _normal_path(tail.group(1) or "/")
            category = rules.category_at(host, path)
            if category is not None:
                found.add(category)
    return found


def _in_markup(rules: _Rules, text: str, hint: re.Pattern[str], depth: int) -> set[str]:
    """Hosts in an HTML document held in text (``srcdoc``, a ``data:`` document):
    character references resolved as often as they were applied, every ``data:``
    and ``javascript:`` URL in it opened, and its scripts and styles read too."""
    for _ in range(4):
        if "&" not in text:
            break
        text = html.unescape(text)
    found = categories_in_text(rules, text, ("js", "css"), hint)
    for m in re.finditer(r"(?:data|javascript):[^\"'\s>]*", text):
        found |= categories_in_url_payload(rules, m.group(), hint, depth + 1)
    return found


def categories_in_url_payload(rules: _Rules, url: str, hint: re.Pattern[str] | None, depth: int = 0) -> set[str]:
    """Hosts inside a ``data:`` document or a ``javascript:`` URL, which a frame,
    object or embed opens and runs."""
    if hint is None or depth > 3:
        return set()
    m = _DATA_URL.match(url)
    if m is not None:
        meta, payload = m.groups()
        payload = unquote(payload)
        if meta.lower().rstrip().endswith(";base64"):
            try:
                payload = base64.b64decode("".join(payload.split()) + "==", validate=False).decode("utf-8", "replace")
            except (binascii.Error, ValueError):
                pass
        return categories_in_text(rules, payload, ("js", "css", "html"), hint, depth)
    m = _JAVASCRIPT_URL.match(url)
    if m is not None:
        return categories_in_text(rules, unquote(m.group(1)), ("js", "html"), hint, depth)
    return set()
