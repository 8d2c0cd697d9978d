"""The widget's built files, read once: bytes, ETag and the version tag for their URLs.

They are built from ``widget/src/`` by esbuild (``node widget/build.mjs``) into
``consentkit/widget/`` and committed there, so the package ships them and its users
never need Node; the test suite fails when they differ from a fresh build.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_JS = "text/javascript; charset=utf-8"
_MEDIA_TYPES = {"boot.js": _JS, "widget.js": _JS, "widget.css": "text/css; charset=utf-8"}
WIDGET_DIR = Path(__file__).resolve().parent / "widget"


def widget_dir() -> Path:
    """Where the built widget lives: inside the package."""
    if not (WIDGET_DIR / "widget.js").is_file():
        raise FileNotFoundError("consentkit's widget files are missing: reinstall consentkit")
    return WIDGET_DIR


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    media_type: str
    etag: str

    @property
    def version(self) -> str:
        return self.etag.strip('"')[:12]


@cache
def asset(name: str) -> Asset | None:
    """The widget file ``boot.js``, ``widget.js`` or ``widget.css``; None for any other name."""
    media_type = _MEDIA_TYPES.get(name)
    if media_type is None:
        return None
    body = (widget_dir() / name).read_bytes()
    return Asset(body, media_type, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
