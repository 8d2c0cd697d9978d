"""Where the app is mounted: the ASGI ``root_path``.

Under ``Mount("/shop", app)`` or ``uvicorn --root-path /shop`` a request's ``path``
is the whole path (``/shop/consentkit/state``) and ``root_path`` the part before
the app (``/shop``). Routes are matched on what follows the root; URLs we write
into pages, redirects and the widget's config start with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

__all__ = ["root_url", "route_path"]

# What may stay as written in a URL's path (RFC 3986 pchar and "/"): the rest is %-escaped.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def _root(scope: Mapping[str, Any]) -> str:
    root = scope.get("root_path") or ""
    return root.rstrip("/") if isinstance(root, str) else ""


def route_path(scope: Mapping[str, Any]) -> str:
    """The request's path below the root (``/consentkit/state``), as Starlette's
    router reads it. A server that passes ``path`` without its root (older
    conventions) gives it unchanged."""
    path: str = scope["path"]
    if not scope.get("root_path"):  # most requests: nothing to take off
        return path
    root = _root(scope)
    if root and path.startswith(root) and (len(path) == len(root) or path[len(root)] == "/"):
        return path[len(root):] or "/"
    return path


def root_url(scope: Mapping[str, Any]) -> str:
    """The root as a URL path to write into a page or a redirect: ``""`` for none,
    else ``/shop``, %-escaped (a root made of a path parameter is the client's text)."""
    root = _root(scope)
    return quote(root, safe=_PATH_SAFE) if root else ""
