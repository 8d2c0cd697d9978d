"""The markup consentkit writes at the top of a page's ``<head>``: the visitor's
state as JSON, so that the banner needs no request. Pure: values in, bytes out."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .gating.hosts import _quoted

__all__ = ["state_script"]


# One encoder for every call: json.dumps() with options builds a new one each time.
_JSON = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"))


def state_script(state: Mapping[str, Any], *, element_id: str = "consentkit-state", nonce: str | None = None) -> bytes:
    """``<script type="application/json" id=...>`` holding ``state``.

    <, > and & are written as \\u escapes (and every non-ASCII character, U+2028 and
    U+2029 among them), so no value can close the element or open a comment.
    """
    data = _JSON.encode(state).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    nonce_attr = b" nonce=" + _quoted(nonce) if nonce else b""
    return b'<script type="application/json" id=' + _quoted(element_id) + nonce_attr + b">" + data.encode() + b"</script>"
