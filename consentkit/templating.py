"""Jinja2 helpers: ``consent``, ``consent_head()`` and ``consent_tag()``, for the
request being handled.

The middleware sets ``current_request`` for the app's handlers; it holds anything
with the visit's ``state``, ``headers`` and ``scope`` (``visit.Visit``), so that
this module, which the kit installs, needs nothing above it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Protocol

from markupsafe import Markup

from .csp_nonce import placeholder
from .head import WidgetHead
from .mount import root_url
from .policy import Policy
from .state import ConsentState
from .tags import gated_tag

if TYPE_CHECKING:
    from jinja2 import Environment


class PageRequest(Protocol):
    """What the template helpers read of the request being handled."""

    @property
    def state(self) -> ConsentState: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def scope(self) -> MutableMapping[str, Any]: ...


# The request being handled, for template helpers.
current_request: ContextVar[PageRequest | None] = ContextVar("consentkit_request", default=None)


def _nonce(request: PageRequest | None) -> str | None:
    """The request's CSP nonce; until the app has set one, a placeholder the
    middleware fills with the response's (``csp_nonce``)."""
    if request is None:
        return None
    nonce = request.scope.get("state", {}).get("csp_nonce")
    return nonce if isinstance(nonce, str) and nonce else placeholder(request.scope)


class ConsentProxy:
    """The current request's ``ConsentState`` in templates: ``{{ consent.allows('analytics') }}``.

    Outside a request (no middleware) it allows nothing: fail closed."""

    def _state(self) -> ConsentState | None:
        request = current_request.get()
        return request.state if request is not None else None

    def allows(self, category: str) -> bool:
        state = self._state()
        return state.allows(category) if state is not None else False

    def __getattr__(self, name: str) -> Any:
        state = self._state()
        if state is None:
            return None
        return getattr(state, name)


def install(env: Environment, *, policy: Policy, head_at: Callable[[str, str | None], WidgetHead]) -> None:
    """Add ``consent`` (the request's state), ``consent_head()`` and ``consent_tag()``
    (``ConsentKit.install`` passes its policy and its widget tags for a mount point)."""

    def consent_head() -> Markup:
        request = current_request.get()
        user_agent = language = None
        root, region = "", None
        if request is not None:
            region = request.state.region
            root = root_url(request.scope)
            request.scope["consentkit.head_rendered"] = True
            user_agent = request.headers.get("user-agent")
            language = request.headers.get("accept-language")
        return Markup(head_at(root, region).tags(nonce=_nonce(request), user_agent=user_agent, accept_language=language))

    def consent_tag(category: str, tag: str = "script", **attrs: Any) -> Markup:
        request = current_request.get()
        granted = request is not None and request.state.allows(category)
        return Markup(gated_tag(policy, category, tag, granted=granted, nonce=_nonce(request), **attrs))

    env.globals["consent"] = ConsentProxy()
    env.globals["consent_head"] = consent_head
    env.globals["consent_tag"] = consent_tag
