"""What the gate does with a whole response besides its tags: the app's own
``Link`` and ``Refresh`` headers, the body's character encoding, and the pace of
the work on the event loop.

Encodings: the gate reads bytes as ASCII does, which every encoding a browser
supports agrees with on the bytes that make markup, except UTF-16 and ISO-2022-JP
(whose escape sequences switch the meaning of ASCII bytes). A body the browser will
decode as one of those (by its byte order mark, which wins over the header, or by
the header's charset) is decoded, gated, and served as UTF-8 (the ``Content-Type``
says so). Without a charset in the header a browser may still pick ISO-2022-JP from
a ``<meta>`` or by sniffing: the escape byte (0x1B), which only that encoding
gives a meaning, is then served as a space, so that no byte can change how the rest
is read.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Mapping

import anyio.lowlevel

from ..policy import Policy
from .gate import HtmlGate
from .hosts import _normal_url, _Rules, allowed_units
from .memo import PageMemo
from .syntax import _INERT_RELS
from .textscan import refresh_url

# Labels (WHATWG Encoding) of the encodings that are not ASCII-compatible.
_TRANSCODED = {
    "utf-16": "utf-16-le", "utf-16le": "utf-16-le", "utf-16be": "utf-16-be", "unicodefffe": "utf-16-be",
    "csunicode": "utf-16-le", "iso-10646-ucs-2": "utf-16-le", "ucs-2": "utf-16-le", "unicode": "utf-16-le",
    "unicodefeff": "utf-16-le", "iso-2022-jp": "iso2022_jp", "csiso2022jp": "iso2022_jp",
}
_CHARSET = re.compile(rb";\s*charset\s*=\s*[\"']?([^\"';\s]+)", re.IGNORECASE)
_BOMS = ((b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"))
_BOM_STARTS = frozenset(bom for bom, _ in _BOMS)
# Work done on the event loop between two yields: about a millisecond in C.
SLICE = 256 * 1024


def declared_charset(content_type: bytes) -> str | None:
    found = _CHARSETS.get(content_type, _UNSEEN)
    if found is _UNSEEN:
        m = _CHARSET.search(content_type)
        found = None if m is None else m.group(1).decode("latin-1").lower()
        if len(_CHARSETS) < 64:  # an app sends a few Content-Types
            _CHARSETS[content_type] = found
    return found  # type: ignore[return-value]


_CHARSETS: dict[bytes, str | None] = {}
_UNSEEN = object()


class ResponseGate:
    """An ``HtmlGate`` for one response body as the browser will decode it."""

    def __init__(
        self, policy: Policy, granted: Mapping[str, bool], *, content_type: bytes = b"text/html",
        nonce: str | None = None, inject: bytes = b"", services: Mapping[str, bool] | None = None,
        allowed: frozenset[str] | None = None,
        placeholders: Callable[[str, int | None, int | None], bytes] | None = None,
        memo: PageMemo | None = None,
    ) -> None:
        self._memo = memo
        self._made: HtmlGate | None = None
        if allowed is None:
            allowed = allowed_units(policy, granted, services)
        self._args = (policy, granted, nonce, inject, services, allowed, placeholders)
        charset = declared_charset(content_type)
        self._declared = charset
        self._codec = _TRANSCODED.get(charset or "")
        self._decoder: codecs.IncrementalDecoder | None = None
        self._start = b""  # the first bytes, until the byte order mark is known
        self._started = False
        self._answered = False  # the whole body answered by the memo
        self.transcoded = False  # served as UTF-8: the Content-Type must say so

    @property
    def gate(self) -> HtmlGate:
        """The gate, made when a body is read (a body the memo knows needs none)."""
        if self._made is None:
            policy, granted, nonce, inject, services, allowed, placeholders = self._args
            self._made = HtmlGate(policy, granted, nonce=nonce, inject=inject, services=services, allowed=allowed,
                                  placeholders=placeholders)
        return self._made

    @property
    def decided(self) -> bool:
        """Whether the encoding (and so ``transcoded``) is known."""
        return self._started

    def feed(self, chunk: bytes) -> bytes:
        if self._answered:
            raise RuntimeError("ResponseGate.feed() after the whole body was answered")
        if not self._started:
            self._start += chunk
            if len(self._start) < 2:
                return b""
            chunk, self._start = self._start, b""
            self._begin(chunk[:2])
        return self.gate.feed(self._decode(chunk, final=False))

    def close(self) -> bytes:
        return self.feed_last(b"")

    def feed_last(self, chunk: bytes) -> bytes:
        """``feed(chunk) + close()``, the body read in one pass."""
        if self._answered:
            return b""
        if self._memo is not None and not self._started and not self._start and bytes(chunk[:2]) not in _BOM_STARTS:
            return self._whole(chunk)
        if not self._started:
            chunk, self._start = self._start + chunk, b""
            self._begin(chunk[:2])
        return self.gate.feed_last(self._decode(chunk, final=True))

    async def feed_in_slices(self, chunk: bytes, final: bool) -> bytes:
        """feed() (and close() when final), yielding to the event loop between
        slices, so that a large body never holds the loop for long."""
        if len(chunk) <= SLICE:
            return self.feed_last(chunk) if final else self.feed(chunk)
        parts = []
        for at in range(0, len(chunk), SLICE):
            parts.append(self.feed(chunk[at : at + SLICE]))
            await anyio.lowlevel.checkpoint()
        if final:
            parts.append(self.close())
        return b"".join(parts)

    def _whole(self, body: bytes) -> bytes:
        """The whole body in one chunk, with the memo: what was made of the same
        body in the same context, or the gate's answer (kept when wanted)."""
        memo = self._memo
        assert memo is not None
        self._memo = None
        policy, _, nonce, inject, _, allowed, placeholders = self._args
        if self._codec is not None or not inject:
            return self.feed_last(body)
        body = bytes(body)  # a bytearray or memoryview from an app has no hash
        # The policy by identity: the memo keeps it (with what was made), so that its
        # id is never another's while the entry lives.
        context = (id(policy), allowed, nonce, placeholders, self._declared)
        found = memo.get(body, context)
        if found is None:
            if not memo.wanted(body):
                return self.feed_last(body)
            gate = self.gate
            gate._inject = memo.marker
            made = self.feed_last(body)
            found = memo.keep(body, context, made, policy)
            if found is None:
                return made.replace(memo.marker, inject)
        else:
            self._started = self._answered = True  # answered whole: nothing more to read or inject
        return b"".join((found[0], inject, found[1]))

    def _begin(self, head: bytes) -> None:
        self._started = True
        for bom, codec in _BOMS:
            if head.startswith(bom):
                self._codec = codec
                self._bom = len(bom)
                break
        else:
            self._bom = 0
        if self._codec is not None:
            self._decoder = codecs.getincrementaldecoder(self._codec)("replace")
            self.transcoded = True

    def _decode(self, chunk: bytes, final: bool) -> bytes:
        if self._decoder is None:
            if self._declared is None and b"\x1b" in chunk:
                chunk = chunk.replace(b"\x1b", b" ")
            return chunk
        if self._bom:
            chunk, self._bom = chunk[self._bom :], 0
        return self._decoder.decode(chunk, final).encode("utf-8", "surrogatepass")


