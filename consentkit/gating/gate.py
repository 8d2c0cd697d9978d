"""``HtmlGate``: the streaming scanner that finds the tags to gate."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..policy import Policy
from . import fastpath
from .decide import _Decisions
from .fastpath import _FAST, MODES
from .hosts import _quoted, _Rules
from .oversized import BEFORE_ATTR, read_attrs, scan_tag, tag_start
from .syntax import (
    _BOGUS,
    _BOM,
    _CDATA,
    _COMMENT,
    _COMMENT_END,
    _DATA,
    _FOREIGN,
    _INTAG,
    _NON_WS,
    _RAW,
    _RAW_END,
    _RAWTEXT,
    _TAG,
    TAG_LIMIT,
    _run_end,
)

# Tags longer than this are not cached, and a cache that reaches its size starts over:
# at most 512 x 2 KB per policy and set of grants, whatever the pages hold.
_CACHED_TAG = 2048
_CACHED_TAGS = 512


class HtmlGate(_Decisions):
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
        self._raw_name = b"script"
        self._raw_keep = 0
        self._template = 0
        self._foreign = 0
        self._base: str | None = None
        self._base_seen = False
        self._at_start = True
        self._retry = 0  # length of a pending tag already searched for its '>'
        self._sub = BEFORE_ATTR
        self._big: tuple[bool, str, bool] = (False, "", False)  # oversized tag: closing, name, inject after
        self._closed = False
        self._c = fastpath.CSCAN  # read once: tests switch it off to compare both paths
        self._fast: re.Pattern[bytes] | None = None
        self._mode = 0
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
            return
        if self._foreign:
            mode = "template-foreign" if self._template else "foreign"
        elif self._template:
            mode = "template"
        else:
            mode = "strict" if self._base else "html"
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
        while pos < n:
            state = self._state
            if state == _DATA:
                if self._fast is not None and not self._retry:
                    if c is None:
                        pos = _run_end(self._fast, low, pos)
                    elif self._base is None:  # tags read before go out from the cache
                        pos, emit = c.skip_known(buf, pos, self._mode, self._rules.tags, self._nonce, out, emit)
                    else:
                        pos = c.skip(buf, pos, self._mode)
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
                if c is not None:
                    end = c.raw_end(buf, pos, self._raw_name)
                else:
                    m = self._raw.search(low, pos)
                    end = -1 if m is None else m.start()
                if end < 0:
                    pos = n if final else max(pos, n - self._raw_keep)
                    break
                pos, self._state = end, _DATA
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
                end, self._sub = scan_tag(buf, pos, n, self._sub)
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
        # A page's tags repeat from one response to the next: what a tag becomes is
        # kept per policy and grants, keyed by its bytes (see _Rules.tags).
        cacheable = not self._template and self._base is None
        read = None
        if cacheable and self._c is not None:
            end = self._c.tag_end(buf, pos)
            if 0 <= end - pos <= _CACHED_TAG:
                read = self._rules.tags.get(buf[pos:end])
        if read is None:
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
            end = m.end()
            tag = buf[pos:end]
            read = self._read(tag, m.end(2) - pos, bool(m.group(1)))
            if cacheable and end - pos <= _CACHED_TAG and read[1] != "base":
                cache = self._rules.tags
                if len(cache) >= _CACHED_TAGS:
                    cache.clear()
                cache[tag] = read
        self._retry = 0
        closing, name, self_closing, out, nonce_at = read
        new = self._with_nonce(buf[pos:end], out, nonce_at) if nonce_at >= 0 else out
        if closing:
            self._end_tag(name)
        else:
            self._start_tag(name, self_closing)
            if name == "head" and not self._injected:
                return end, (buf[pos:end] if new is None else new) + self._take_inject()
        if not self._injected and (closing or name not in ("html", "head")):
            new = self._take_inject() + (buf[pos:end] if new is None else new)
        return end, new

    # The fast path depends on the template and foreign depths: it changes only with them.

    def _start_tag(self, name: str, self_closing: bool) -> None:
        if self._foreign:
            if name in _FOREIGN and not self_closing:
                self._foreign += 1
        elif name == "template":
            self._template += 1
            self._update_fast()
        elif name in _RAWTEXT:
            self._state = _RAW
            self._raw = _RAW_END[name]
            self._raw_name = name.encode()
            self._raw_keep = len(name) + 2
        elif name in _FOREIGN and not self_closing:
            self._foreign = 1
            self._update_fast()

    def _end_tag(self, name: str) -> None:
        if self._foreign:
            if name in _FOREIGN:
                self._foreign -= 1
                if not self._foreign:
                    self._update_fast()
        elif name == "template" and self._template:
            self._template -= 1
            self._update_fast()

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
            new, wants_nonce = self._rewrite(name, prefix, attrs, first, at - pos, oversized=True)
            if wants_nonce:
                new = self._with_nonce(prefix, new, at - pos)
        if inject_before:
            new = self._take_inject() + (buf[pos:n] if new is None else new)
        return n, new
