"""Jinja2 helpers, and the widget tags the middleware injects into pages."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from .i18n import negotiate, texts
from .state import ConsentState
from .useragent import is_supported
from .visit import current_visit

if TYPE_CHECKING:
    from jinja2 import Environment

    from .kit import ConsentKit


def widget_tags(kit: ConsentKit, *, nonce: str | None = None, user_agent: str | None = None) -> str:
    """The stylesheet and the widget's two scripts: ``boot.js`` is synchronous and first
    in <head>, so that the guard, the Consent Mode defaults and ``__uspapi`` exist before
    any other script runs; ``widget.js`` (the banner and the rest) is deferred, in the
    visitor's language. What they know of the policy comes with them (``assets``)."""
    assets = kit.widget_assets
    visit = current_visit.get()
    lang = negotiate(visit.headers.get("accept-language") if visit else None, kit.policy.texts)
    nonce_attr = f' nonce="{escape(nonce)}"' if nonce else ""
    css_url = escape(assets.url("widget.css"))
    if user_agent is not None and not is_supported(user_agent):
        # A browser the widget does not support (Internet Explorer...) gets no script that
        # might half-run, but a notice and the preferences page that needs none.
        words = texts(lang, kit.policy.texts)
        return (
            f'<link rel="stylesheet" href="{css_url}"{nonce_attr}>'
            f'<p class="ck-notice" data-consentkit-notice="unsupported">{escape(words["notice.unsupported"])} '
            f'<a href="{escape(kit.prefix)}/preferences">{escape(words["prefs.title"])}</a></p>'
        )
    return (
        f'<link rel="stylesheet" href="{css_url}"{nonce_attr}>'
        f'<script src="{escape(assets.url("boot.js"))}"{nonce_attr}></script>'
        f'<script src="{escape(assets.url("widget.js", lang))}" defer{nonce_attr}></script>'
    )


def _nonce() -> str | None:
    visit = current_visit.get()
    nonce = visit.scope.get("state", {}).get("csp_nonce") if visit else None
    return nonce if isinstance(nonce, str) and nonce else None


class ConsentProxy:
    """The current request's ``ConsentState`` in templates: ``{{ consent.allows('analytics') }}``.

    Outside a request (no middleware) it allows nothing: fail closed."""

    def _state(self) -> ConsentState | None:
        visit = current_visit.get()
        return visit.state if visit is not None else None

    def allows(self, category: str) -> bool:
        state = self._state()
        return state.allows(category) if state is not None else False

    def __getattr__(self, name: str) -> Any:
        state = self._state()
        if state is None:
            return None
        return getattr(state, name)


def install(kit: ConsentKit, env: Environment) -> None:
    """Add ``consent`` (the request's state), ``consent_head()`` and ``consent_tag()``."""
    from .tags import gated_tag

    def consent_head() -> Markup:
        visit = current_visit.get()
        user_agent = None
        if visit is not None:
            visit.scope["consentkit.head_rendered"] = True
            user_agent = visit.headers.get("user-agent")
        return Markup(widget_tags(kit, nonce=_nonce(), user_agent=user_agent))

    def consent_tag(category: str, tag: str = "script", **attrs: Any) -> Markup:
        visit = current_visit.get()
        granted = visit is not None and visit.state.allows(category)
        return Markup(gated_tag(kit.policy, category, tag, granted=granted, nonce=_nonce(), **attrs))

    env.globals["consent"] = ConsentProxy()
    env.globals["consent_head"] = consent_head
    env.globals["consent_tag"] = consent_tag
