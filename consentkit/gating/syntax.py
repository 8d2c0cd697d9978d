"""The HTML tokenizer's vocabulary (HTML Standard 13.2.5): which elements load what,
the exact patterns for one tag and its attributes, and the tokenizer states."""

from __future__ import annotations

import re

TAG_LIMIT = 64 * 1024

# URL attributes that load something, per element; ``data-<name>`` is their inert form.
_URL_ATTRS: dict[str, tuple[bytes, ...]] = {
    "script": (b"src", b"href", b"xlink:href"),  # href: SVG <script href>
    "img": (b"src", b"srcset"),
    "image": (b"src", b"srcset", b"href", b"xlink:href"),  # HTML parses <image> as <img>; SVG <image href>
    # SVG elements that fetch their href (a cross-origin <use> is requested, then refused).
    "use": (b"href", b"xlink:href"),
    "feimage": (b"href", b"xlink:href"),
    "source": (b"src", b"srcset"),
    "video": (b"src", b"poster"),
    "link": (b"href", b"imagesrcset"),
    "object": (b"data",),
    **{name: (b"src",) for name in ("iframe", "frame", "embed", "audio", "track", "input")},
}
_ANY_URL_ATTRS = (b"src", b"srcset")  # any other element marked data-consent
_RAWTEXT = ("script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes")
# Raw text whose body the gate reads: an inline script or style may name a host.
_BODIES = ("script", "style")
BODY_LIMIT = 1024 * 1024
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
_NOSCRIPT_END = re.compile(rb"</noscript", re.IGNORECASE)

# Tokenizer states.
_DATA, _RAW, _COMMENT, _BOGUS, _CDATA, _INTAG = range(6)
# Where an oversized tag stands.
_S_TAGNAME, _S_BEFORE, _S_NAME, _S_AFTER, _S_VALUE, _S_DQ, _S_SQ, _S_UNQ = range(8)
_BOM = b"\xef\xbb\xbf"
_WS = frozenset(b"\t\n\f\r ")
_QUOTES = (0x22, 0x27)


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


def _self_closing(tag: bytes, at: int) -> bool:
    """Whether a complete tag ends in "/>" that closes it; ``at`` is the end of its name."""
    if tag[-2] != 0x2F:
        return False
    # "<a href=/>" ends an unquoted value with '/', which closes nothing.
    last = None
    for last in _ATTR_AT.finditer(tag, at, len(tag) - 1):
        pass
    return last is None or last.end() < len(tag) - 1
