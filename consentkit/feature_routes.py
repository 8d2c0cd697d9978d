"""The endpoints each feature adds beside the core ones, gathered in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .endpoints import Handler
    from .kit import ConsentKit


def routes(kit: ConsentKit) -> dict[tuple[str, str], Handler]:
    from . import access, openapi, pages
    from .minors import endpoints as minors

    found: dict[tuple[str, str], Handler] = {}
    for module in (access, openapi, pages, minors):
        found.update(module.routes(kit))
    return found
