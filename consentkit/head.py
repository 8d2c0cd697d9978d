"""The markup consentkit writes at the top of a page's ``<head>``: the visitor's
state as JSON (so that the banner needs no request), and the widget's stylesheet and
scripts. Pure: values in, markup out; no request, no kit."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Mapping
from html import escape
from typing import Any

from .assets import WidgetAssets
from .gating.hosts import _quoted
from .i18n import negotiate, texts
from .policy import Policy
from .state import ConsentState
from .useragent import MAX_LENGTH, is_supported

__all__ = ["WidgetHead", "state_block", "state_script"]

# How many Accept-Language headers a WidgetHead keeps the language of, and the longest
# it keeps (a longer one is negotiated each time: negotiate() reads 20 entries at most).
_LANGUAGES_KEPT = 1024
_LONGEST = 256
# How many (User-Agent, Accept-Language) pairs a WidgetHead keeps the key() of; once
# full, key() works each new pair out (the memos above keep its parts).
_KEYS_KEPT = 1024


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


def state_block(state: ConsentState) -> bytes:
    """The page's state block: ``<script type="application/json" id="consentkit-state">``."""
    return state_script(state.to_json())


class WidgetHead:
    """The widget's tags for one kit (``kit.head``): the stylesheet and its two scripts,
    and the assets they load (``assets``: what the policy tells the widget travels in
    them, cacheable, never in the page)."""

    def __init__(self, policy: Policy, prefix: str) -> None:
        self.policy = policy
        self.prefix = prefix
        self.assets = WidgetAssets(policy, prefix)
        # The language negotiated per Accept-Language header: the client's, so a bounded few.
        self._languages: OrderedDict[str | None, str] = OrderedDict()
        # The tags per (language, supported browser), made once: a few per policy.
        self._made: dict[tuple[str, bool], tuple[str, ...]] = {}
        self._plain: dict[tuple[str, bool], bytes] = {}
        # key() per (User-Agent, Accept-Language).
        self._keys: dict[tuple[str | None, str | None], tuple[str, bool]] = {}

    def language(self, accept_language: str | None) -> str:
        """The policy's language for this ``Accept-Language`` header (``i18n.negotiate``)."""
        lang = self._languages.get(accept_language)
        if lang is None:
            lang = negotiate(accept_language, self.policy.texts, self.policy.language)
            if accept_language is None or len(accept_language) <= _LONGEST:
                self._languages[accept_language] = lang
                if len(self._languages) > _LANGUAGES_KEPT:
                    self._languages.popitem(last=False)
        return lang

    def tags(
        self, *, nonce: str | None = None, user_agent: str | None = None, accept_language: str | None = None
    ) -> str:
        """The stylesheet and the widget's two scripts: ``boot.js`` is synchronous and
        first in <head>, so that the guard, the Consent Mode defaults and ``__uspapi``
        exist before any other script runs; ``widget.js`` (the banner and the rest) is
        deferred, in the visitor's language."""
        return self._joined(self.key(user_agent, accept_language), nonce)

    def tag_bytes(self, key: tuple[str, bool], *, nonce: str | None = None) -> bytes:
        """``tags()`` encoded, as a page's body takes them, for ``key`` (``self.key()``);
        kept when there is no nonce."""
        if nonce:
            return self._joined(key, nonce).encode()
        made = self._plain.get(key)
        if made is None:
            made = self._plain[key] = self._joined(key, None).encode()
        return made

    def _joined(self, key: tuple[str, bool], nonce: str | None) -> str:
        """The tags for ``key``, each script with the nonce attribute if there is one."""
        return (f' nonce="{escape(nonce)}"' if nonce else "").join(self._parts(key))

    def key(self, user_agent: str | None, accept_language: str | None) -> tuple[str, bool]:
        """What the tags depend on: the language, and whether the widget supports the browser;
        kept per pair of headers (one lookup on a page view instead of two calls)."""
        pair = (user_agent, accept_language)
        key = self._keys.get(pair)
        if key is None:
            key = self.language(accept_language), user_agent is None or is_supported(user_agent)
            # The headers are the client's: a bounded few, none longer than the memos below keep.
            if len(self._keys) < _KEYS_KEPT and (user_agent is None or len(user_agent) <= MAX_LENGTH) and (
                    accept_language is None or len(accept_language) <= _LONGEST):
                self._keys[pair] = key
        return key

    def _parts(self, key: tuple[str, bool]) -> tuple[str, ...]:
        """The tags, cut where the nonce attribute goes."""
        parts = self._made.get(key)
        if parts is None:
            parts = self._made[key] = self._make(*key)
        return parts

    def _make(self, lang: str, supported: bool) -> tuple[str, ...]:
        css_url = escape(self.assets.url("widget.css"))
        if not supported:
            # A browser the widget does not support (Internet Explorer...) gets no script that
            # might half-run, but a notice and the preferences page that needs none.
            words = texts(lang, self.policy.texts)
            return (
                f'<link rel="stylesheet" href="{css_url}"',
                (f'><p class="ck-notice" data-consentkit-notice="unsupported">{escape(words["notice.unsupported"])} '
                 f'<a href="{escape(self.prefix)}/preferences">{escape(words["prefs.title"])}</a></p>'),
            )
        return (
            f'<link rel="stylesheet" href="{css_url}"',
            f'><script src="{escape(self.assets.url("boot.js"))}"',
            f'></script><script src="{escape(self.assets.url("widget.js", lang))}" defer',
            "></script>",
        )
