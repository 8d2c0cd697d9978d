"""Tags longer than ``TAG_LIMIT``: where the tokenizer stands inside one, and how it
follows it to its '>' chunk by chunk without holding it."""

from __future__ import annotations

from .syntax import (
    _ATTRS_DONE,
    _NAME_RUN,
    _PARTIAL,
    _S_AFTER,
    _S_BEFORE,
    _S_DQ,
    _S_NAME,
    _S_SQ,
    _S_TAGNAME,
    _S_UNQ,
    _S_VALUE,
    _TAG_HEAD,
    _TAGNAME_RUN,
    _UNQUOTED_END,
    _WS,
    _WS_RUN,
    _Attr,
    _attrs,
    _run_end,
)

BEFORE_ATTR = _S_BEFORE
_NAME_COMPLETE = frozenset((_S_DQ, _S_SQ, _S_UNQ, _S_AFTER, _S_VALUE))


def tag_start(buf: bytes, pos: int, n: int) -> tuple[bool, str, int, int, int]:
    """An oversized start or end tag read up to ``n``: (closing, its name, the end of
    the name, the end of its complete attributes, the tokenizer state at ``n``)."""
    head = _TAG_HEAD.match(buf, pos)
    assert head is not None
    closing = bool(head.group(1))
    at = head.end()
    if at == n:
        return closing, "", at, at, _S_TAGNAME  # a name this long is no element that loads anything
    done = _run_end(_ATTRS_DONE, buf, at)
    return closing, head.group(2).lower().decode("latin-1"), at, done, partial_state(buf, done)


def read_attrs(prefix: bytes, start: int, done: int, sub: int) -> tuple[list[_Attr], dict[bytes, _Attr]]:
    """The attributes of a tag cut at the end of ``prefix``: the complete ones, and
    the one in progress once its name is complete."""
    attrs, first = _attrs(prefix, start, done)
    if sub in _NAME_COMPLETE:
        attrs.append(partial_attr(prefix, done))
        first.setdefault(attrs[-1][0], attrs[-1])
    return attrs, first


def partial_state(buf: bytes, pos: int) -> int:
    """Where the tokenizer stands at the end of ``buf``, from the start of the
    attribute in progress at ``pos``."""
    m = _PARTIAL.match(buf, pos)
    assert m is not None
    if m.group(4):
        return _S_DQ
    if m.group(5):
        return _S_SQ
    if m.group(6):
        return _S_UNQ
    if m.group(3):
        return _S_VALUE
    if m.group(1):
        return _S_AFTER if m.group(2) else _S_NAME
    return _S_BEFORE


def partial_attr(prefix: bytes, pos: int) -> _Attr:
    """The attribute in progress at ``pos``, cut at the end of ``prefix``."""
    m = _PARTIAL.match(prefix, pos)
    assert m is not None
    start = m.start(1) if m.group(1) else pos
    name_end = m.end(1) if m.group(1) else pos
    value_start = m.end(4) if m.group(4) else m.end(5) if m.group(5) else m.start(6) if m.group(6) else -1
    value = prefix[value_start:] if value_start >= 0 else None
    return (prefix[start:name_end].lower(), start, name_end, value, len(prefix))


def scan_tag(buf: bytes, pos: int, n: int, sub: int) -> tuple[int, int]:
    """Follow an oversized tag to its '>' (HTML tokenizer states): (the end after
    the '>' or -1 if it goes on, the state to resume in)."""
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
                return pos + 1, _S_BEFORE
            return -1, partial_state(buf, pos)
    return -1, sub
