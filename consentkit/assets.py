"""The widget's assets: the built files, and the per-policy parts served beside them.

The files are built from ``widget/src/`` by esbuild (``node widget/build.mjs``) into
``consentkit/widget/`` and committed there, so the package ships them and its users
never need Node; the test suite fails when they differ from a fresh build.

Pages carry only the visitor's state and four tags. What is the same for every visitor
of a policy travels in the scripts themselves, so the browser caches it:
``boot.js`` (synchronous) starts with the policy's guard rules and signals
(``widget_config.boot_config``), ``widget.js`` (deferred) with the categories and texts
in one language (``widget_config.widget_config``). Each URL carries a version, the hash
of what it serves: a versioned URL is ``immutable``, and a policy change is a new URL.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .policy import Policy
from .widget_config import boot_config, widget_config

_JS = "text/javascript; charset=utf-8"
_JSON = "application/json"
_MEDIA_TYPES = {"boot.js": _JS, "widget.js": _JS, "widget.css": "text/css; charset=utf-8"}
WIDGET_DIR = Path(__file__).resolve().parent / "widget"
# The globals the preludes set; each part reads its own and deletes it.
BOOT_GLOBAL = "__consentkitPolicy"
WIDGET_GLOBAL = "__consentkitConfig"


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

    @classmethod
    def of(cls, body: bytes, media_type: str) -> Asset:
        return cls(body, media_type, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')

    @property
    def version(self) -> str:
        return self.etag.strip('"')[:12]


@cache
def asset(name: str) -> Asset | None:
    """The built file ``boot.js``, ``widget.js`` or ``widget.css`` as shipped; None for
    any other name."""
    media_type = _MEDIA_TYPES.get(name)
    if media_type is None:
        return None
    return Asset.of((widget_dir() / name).read_bytes(), media_type)


def _json(data: Any) -> bytes:
    # ASCII only, and no '<': safe inside a script whatever the texts hold.
    return json.dumps(data, ensure_ascii=True, separators=(",", ":")).replace("<", "\\u003c").encode()


def _prelude(name: str, data: Any) -> bytes:
    return f"self.{name}=".encode() + _json(data) + b";\n"


class WidgetAssets:
    """One kit's widget assets (built once per kit, per language on first use)."""

    def __init__(self, policy: Policy, prefix: str) -> None:
        self.policy = policy
        self.prefix = prefix
        self.languages = policy.offered_languages
        self._by_key: dict[tuple[str, str], Asset] = {}

    def language(self, requested: str | None) -> str:
        """``requested`` if the policy offers it, else the policy's language."""
        lang = (requested or "").lower()
        return lang if lang in self.languages else self.policy.language

    def get(self, name: str, lang: str | None = None) -> Asset | None:
        """The asset served at ``{prefix}/{name}`` (in ``lang`` where that matters)."""
        lang = self.language(lang) if name in ("widget.js", "config.json") else ""
        key = (name, lang)
        found = self._by_key.get(key)
        if found is None:
            found = self._build(name, lang)
            if found is not None:
                self._by_key[key] = found
        return found

    def _build(self, name: str, lang: str) -> Asset | None:
        built = asset(name) if name != "config.json" else None
        if name == "boot.js" and built is not None:
            return Asset.of(_prelude(BOOT_GLOBAL, boot_config(self.policy, self.prefix)) + built.body, built.media_type)
        if name == "widget.js" and built is not None:
            config = widget_config(self.policy, lang)
            return Asset.of(_prelude(WIDGET_GLOBAL, config) + built.body, built.media_type)
        if name == "config.json":
            return Asset.of(_json(widget_config(self.policy, lang)), _JSON)
        return built

    def url(self, name: str, lang: str | None = None) -> str:
        """The versioned URL of an asset (not HTML-escaped)."""
        found = self.get(name, lang)
        version = found.version if found else "0"
        suffix = f"&lang={self.language(lang)}" if name in ("widget.js", "config.json") else ""
        if self.policy.region is not None and name != "widget.css":
            suffix += f"&region={self.policy.region}"
        return f"{self.prefix}/{name}?v={version}{suffix}"
