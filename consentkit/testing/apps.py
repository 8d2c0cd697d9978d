"""Finding the ``ConsentKit`` inside an ASGI app, so that the plugin knows the
policy without being told: through Starlette's middleware list, mounts and hosts,
and wrapping middleware's ``.app``."""

from __future__ import annotations

from typing import Any

from ..kit import ConsentKit


def kit_of(app: Any, *, _depth: int = 0, _seen: set[int] | None = None) -> ConsentKit | None:
    """The first ``ConsentKit`` mounted in ``app``, or None."""
    seen = _seen if _seen is not None else set()
    if app is None or id(app) in seen or _depth > 12:
        return None
    seen.add(id(app))
    kit = getattr(app, "kit", None)
    if isinstance(kit, ConsentKit):
        return kit
    from_state = getattr(getattr(app, "state", None), "kit", None)
    if isinstance(from_state, ConsentKit):
        return from_state
    for middleware in getattr(app, "user_middleware", None) or ():
        candidate = getattr(middleware, "kwargs", {}).get("kit")
        if isinstance(candidate, ConsentKit):
            return candidate
    children = [getattr(app, "app", None), getattr(app, "router", None)]
    children += [getattr(route, "app", None) for route in getattr(app, "routes", None) or ()]
    for child in children:
        found = kit_of(child, _depth=_depth + 1, _seen=seen)
        if found is not None:
            return found
    return None