def gated_headers(
    policy: Policy, granted: Mapping[str, bool], raw: list[tuple[bytes, bytes]],
    services: Mapping[str, bool] | None = None,
) -> list[tuple[bytes, bytes]]:
    """The app's response headers with every ``Link`` entry that fetches from a
    category not granted (preload, prefetch, preconnect, modulepreload...) removed,
    and a ``Refresh`` to such a URL dropped."""
    if not any(name.lower() in (b"link", b"refresh") for name, _ in raw):
        return raw
    allowed = allowed_units(policy, granted, services)
    rules = _Rules.of(policy, allowed)
    out = []
    for name, value in raw:
        lowered = name.lower()
        if lowered == b"link":
            kept = [entry for entry in _link_entries(value.decode("latin-1")) if not _blocked_link(rules, allowed, entry)]
            if kept:
                out.append((name, ", ".join(kept).encode("latin-1")))
            continue
        if lowered == b"refresh" and _blocked(rules, allowed, refresh_url(value.decode("latin-1"))):
            continue
        out.append((name, value))
    return out


def _blocked(rules: _Rules, allowed: frozenset[str], url: str) -> bool:
    category = rules.category(_normal_url(url))
    return category is not None and category not in allowed


def _blocked_link(rules: _Rules, allowed: frozenset[str], entry: str) -> bool:
    m = re.match(r"\s*<([^>]*)>(.*)", entry, re.DOTALL)
    if m is None:
        return False
    rel = re.search(r";\s*rel\s*=\s*(\"[^\"]*\"|[^;,]*)", m.group(2), re.IGNORECASE)
    tokens = (rel.group(1).strip('"') if rel else "").lower().split()
    return any(t not in _INERT_RELS for t in tokens) and _blocked(rules, allowed, m.group(1))


def _link_entries(value: str) -> list[str]:
    """A Link header's entries, split on the commas outside <...> and quotes."""
    entries, start, depth, quoted = [], 0, False, False
    for i, ch in enumerate(value):
        if ch == '"' and not depth:
            quoted = not quoted
        elif ch == "<" and not quoted:
            depth = True
        elif ch == ">" and not quoted:
            depth = False
        elif ch == "," and not depth and not quoted:
            entries.append(value[start:i].strip())
            start = i + 1
    entries.append(value[start:].strip())
    return [e for e in entries if e]
