"""The widget's files, read once: bytes, ETag and the version tag for their URLs."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_MEDIA_TYPES = {"widget.js": "text/javascript; charset=utf-8", "widget.css": "text/css; charset=utf-8"}


def widget_dir() -> Path:
    """Where the widget lives: inside the installed package, or beside it in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "widget", here.parent / "widget"):
        if (candidate / "widget.js").is_file():
            return candidate
    raise FileNotFoundError("consentkit's widget files are missing: reinstall consentkit")


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
    """The widget file ``widget.js`` or ``widget.css``; None for any other name."""
    media_type = _MEDIA_TYPES.get(name)
    if media_type is None:
        return None
    body = (widget_dir() / name).read_bytes()
    return Asset(body, media_type, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
