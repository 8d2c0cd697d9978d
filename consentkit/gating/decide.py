"""The gating decision for one tag: what it is, and whether it goes out live, inert,
or unchanged.

A tag needs every category it names: the ones its author wrote in
``data-consent`` (space-separated, all of them) and the category of every declared
host any of its URLs, styles, handlers or inline body names. Inert, it carries them
all in ``data-consent`` (in the policy's order), so that the widget activates it
only when each is granted.

What the gate turns live, and nothing else: a tag whose every category is granted
gets its ``data-<url attribute>`` back as the element's URL attribute (``src``,
``srcset``, ``href``, ``data``, ``poster``...), unless that URL is ``javascript:``,
``vbscript:`` or ``data:``; a script or style marked ``type="text/plain"`` gets its
``data-type`` back (or none). It never puts the response's CSP nonce on a script
that the app did not give one, except a script whose ``src`` starts with one of
the policy's ``nonce_sources``. Handlers, styles and ``srcdoc`` are never promoted.
"""

from __future__ import annotations

import re
from types import ModuleType
from urllib.parse import urljoin

from .hosts import _HIDES_HOST, _host_path, _normal_url, _quoted, _Rules, _text
from .syntax import (
    _ANY_URL_ATTRS,
    _FOREIGN,
    _INERT_RELS,
    _URL_ATTRS,
    _WS,
    _Attr,
    _attrs,
    _self_closing,
)
from .textscan import categories_in_text, categories_in_url_payload, refresh_url, srcset_urls

