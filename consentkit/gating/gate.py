"""``HtmlGate``: the streaming scanner that finds the tags to gate."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from ..policy import Policy
from . import fastpath
from .decide import _Decisions, executable
from .fastpath import _FAST, MODES
from .hosts import _PREPARED, _quoted, _text, allowed_units
from .oversized import BEFORE_ATTR, read_attrs, scan_tag, tag_start
from .syntax import (
    _BODIES,
    _BOGUS,
    _BOM,
    _CDATA,
    _COMMENT,
    _COMMENT_END,
    _DATA,
    _INTAG,
    _NON_WS,
    _NOSCRIPT_END,
    _RAW,
    _RAW_END,
    _RAWTEXT,
    _TAG,
    BODY_LIMIT,
    TAG_LIMIT,
    _attrs,
    _run_end,
    _self_closing,
)
from .tree import HTML, OpenElements

# Tags (with an inline body) longer than this are not cached; at most 512 per
# policy and set of grants, 2048 in all (hosts._Prepared).
_CACHED_TAG = 2048
# The longest start of a page kept (the charset must be in the first 1024 bytes).
_PREFIX_LIMIT = 1024
_CDATA_SPLIT = b"]]>&gt;<![CDATA["
_HTML_ENCODINGS = ("text/html", "application/xhtml+xml")
# <meta charset=...> or <meta http-equiv="Content-Type" ...>: the injection goes after it.
_CHARSET_META = re.compile(rb"[\s/]charset\s*=|http-equiv\s*=\s*[\"']?content-type", re.IGNORECASE)


class HtmlGate(_Decisions):
    """Gate one HTML response: ``feed()`` each chunk, then ``close()``.

    ``granted`` maps category ids to consent (required categories count as
    granted; unknown ones as not); ``services`` maps service ids to their own
    value where it is not their category's (``ConsentState.services``). ``nonce`` goes on scripts made live from one of
    the policy's ``nonce_sources``. ``placeholders`` (``gating.placeholder.Placeholders``)
    writes a click-to-load placeholder before each embed held back for one service. ``inject`` is written once, right after
    ``<head>`` (or before the first content when the page has no head). Memory is
    bounded by ``TAG_LIMIT`` (and ``BODY_LIMIT`` for an inline script or style),
    whatever the page size, and the work is linear in the body, however it is cut.
    """

    # The state of a gate at the start of a body, as class attributes: a response's
    # gate sets only what differs (one is made for every HTML response).
    _embed: tuple[str, int | None, int | None] | None = None
    _buf = b""
    _held = 0
    _wait: tuple[str, int, bytes] | None = None  # ("tag", state, b"") or ("body", 0, tail)
    _state = _DATA
    _raw: re.Pattern[bytes] = _RAW_END["script"]
    _raw_name = b"script"
    _raw_keep = 0
    _template = 0
    _noscript = False  # inside a <noscript> that is raw text with JavaScript on
    _raw_ended = False
    _context: tuple[object, ...] = (0, 0, False, None)  # what the fast path was chosen for
    _foreign = False  # the fast path is C's in foreign content
    _bases: tuple[str, ...] = ()
    _base_seen = False
    _at_start = True
    _first_run = False  # reading the document's first buffer from its first byte
    _record: bool | None = None  # whether the start read so far may be kept
    _sub = BEFORE_ATTR
    _big: tuple[bool, str, bool] = (False, "", False)  # oversized tag: closing, name, inject after
    _closed = False
    _fast: re.Pattern[bytes] | None = None
    _mode = 0

    def __init__(
        self, policy: Policy, granted: Mapping[str, bool], *, nonce: str | None = None, inject: bytes = b"",
        services: Mapping[str, bool] | None = None, allowed: frozenset[str] | None = None,
        placeholders: Callable[[str, int | None, int | None], bytes] | None = None,
    ) -> None:
        if allowed is None:  # else the caller worked out allowed_units(policy, granted, services) before
            allowed = allowed_units(policy, granted, services)
        self._placeholders = placeholders
        self._rules = _PREPARED.get(policy, allowed)  # _Rules.of()
        self._allowed = allowed
        self._nonce = b" nonce=" + _quoted(nonce) if nonce else b""
        self._inject = inject
        self._injected = not inject
        self._waiting: list[bytes] = []  # chunks held while a tag or a body waits for its end
        self._tree = OpenElements()
        self._c = fastpath.CSCAN  # read once: tests switch it off to compare both paths
        if self._injected:  # else every token is read until the injection (as the class says)
            self._update_fast()

    @property
    def _in_noscript(self) -> bool:  # type: ignore[override]
        return self._noscript

    def feed(self, chunk: bytes) -> bytes:
        """Take the next chunk of the body; return what can be sent now."""
        if self._closed:
            raise RuntimeError("HtmlGate.feed() after close()")
        if not chunk:
            return b""
        chunk = bytes(chunk)
        held = self._held + len(chunk)
        if self._wait is not None and len(self._buf) + held <= self._wait_limit() and not self._wait_ends(chunk):
            # Only this chunk was read: holding it costs nothing more, however small
            # the chunks (L7: linear in all cases).
            self._waiting.append(chunk)
            self._held = held
            if len(self._waiting) >= 64:
                self._waiting[:] = [b"".join(self._waiting)]
            return b""
        self._buf = b"".join((self._buf, *self._waiting, chunk)) if self._buf or self._waiting else chunk
        self._waiting.clear()
        self._held = 0
        self._wait = None
        return self._run(final=False)

    def close(self) -> bytes:
        """End of the body: return everything still held back."""
        return self.feed_last(b"")

    def feed_last(self, chunk: bytes) -> bytes:
        """``feed(chunk) + close()`` in one pass over the body (an HTML response
        mostly comes in one chunk)."""
        if self._closed:
            return b""
        self._buf = b"".join((self._buf, *self._waiting, chunk)) if self._buf or self._waiting else bytes(chunk)
        self._waiting.clear()
        self._held = 0
        self._wait = None
        out = self._run(final=True)
        self._closed = True
        if not self._injected:
            self._injected = True
            out += self._inject
        return out

    # -- waiting for the end of a tag or body ---------------------------------------

    def _wait_limit(self) -> int:
        return TAG_LIMIT if self._wait is None or self._wait[0] == "tag" else BODY_LIMIT

    def _wait_ends(self, chunk: bytes) -> bool:
        """Whether the tag or body waited on may end in this chunk (read once)."""
        assert self._wait is not None
        kind, sub, tail = self._wait
        if kind == "tag":
            end, sub = scan_tag(chunk, 0, len(chunk), sub)
            self._wait = (kind, sub, tail)
            return end >= 0
        window = tail + chunk
        if _RAW_END_ANY[self._raw_name].search(window) is not None:
            return True
        self._wait = (kind, 0, window[-16:])
        return False

    def _wait_for_tag(self, buf: bytes, pos: int, n: int) -> None:
        *_, sub = tag_start(buf, pos, n)
        self._wait = ("tag", sub, b"")

    # -- the scanner ---------------------------------------------------------------

    def _update_fast(self) -> None:
        tree = self._tree
        top = tree.stack[-1] if tree.stack else None
        self._context = (self._template, tree.foreign, self._noscript, top)
        self._foreign = False
        if not self._injected or self._noscript:
            self._fast = None  # every token is read
            return
        if tree.foreign:  # tree.in_foreign
            # Each token changes the tree builder's state: read one by one, except in
            # C, which keeps the stack for the plain tags of a foreign element that
            # is no integration point.
            if self._c is None or self._bases or top is None or top[1] == HTML or top[2]:
                self._fast = None
                return
            self._foreign = True
            mode = "template-foreign" if self._template else "foreign"
        elif self._template:
            mode = "template"
        else:
            mode = "strict" if self._bases else "html"
        self._fast = _FAST[mode]
        self._mode = MODES.index(mode)

    def _run(self, final: bool) -> bytes:
        buf = self._buf
        c = self._c
        low = buf if c is not None else buf.lower()  # the patterns run on the lowered body
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
            elif not self._injected:
                pos = emit = self._known_prefix(buf, out)
        while pos < n:
            state = self._state
            if state == _DATA:
                if self._fast is not None and not self._raw_ended:  # a raw text end tag is read here
                    if c is None:
                        pos = _run_end(self._fast, low, pos)
                    elif self._foreign:
                        pos, opened = c.skip_foreign(buf, pos, self._mode, self._rules.needles)
                        if opened:
                            self._tree.open_foreign(opened)
                    elif not self._bases:  # tags read before go out from the cache
                        rules = self._rules
                        pos, emit = c.skip_known(buf, pos, self._mode, rules.tags, self._nonce, out, emit,
                                                 rules.needles, rules.embeds, self._placeholders)
                    else:
                        pos = c.skip(buf, pos, self._mode, None)
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
                if self._record is not None:
                    self._remember_prefix(buf, out, emit, pos, end, new)
                if new is not None:
                    out += (buf[emit:pos], new)
                    emit = end
                pos = end
            elif state == _INTAG:
                end, self._sub = scan_tag(buf, pos, n, self._sub)
                if end < 0:
                    pos = n
                    break
                pos, self._state = end, _DATA
                closing, name, inject_after = self._big
                if closing:
                    self._end_tag(name)
                else:
                    self._start_tag(name, False, self._tree.start(name, False))
                    self._template = self._tree.templates
                if inject_after and not self._injected:
                    out += (buf[emit:pos], self._take_inject())
                    emit = pos
            else:
                if state == _RAW:
                    if c is not None:
                        end = c.raw_end(buf, pos, self._raw_name)
                    else:
                        m = self._raw.search(low, pos)
                        end = -1 if m is None else m.start()
                    after, keep = end, self._raw_keep
                elif state == _COMMENT:
                    m = _COMMENT_END.search(buf, pos)
                    end, after, keep = (-1, -1, 3) if m is None else (m.start(), m.end(), 3)
                elif state == _CDATA:
                    end, after, keep = _cdata_end(buf, pos)
                else:  # _BOGUS
                    end = buf.find(b">", pos)
                    after, keep = end + 1, 0
                if self._noscript:
                    # With JavaScript on, "</noscript" ends the <noscript> wherever this
                    # reading has it (a comment, a style, an attribute): escaped, both
                    # readings end it at the same place.
                    m = _NOSCRIPT_END.search(buf, pos, n if end < 0 else end)
                    if m is not None:
                        out += (buf[emit : m.start()], b"&lt;")
                        emit = pos = m.start() + 1
                        continue
                    keep = max(keep, 10)
                if end == -2:  # a '>' inside CDATA, split off; go on after it
                    out += (buf[emit : after - 1], _CDATA_SPLIT)
                    emit = pos = after
                    continue
                if end < 0:
                    pos = n if final else max(pos, n - keep)
                    break
                self._raw_ended = state == _RAW  # its end tag follows: the element it pops was never pushed
                pos, self._state = after, _DATA
        out.append(buf[emit:pos])
        self._buf = buf[pos:]
        self._first_run = False
        return b"".join(out)

    # -- the start of the page, read before ------------------------------------------
    # Pages of a site start alike (<!DOCTYPE html><html lang=..><head><meta charset=..>),
    # and every token before the injection is read one by one. A start that went out
    # unchanged, with the injection after its <meta charset> and the reading back in
    # its first state, is kept per grants (_Rules.prefixes): a page that starts with
    # the same bytes gets the injection there at once.

    def _known_prefix(self, buf: bytes, out: list[bytes]) -> int:
        """Where reading starts in the first buffer: after a known start, injected."""
        for prefix in self._rules.prefixes:
            if buf.startswith(prefix):
                out += (prefix, self._take_inject())
                return len(prefix)
        self._first_run = True
        return 0

    def _remember_prefix(self, buf: bytes, out: list[bytes], emit: int, pos: int, end: int, new: bytes | None) -> None:
        """After the <meta charset> the injection followed: keep the start if nothing in
        it changed and the reading is as at the start of a document."""
        recorded, self._record = self._record, None
        plain = (
            recorded and self._state == _DATA and not self._tree.stack and not self._template and not self._noscript
            and not self._bases and not self._base_seen and not self._raw_ended and self._wait is None
        )
        if plain and new == buf[pos:end] + self._inject and b"".join(out) + buf[emit:pos] == buf[:pos]:
            self._rules.remember_prefix(buf[:end])

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
            if buf.startswith(b"<![CDATA[", pos):
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
        # A page's tags repeat from one response to the next: what a tag becomes is
        # kept per policy and grants, keyed by its bytes (and an inline body's).
        cacheable = not self._template and not self._bases and not self._tree.in_foreign
        c = self._c
        end = c.tag_end(buf, pos) if c is not None else -1
        m = None
        if end < 0:
            m = _TAG.match(buf, pos)
            if m is None:
                if final:  # a tag cut by the end of the body: browsers drop it
                    # but with JavaScript on a "</noscript" in it ends the <noscript>
                    # and what follows is markup: escaped, it ends nothing.
                    return n, (_escape_noscript_end(buf[pos:n]) if self._noscript else None)
                if n - pos > TAG_LIMIT:
                    return self._oversized(buf, pos, n)
                self._wait_for_tag(buf, pos, n)
                return -1, None
            end = m.end()
        closing = buf[pos + 1] == 0x2F
        name_end = _run_end(_NAME_END, buf, pos + 1 + closing)
        name = buf[pos + 1 + closing : name_end].lower().decode("latin-1")
        body_end = end
        body: bytes | None = None
        if not closing and name in _BODIES and not self._template:
            body_end = self._body_end(buf, end, n, name)
            if body_end < 0:
                if final:
                    body_end = n
                elif n - end > BODY_LIMIT:
                    return self._too_long(buf, pos, end, name)
                else:
                    self._raw_name = name.encode()
                    self._wait = ("body", 0, buf[max(end, n - 16) : n])
                    return -1, None
            body = self._body_if_read(buf, pos, end, name_end, name, body_end)
        tag = buf[pos:end]
        html_rules = True
        if not closing:
            html_rules = self._tree_start(name, tag, name_end - pos)
            self._template = self._tree.templates
        key = buf[pos:body_end]
        read = self._rules.tags.get(key) if cacheable and len(key) <= _CACHED_TAG else None
        self._embed = None
        if read is None:
            # An embed with a placeholder is kept apart, with what the placeholder says:
            # the C scanner stops at it (its placeholder is the response's), this does not read it again.
            held = self._rules.embeds.get(key) if cacheable and len(key) <= _CACHED_TAG else None
            if held is not None:
                read, self._embed = held
            elif name == "base" and not html_rules:
                read = (False, name, False, None, -1)  # an SVG <base> is no base
            else:
                read = self._read(tag, name_end - pos, closing, body)
            if cacheable and len(key) <= _CACHED_TAG and name != "base" and held is None:
                if self._embed is None:
                    self._rules.remember(key, read)
                else:
                    self._rules.remember_embed(key, read, self._embed)
        _, _, self_closing, out, nonce_at = read
        new = self._with_nonce(tag, out, nonce_at) if nonce_at >= 0 else out
        raw_ended, self._raw_ended = self._raw_ended, False
        if closing:
            closes = b"" if raw_ended else self._end_tag(name)
            if closes:
                new = closes + (tag if new is None else new)
        else:
            self._start_tag(name, self_closing, html_rules)
        if self._noscript and not (closing and name == "noscript"):
            new = _escape_noscript_end(tag if new is None else new)
        elif self._embed is not None and self._placeholders is not None and html_rules and not closing:
            new = self._placeholders(*self._embed) + (tag if new is None else new)
        if not self._injected and (closing or name not in ("html", "head")):
            if not closing and name == "meta" and _CHARSET_META.search(tag):
                # The charset must stay within the first 1024 bytes, where browsers look for it.
                self._record = self._first_run and new is None and end <= _PREFIX_LIMIT
                return end, (tag if new is None else new) + self._take_inject()
            new = self._take_inject() + (tag if new is None else new)
        return end, new

    def _body_end(self, buf: bytes, end: int, n: int, name: str) -> int:
        if self._c is not None:
            return int(self._c.raw_end(buf, end, name.encode()))
        m = _RAW_END_CI[name].search(buf, end)
        return -1 if m is None or m.end() > n else m.start()

    @staticmethod
    def _body_if_read(buf: bytes, pos: int, end: int, name_end: int, name: str, body_end: int) -> bytes | None:
        """The body of an inline script that runs (or a style), or None."""
        if name == "script":
            # On the tag alone: findall() over a slice of a large buffer costs its size.
            _, first = _attrs(buf[pos:end], name_end - pos, end - pos - 1)
            kind = first.get(b"type")
            src = b"src" in first
            if kind is not None and _text(kind[3]).strip().lower() == "text/plain":
                kind = first.get(b"data-type")  # what it runs as once made live
                src = src or b"data-src" in first  # made live, it gets its src back: the body never runs
            if src or not executable(kind):
                return None
        return buf[end:body_end]

    def _too_long(self, buf: bytes, pos: int, end: int, name: str) -> tuple[int, bytes | None]:
        """An inline script or style whose body passes BODY_LIMIT before its end: it
        cannot be read whole, so it goes out inert for every category whose hosts
        could be in it (fail closed); its body then streams through."""
        tag = buf[pos:end]
        closing = False
        name_end = _run_end(_NAME_END, buf, pos + 1) - pos
        blocking = self._rules.blocking
        read = self._read(tag, name_end, closing, None)
        new = read[3]
        html_rules = self._tree_start(name, tag, name_end)
        self._start_tag(name, False, html_rules)
        if blocking:
            marker = b' type="text/plain" data-consent=' + _quoted(self._rules.label(blocking))
            done = tag if new is None else new
            _, first = _attrs(done, name_end, len(done) - 1)
            if name == "script" and (b"src" in first or not executable(first.get(b"type"))):
                return end, new
            kind = first.get(b"type")
            if kind is not None:
                done = done[: kind[1]] + b"data-" + done[kind[1] :]
            new = done[:name_end] + marker + done[name_end:]
        return end, new

    # -- the tree builder's state --------------------------------------------------

    def _tree_start(self, name: str, tag: bytes, at: int) -> bool:
        encoding = font = False
        self_closing = False
        if self._tree.in_foreign and name in ("annotation-xml", "font"):
            _, first = _attrs(tag, at, len(tag) - 1)
            if name == "annotation-xml":
                value = first.get(b"encoding")
                encoding = value is not None and (value[3] or b"").strip().lower().decode("latin-1") in _HTML_ENCODINGS
            else:
                font = any(k in first for k in (b"color", b"face", b"size"))
        if self._tree.in_foreign or name in ("svg", "math"):
            self_closing = _self_closing(tag, at)
        return self._tree.start(name, self_closing, encoding, font)

    def _start_tag(self, name: str, self_closing: bool, html_rules: bool) -> None:
        if html_rules:
            if name in _RAWTEXT:
                self._state = _RAW
                self._raw = _RAW_END[name]
                self._raw_name = name.encode()
                self._raw_keep = len(name) + 2
            elif name == "noscript":
                self._noscript = True
        self._template = self._tree.templates
        tree = self._tree
        if (self._template, tree.foreign, self._noscript, tree.stack[-1] if tree.stack else None) != self._context:
            self._update_fast()

    def _end_tag(self, name: str) -> bytes:
        """Update the state for an end tag; what must go before it (see
        OpenElements.end) or b""."""
        if name == "noscript":
            self._noscript = False
        closes = self._tree.end(name)
        self._template = self._tree.templates
        self._update_fast()
        return b"".join(b"</" + c.encode("latin-1") + b">" for c in closes)

    # -- tags longer than TAG_LIMIT ------------------------------------------------

    def _oversized(self, buf: bytes, pos: int, n: int) -> tuple[int, bytes | None]:
        closing, name, at, done, self._sub = tag_start(buf, pos, n)
        self._state = _INTAG
        inject_before = not self._injected and (closing or name not in ("html", "head"))
        self._big = (closing, name, not self._injected and not closing and name == "head")
        new = None
        if not closing and name and not self._template:
            prefix = buf[pos:n]
            attrs, first = read_attrs(prefix, at - pos, done - pos, self._sub)
            partial = attrs[-1] if len(attrs) and attrs[-1][4] == len(prefix) and self._sub != BEFORE_ATTR else None
            new, wants_nonce = self._rewrite(name, prefix, attrs, first, at - pos, oversized=True, partial=partial)
            if wants_nonce:
                new = self._with_nonce(prefix, new, at - pos)
            if self._rules.hint is not None:
                # Attributes that load on any element may come after the cut: empty
                # copies first shadow them (the first of duplicate attributes wins).
                empty = b"".join(b" " + a + b'=""' for a in (b"style", b"background", b"ping") if a not in first)
                written = prefix if new is None else new
                new = written[: at - pos] + empty + written[at - pos :] if empty else new
        if inject_before:
            new = self._take_inject() + (buf[pos:n] if new is None else new)
        return n, new


def _cdata_end(buf: bytes, pos: int) -> tuple[int, int, int]:
    """A CDATA section ends at "]]>" in foreign content, but "<![CDATA[" is a bogus
    comment up to the first '>' in HTML content. A '>' before "]]>" is written as
    "]]>&gt;<![CDATA[": then both readings end at the same place and hold the same
    text, whichever the browser takes. (end, after, bytes to keep), with end -2 for
    a '>' to split off."""
    gt = buf.find(b">", pos)
    if gt < 0:
        return -1, -1, 2
    if gt - 2 >= pos and buf[gt - 2 : gt] == b"]]":
        return gt - 2, gt + 1, 2
    return -2, gt + 1, 0


_RAW_END_CI = {n: re.compile(b"</" + n.encode() + rb"[\t\n\f\r />]", re.IGNORECASE) for n in _RAWTEXT}
_RAW_END_ANY = {n.encode(): re.compile(b"</" + n.encode(), re.IGNORECASE) for n in _RAWTEXT}
_NAME_END = re.compile(rb"[^\t\n\f\r />]*+")


def _escape_noscript_end(tag: bytes) -> bytes:
    """"</noscript" inside a tag (an attribute's name or value), which ends the
    <noscript> with JavaScript on, written with "&lt;"."""
    return _NOSCRIPT_END.sub(lambda m: b"&lt;" + m.group()[1:], tag) if b"/" in tag[2:] else tag
