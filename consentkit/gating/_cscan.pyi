"""Types of the gate's scanner in C (consentkit/gating/_cscan.c)."""

from collections.abc import Callable

# Element names by what they mean to the scanner (gating/syntax.py says the same).
LOADING: frozenset[str]
RAW_TEXT: frozenset[str]
FOREIGN: frozenset[str]
TEMPLATE: frozenset[str]
BASE: frozenset[str]

# mode: an index into consentkit.gating.fastpath.MODES

def skip(buf: bytes, pos: int, mode: int, needles: tuple[bytes, ...] | None, /) -> int: ...
def skip_known(
    buf: bytes,
    pos: int,
    mode: int,
    tags: dict[bytes, tuple[bool, str, bool, bytes | None, int]],
    nonce: bytes,
    out: list[bytes],
    emit: int,
    needles: tuple[bytes, ...] | None,
    embeds: dict[bytes, tuple[tuple[bool, str, bool, bytes | None, int], tuple[str, int | None, int | None]]],
    placeholders: Callable[[str, int | None, int | None], bytes] | None,
    /,
) -> tuple[int, int]: ...
def skip_foreign(
    buf: bytes, pos: int, mode: int, needles: tuple[bytes, ...] | None, /
) -> tuple[int, tuple[str, ...]]: ...
def tag_end(buf: bytes, pos: int, /) -> int: ...
def attrs(tag: bytes, start: int, stop: int, /) -> list[tuple[bytes, int, int, bytes | None, int]]: ...
def raw_end(buf: bytes, pos: int, name: bytes, /) -> int: ...