_Edit = tuple[int, int, bytes]
# A tag read: (closing, lowered name, self-closing, replacement or None, where the
# nonce goes or -1). What HtmlGate caches per policy and grants (_Rules.tags).
_Read = tuple[bool, str, bool, "bytes | None", int]
_SRCSETS = frozenset({b"srcset", b"imagesrcset"})
# Attributes that make a request on any element, and how their value is read.
_ANY_ELEMENT = {b"style": "css", b"background": "url", b"ping": "urls"}
_ANIMATIONS = frozenset({"set", "animate"})
_FRAMES = frozenset({"iframe", "frame", "object", "embed"})
_IMAGES = frozenset({"img", "image", "source", "video", "input"})  # a data: URL there loads nothing more
_EXECUTABLE = frozenset({
    "", "module", "importmap", "speculationrules", "text/javascript", "application/javascript",
    "application/ecmascript", "application/x-ecmascript", "application/x-javascript", "text/ecmascript",
    "text/javascript1.0", "text/javascript1.1", "text/javascript1.2", "text/javascript1.3", "text/javascript1.4",
    "text/javascript1.5", "text/jscript", "text/livescript", "text/x-ecmascript", "text/x-javascript",
})
_NEVER_LIVE = ("javascript:", "vbscript:", "data:")
# What a click-to-load placeholder stands in for (gating/placeholder.py), when it is shown.
_EMBEDS = frozenset({"iframe", "embed", "object", "video"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_PIXELS = re.compile(r"\s*(\d{1,6})(?:\.\d*)?\s*(%?)")
_C0_SPACE = "".join(map(chr, range(0x21)))


def _delete(tag: bytes, attr: _Attr, floor: int) -> _Edit:
    """Remove an attribute with the whitespace before it; but when '/' or another
    attribute follows it directly, one space stays, or an unquoted value before it
    would run on into what follows (``a=b type=x/>`` must not become ``a=b/>``)."""
    start, end = attr[1], attr[4]
    while start > floor and tag[start - 1] in _WS:
        start -= 1
    if start < attr[1] and end < len(tag) and tag[end] not in _WS and tag[end] != 0x3E:
        start += 1
    return (start, end, b"")


def _rename(tag: bytes, attr: _Attr) -> _Edit:
    return (attr[1], attr[2], b"data-" + tag[attr[1] : attr[2]])


def _link_fetches(first: dict[bytes, _Attr]) -> bool:
    rel = first.get(b"rel")
    return rel is not None and any(token not in _INERT_RELS for token in _text(rel[3]).lower().split())


def executable(kind: _Attr | None) -> bool:
    """Whether a script of this ``type`` runs (or, for import maps and speculation
    rules, makes the browser fetch what it names)."""
    return kind is None or _text(kind[3]).strip().lower() in _EXECUTABLE


def _pixels(attr: _Attr | None) -> int | None:
    """A width or height attribute in pixels, read as browsers read dimensions
    (leading digits; a percentage or anything else: None)."""
    if attr is None:
        return None
    m = _PIXELS.match(_text(attr[3]))
    return None if m is None or m.group(2) else int(m.group(1))


def _never_live(value: bytes | None) -> bool:
    if not value or (b":" not in value and b"&" not in value):
        return False  # no scheme
    text = _text(value).translate({9: None, 10: None, 13: None}).lstrip(_C0_SPACE).lower()
    return text.startswith(_NEVER_LIVE)


class _Decisions:
    """What a gate decides per tag; ``HtmlGate`` holds the state it reads."""

    _rules: _Rules
    _allowed: frozenset[str]
    _nonce: bytes
    _template: int
    _c: ModuleType | None
    _bases: tuple[str, ...]
    _base_seen: bool
    _in_noscript: bool
    # (service id, width, height) of the embed _rewrite last served inert that gets a
    # click-to-load placeholder; the gate resets it before each tag it reads.
    _embed: tuple[str, int | None, int | None] | None

    def _update_fast(self) -> None:
        raise NotImplementedError

    def _read(self, tag: bytes, at: int, closing: bool, body: bytes | None = None) -> _Read:
        """What one complete tag is and becomes, apart from the nonce; ``at`` is the
        end of its name, ``body`` an inline script's or style's text. Reads a <base>
        as the page's base, so <base> is never cached."""
        name = tag[1 + closing : at].lower().decode("latin-1")
        if closing:
            return (True, name, False, None, -1)
        out, nonce_at = None, -1
        if not self._template:
            if self._c is not None:
                attrs = self._c.attrs(tag, at, len(tag) - 1)
                first = {attr[0]: attr for attr in reversed(attrs)}  # the first of each name wins
            else:
                attrs, first = _attrs(tag, at, len(tag) - 1)
            out, wants_nonce = self._rewrite(name, tag, attrs, first, at, body=body)
            nonce_at = at if wants_nonce else -1
        return (False, name, name in _FOREIGN and _self_closing(tag, at), out, nonce_at)

    def _with_nonce(self, tag: bytes, out: bytes | None, at: int) -> bytes | None:
        """A script made live gets the response's nonce right after its name."""
        if not self._nonce:
            return out
        done = tag if out is None else out
        return done[:at] + self._nonce + done[at:]

    # -- what a tag names ----------------------------------------------------------

    def _checks(self, name: str, attrs: list[_Attr], first: dict[bytes, _Attr], marked: bool) -> list[tuple[_Attr, str]]:
        """Every attribute that may make a request, with how its value is read."""
        loads = _URL_ATTRS.get(name) or (_ANY_URL_ATTRS if marked else ())
        if name == "link" and not marked and not _link_fetches(first):
            loads = ()
        refresh = name == "meta" and _text((first.get(b"http-equiv") or (b"", 0, 0, b"", 0))[3]).strip().lower() == "refresh"
        out = []
        for attr in attrs:
            key = attr[0]
            plain = key[5:] if marked and key.startswith(b"data-") else key
            if plain in loads:
                kind = "srcset" if plain in _SRCSETS else "frame" if name in _FRAMES else "url"
            elif key in _ANY_ELEMENT:
                kind = _ANY_ELEMENT[key]
            elif key.startswith(b"on") and len(key) > 2:
                kind = "js"
            elif key == b"srcdoc" and name == "iframe":
                kind = "html"
            elif refresh and key == b"content":
                kind = "refresh"
            elif name in _ANIMATIONS and key in (b"to", b"from", b"by", b"values"):
                kind = "values"
            else:
                continue
            out.append((attr, kind))
        return out

    def _named(self, kind: str, value: bytes, hint: object) -> set[str]:
        """Categories of the declared hosts (among ``hint``'s) an attribute names."""
        text = _text(value)
        rules = self._rules
        if kind in ("js", "css", "html"):
            return categories_in_text(rules, text, (kind,), hint)  # type: ignore[arg-type]
        if kind == "srcset":
            urls = srcset_urls(text)
        elif kind == "urls":
            urls = text.split()
        elif kind == "values":
            urls = text.split(";")
        elif kind == "refresh":
            urls = [refresh_url(text)]
        else:
            urls = [text]
        found = set()
        for url in urls:
            category = self._url_category(url, hint)
            if category is not None:
                found.add(category)
            if kind == "frame":
                found |= categories_in_url_payload(rules, url, hint)  # type: ignore[arg-type]
        return found

    def _url_category(self, url: str, hint: object) -> str | None:
        if hint is None:
            return None
        search = hint.search  # type: ignore[attr-defined]
        if not self._bases and search(url.lower()) is None and not _HIDES_HOST.search(url):
            return None  # names no host that could block, however a browser reads it
        url = _normal_url(url)
        candidates = [url]
        if self._bases and not _host_path(url)[0]:
            candidates = [_normal_url(urljoin(base, url)) for base in self._bases]
        for candidate in candidates:
            if search(candidate) is not None:
                category = self._rules.category(candidate)
                if category is not None:
                    return category
        return None

    # -- the decision ----------------------------------------------------------------

    def _rewrite(
        self, name: str, tag: bytes, attrs: list[_Attr], first: dict[bytes, _Attr], at: int,
        oversized: bool = False, partial: _Attr | None = None, body: bytes | None = None,
    ) -> tuple[bytes | None, bool]:
        """The tag as it must go out (None when unchanged), and whether it is a script
        made live that wants the response's nonce after its name (which this does not
        insert, so that the answer holds for every response)."""
        if name == "base":
            return self._rewrite_base(tag, first, at), False
        consent = first.get(b"data-consent")
        marked = consent is not None
        checks = self._checks(name, attrs, first, marked)
        if oversized and name == "link" and not marked:
            checks = self._checks(name, attrs, {**first, b"rel": (b"rel", 0, 0, b"stylesheet", 0)}, False)
        if not marked and not checks and body is None and not oversized:
            return None, False
        rules, allowed = self._rules, self._allowed
        naming: dict[bytes, set[str]] = {}
        blocked: set[str] = set()
        if rules.hint is not None:
            for attr, kind in checks:
                if attr[3]:
                    found = self._named(kind, attr[3], rules.hint) - allowed
                    if found:
                        naming[attr[0]] = found
                        blocked |= found
            if body is not None:
                blocked |= categories_in_text(rules, body.decode("utf-8", "replace"), ("js", "css"), rules.hint) - allowed
        author = _text(consent[3]).split() if consent is not None else []
        unsure = oversized and (
            _URL_ATTRS.get(name) is not None
            or (partial is not None and (partial[0] in _ANY_ELEMENT or partial[0].startswith(b"on")))
        )
        if not blocked and not unsure:
            if not marked:
                return None, False
            if author and self._met(author, checks, body):
                return self._made_live(name, tag, attrs, first, at)
        if name in _EMBEDS:
            self._embed = self._embed_of(first, blocked, author)
        # Inert, the tag is marked: its data-* URLs are then the widget's to load.
        label = self._label(author, checks if marked else self._checks(name, attrs, first, True) + checks, body, blocked)
        return self._made_inert(name, tag, attrs, first, at, checks, naming, label, consent, oversized, partial), False

    def _embed_of(self, first: dict[bytes, _Attr], blocked: set[str], author: list[str]) -> tuple[str, int | None, int | None] | None:
        """(service, width, height) when an embed held back gets a placeholder: it is held
        for one service alone, which granted makes it live (every category its author
        wrote is granted or is that service's), and it is meant to be seen (no
        ``hidden``, no ``display: none``, not a 1-pixel tracking frame)."""
        if len(blocked) != 1:
            return None
        (unit,) = blocked
        rules = self._rules
        category = rules.owner.get(unit)
        if category is None or any(
            rules.unit(token) not in self._allowed and rules.unit(token) not in (unit, category) for token in author
        ):
            return None
        style = first.get(b"style")
        if b"hidden" in first or (style is not None and _HIDDEN_STYLE.search(_text(style[3]))):
            return None
        width, height = (_pixels(first.get(key)) for key in (b"width", b"height"))
        if (width is not None and width <= 1) or (height is not None and height <= 1):
            return None
        return unit[1:], width, height

    def _met(self, author: list[str], checks: list[tuple[_Attr, str]], body: bytes | None) -> bool:
        """Whether every token the author wrote is granted, when no host the tag names
        is held: a category, or a service; or a category whose services this tag's
        URLs name, all granted ("Always allow YouTube" on an iframe marked "media")."""
        rules, allowed = self._rules, self._allowed
        needs = [rules.unit(token) for token in author]
        if all(unit in allowed for unit in needs):
            return True
        named = self._named_all(checks, body)
        return all(unit in allowed or any(rules.owner.get(n) == unit for n in named) for unit in needs)

    def _named_all(self, checks: list[tuple[_Attr, str]], body: bytes | None) -> set[str]:
        """Every service of a declared host the tag names, granted or not."""
        rules = self._rules
        named: set[str] = set()
        if rules.any_hint is not None:
            for attr, kind in checks:
                if attr[3]:
                    named |= self._named(kind, attr[3], rules.any_hint)
            if body is not None:
                named |= categories_in_text(rules, body.decode("utf-8", "replace"), ("js", "css"), rules.any_hint)
        return named

    def _label(self, author: list[str], checks: list[tuple[_Attr, str]], body: bytes | None, blocked: set[str]) -> str:
        """Every category an inert tag needs, in the policy's order (granted ones
        too, so that a later withdrawal still holds it). The services its hosts belong
        to are the widget's to find again, from its URLs."""
        rules = self._rules
        named = set(blocked)
        # Only a host not granted relabels: a tag held back by its author's own
        # marking alone (an empty, unknown or withheld category) keeps it.
        if blocked:
            named |= self._named_all(checks, body)
        tokens = [t for t in dict.fromkeys(author) if t not in rules.required or not named]
        written = set(tokens)
        known = rules.label(u for u in named if u[1:] not in written and rules.owner.get(u, u) not in written)
        return " ".join(tokens + known.split())

    def _made_live(
        self, name: str, tag: bytes, attrs: list[_Attr], first: dict[bytes, _Attr], at: int
    ) -> tuple[bytes | None, bool]:
        edits: list[_Edit] = []
        if name in ("script", "style"):
            kind = first.get(b"type")
            if kind is not None and _text(kind[3]).strip().lower() == "text/plain":
                edits += [_delete(tag, a, at) for a in attrs if a[0] == b"type"]
                if b"data-type" in first:
                    data_type = first[b"data-type"]
                    edits.append((data_type[1], data_type[2], b"type"))
        src = first.get(b"src")
        for live in _URL_ATTRS.get(name) or _ANY_URL_ATTRS:
            inert = first.get(b"data-" + live)
            if inert is not None and not _never_live(inert[3]):
                edits += [_delete(tag, a, at) for a in attrs if a[0] == live]
                edits.append((inert[1], inert[2], live))
                if live == b"src":
                    src = inert
        trusted = self._rules.trusted
        wants_nonce = (
            bool(trusted) and name == "script" and b"nonce" not in first and src is not None and bool(src[3])
            and _normal_url(_text(src[3])).startswith(trusted)
        )
        return _apply(tag, at, edits, []), wants_nonce

    def _made_inert(
        self, name: str, tag: bytes, attrs: list[_Attr], first: dict[bytes, _Attr], at: int,
        checks: list[tuple[_Attr, str]], naming: dict[bytes, set[str]], label: str, consent: _Attr | None,
        oversized: bool, partial: _Attr | None,
    ) -> bytes | None:
        edits: list[_Edit] = []
        inserts: list[bytes] = []
        if name in ("script", "style"):
            kind = first.get(b"type")
            if kind is None or _text(kind[3]).strip().lower() != "text/plain":
                # Keep the author's type for the widget, unless a data-type already says it.
                kept = b"data-type" in first
                edits += [_delete(tag, a, at) if kept else _rename(tag, a) for a in attrs if a[0] == b"type"]
                inserts.append(b' type="text/plain"')
        loads = _URL_ATTRS.get(name) or _ANY_URL_ATTRS
        for attr, _ in checks:
            key = attr[0]
            if key.startswith(b"data-"):
                continue
            keep_image = oversized and name in _IMAGES and _text(attr[3]).lstrip().lower().startswith("data:")
            if (key in loads and not keep_image) or key in naming or (oversized and attr is partial):
                edits.append(_rename(tag, attr))
        in_progress = partial is not None and partial[0] not in {a[0] for a, _ in checks}
        if oversized and in_progress and partial and (partial[0] in _ANY_ELEMENT or partial[0].startswith(b"on")):
            edits.append(_rename(tag, partial))
        if oversized and _URL_ATTRS.get(name) is not None:
            # Attributes after the cut cannot load: empty copies go first, and the
            # first of duplicate attributes wins in HTML.
            names = set(first)
            for start, end, new in edits:
                if new:
                    names.discard(tag[start:end].lower())
                    names.add(new.lower())
            inserts += [b" " + a + b'=""' for a in _URL_ATTRS[name] if a not in names]
        if label != (None if consent is None else _text(consent[3])):
            if consent is not None:
                edits += [_delete(tag, a, at) for a in attrs if a[0] == b"data-consent"]
            if label:
                inserts.append(b" data-consent=" + _quoted(label))
        return _apply(tag, at, edits, inserts)

    def _rewrite_base(self, tag: bytes, first: dict[bytes, _Attr], at: int) -> bytes | None:
        # Relative URLs resolve against the first <base href>: when it points at a
        # declared host, every relative URL after it must be checked too. One in
        # <noscript> counts only with JavaScript off, so it is a base, not the base.
        # One served inert has no href left, so the next <base href> is the first.
        href = first.get(b"href")
        if href is None or (self._base_seen and not self._in_noscript):
            return None
        url = _normal_url(_text(href[3]))
        host, _ = _host_path(url)
        service = self._rules.category(url) if host and self._rules.declares_host(host) else None
        if service is not None and service not in self._allowed:
            label = _quoted(self._rules.label([service]))
            return tag[:at] + b" data-consent=" + label + tag[at : href[1]] + b"data-" + tag[href[1] :]
        if not self._in_noscript:
            self._base_seen = True
        if not host or not self._rules.declares_host(host):
            return None
        self._bases = (*self._bases, url)
        self._update_fast()
        return None


def _apply(tag: bytes, at: int, edits: list[_Edit], inserts: list[bytes]) -> bytes | None:
    if not edits and not inserts:
        return None
    parts = [tag[:at], *inserts]
    cursor = at
    for start, end, new in sorted(edits):
        parts += (tag[cursor:start], new)
        cursor = end
    parts.append(tag[cursor:])
    return b"".join(parts)
