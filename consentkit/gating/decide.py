"""The gating decision for one tag: what it is, and whether it goes out live, inert,
or unchanged."""

from __future__ import annotations

from types import ModuleType
from urllib.parse import urljoin

from .hosts import _HIDES_HOST, _host_path, _normal_url, _quoted, _Rules, _text
from .syntax import (
    _ANY_URL_ATTRS,
    _FOREIGN,
    _INERT_NAME,
    _INERT_RELS,
    _SRCSETS,
    _URL_ATTRS,
    _WS,
    _Attr,
    _attrs,
    _self_closing,
)

_Edit = tuple[int, int, bytes]
# A tag read: (closing, lowered name, self-closing, replacement or None, where the
# nonce goes or -1). What HtmlGate caches per policy and grants (_Rules.tags).
_Read = tuple[bool, str, bool, "bytes | None", int]
# A marked tag's URLs are checked in their live and inert forms.
_MARKED_CHECKS = {
    names: names + tuple(_INERT_NAME[a] for a in names) for names in (*_URL_ATTRS.values(), _ANY_URL_ATTRS)
}


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


def _rename(attr: _Attr, name: bytes) -> _Edit:
    return (attr[1], attr[2], name)


def _link_fetches(first: dict[bytes, _Attr]) -> bool:
    rel = first.get(b"rel")
    return rel is not None and any(token not in _INERT_RELS for token in _text(rel[3]).lower().split())


class _Decisions:
    """What a gate decides per tag; ``HtmlGate`` holds the state it reads."""

    _rules: _Rules
    _allowed: frozenset[str]
    _nonce: bytes
    _template: int
    _c: ModuleType | None
    _base: str | None
    _base_seen: bool

    def _update_fast(self) -> None:
        raise NotImplementedError


    def _read(self, tag: bytes, at: int, closing: bool) -> _Read:
        """What one complete tag is and becomes, apart from the nonce; ``at`` is the
        end of its name. Reads a <base> as the page's base, so <base> is never cached."""
        name = tag[1 + closing : at].lower().decode("latin-1")
        if closing:
            return (True, name, False, None, -1)
        out, nonce_at = None, -1
        if not self._template and (name in _URL_ATTRS or name == "base" or b"data-consent" in tag.lower()):
            if self._c is not None:
                attrs = self._c.attrs(tag, at, len(tag) - 1)
                first = {attr[0]: attr for attr in reversed(attrs)}  # the first of each name wins
            else:
                attrs, first = _attrs(tag, at, len(tag) - 1)
            out, wants_nonce = self._rewrite(name, tag, attrs, first, at)
            nonce_at = at if wants_nonce else -1
        return (False, name, name in _FOREIGN and _self_closing(tag, at), out, nonce_at)

    def _with_nonce(self, tag: bytes, out: bytes | None, at: int) -> bytes | None:
        """A script made live gets the response's nonce right after its name."""
        if not self._nonce:
            return out
        done = tag if out is None else out
        return done[:at] + self._nonce + done[at:]

    def _rewrite(
        self, name: str, tag: bytes, attrs: list[_Attr], first: dict[bytes, _Attr], at: int, oversized: bool = False
    ) -> tuple[bytes | None, bool]:
        """The tag as it must go out (None when unchanged), and whether it is a script
        made live that wants the response's nonce after its name (which this does not
        insert, so that the answer holds for every response)."""
        if name == "base":
            return self._rewrite_base(tag, first, at), False
        loads = _URL_ATTRS.get(name)
        consent = first.get(b"data-consent")
        if consent is None and loads is None:
            return None, False
        live_names = loads or _ANY_URL_ATTRS
        if consent is not None:
            checked = _MARKED_CHECKS[live_names]
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
        wants_nonce = False
        if category is not None and blocked is None and category in self._allowed:
            wants_nonce = self._live(name, tag, attrs, first, at, live_names, edits)
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
            return None, wants_nonce
        parts = [tag[:at], *inserts]
        cursor = at
        for start, end, new in sorted(edits):
            parts += (tag[cursor:start], new)
            cursor = end
        parts.append(tag[cursor:])
        return b"".join(parts), wants_nonce

    def _live(
        self, name: str, tag: bytes, attrs: list[_Attr], first: dict[bytes, _Attr], at: int,
        live_names: tuple[bytes, ...], edits: list[_Edit],
    ) -> bool:
        """Edits that make the tag live; True for a script without a nonce of its own."""
        wants_nonce = False
        if name == "script":
            kind = first.get(b"type")
            if kind is not None and _text(kind[3]).strip().lower() == "text/plain":
                edits += [_delete(tag, a, at) for a in attrs if a[0] == b"type"]
                if b"data-type" in first:
                    edits.append(_rename(first[b"data-type"], b"type"))
            wants_nonce = b"nonce" not in first
        for live in live_names:
            inert = first.get(_INERT_NAME[live])
            if inert is not None:
                edits += [_delete(tag, a, at) for a in attrs if a[0] == live]
                edits.append(_rename(inert, live))
        return wants_nonce

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
