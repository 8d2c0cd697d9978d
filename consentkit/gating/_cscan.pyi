"""Types of the gate's scanner in C (consentkit/gating/_cscan.c)."""

HTML: int
STRICT: int
TEMPLATE: int
FOREIGN: int
TEMPLATE_FOREIGN: int

def skip(buf: bytes, pos: int, mode: int, /) -> int: ...
def skip_known(
    buf: bytes,
    pos: int,
    mode: int,
    tags: dict[bytes, tuple[bool, str, bool, bytes | None, int]],
    nonce: bytes,
    out: list[bytes],
    emit: int,
    /,
) -> tuple[int, int]: ...
def tag_end(buf: bytes, pos: int, /) -> int: ...
def attrs(tag: bytes, start: int, stop: int, /) -> list[tuple[bytes, int, int, bytes | None, int]]: ...
def raw_end(buf: bytes, pos: int, name: bytes, /) -> int: ...
