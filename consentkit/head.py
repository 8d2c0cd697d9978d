"""The markup consentkit writes at the top of a page's ``<head>``: the visitor's
state as JSON (so that the banner needs no request), and the widget's config,
stylesheet and script. Pure: values in, markup out; no request, no kit."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cached_property
from html import escape
from typing import Any

from .assets import asset
from .gating.hosts import _quoted
from .i18n import negotiate, texts
from .policy import Policy
from .state import ConsentState
from .useragent import is_supported
from .widget_config import widget_config

__all__ = ["WidgetHead", "state_block", "state_script"]


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
    """The widget's tags for one kit (``kit.head``): the config block, the stylesheet
    and the script. What every page shares is built once, on first use."""

    def __init__(self, policy: Policy, prefix: str) -> None:
        self.policy = policy
        self.prefix = prefix

    @cached_property
    def _shared(self) -> tuple[str, str, str]:
        config = state_script(widget_config(self.policy, self.prefix), element_id="consentkit-config").decode()
        js, css = asset("widget.js"), asset("widget.css")
        js_url = f"{self.prefix}/widget.js?v={js.version if js else '0'}"
        css_url = f"{self.prefix}/widget.css?v={css.version if css else '0'}"
        return config, escape(js_url), escape(css_url)

    def tags(
        self, *, nonce: str | None = None, user_agent: str | None = None, accept_language: str | None = None
    ) -> str:
        """The config block, the stylesheet and the script of the widget. The script
        is synchronous and first in <head>, so that Consent Mode defaults and
        ``__uspapi`` exist before any other script runs."""
        config, js_url, css_url = self._shared
        nonce_attr = f' nonce="{escape(nonce)}"' if nonce else ""
        if user_agent is not None and not is_supported(user_agent):
            # A browser the widget does not support (Internet Explorer...) gets no script that
            # might half-run, but a notice and the preferences page that needs none.
            words = texts(negotiate(accept_language, self.policy.texts), self.policy.texts)
            return (
                f'<link rel="stylesheet" href="{css_url}"{nonce_attr}>'
                f'<p class="ck-notice" data-consentkit-notice="unsupported">{escape(words["notice.unsupported"])} '
                f'<a href="{escape(self.prefix)}/preferences">{escape(words["prefs.title"])}</a></p>'
            )
        return (
            config
            + f'<link rel="stylesheet" href="{css_url}"{nonce_attr}>'
            + f'<script src="{js_url}"{nonce_attr}></script>'
        )
