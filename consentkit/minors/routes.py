"""The parental flow's routes, for the routing table: the child's request, and the
parent's links, ``{prefix}/parental/{token}``, whose token says which page it opens
(the consent page or the management page). A token that is malformed, tampered
with, expired, used or revoked is a 404 and changes nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.responses import Response

from ..call import Call, Handler
from ..ledger.base import LedgerError
from . import manage, parent, records, renew
from .render import failure, not_found
from .request import post_request
from .tokens import Link

LinkHandler = Callable[[Call, str, Link], Awaitable[Response]]


def _link_route(on_request: LinkHandler, on_manage: LinkHandler,
                on_expired: LinkHandler) -> Callable[[Call], Awaitable[Response]]:
    """A handler for ``parental/{token}``: a bad, expired or used token is a 404;
    a request link goes to the parent's page, a management link to its own."""

    async def handle(call: Call) -> Response:
        token = call.tail
        link = call.kit.parental.tokens.read(token, max_age=records.max_ages(call.kit))
        if link is None:
            # A management link past its time: the page to ask for a new one (R45).
            old = call.kit.parental.tokens.read(token, max_age={"request": 0, "manage": _ANY_AGE})
            if old is not None and old.kind == "manage":
                return await on_expired(call, token, old)
            return not_found(call)
        return await (on_request if link.kind == "request" else on_manage)(call, token, link)

    return handle


_ANY_AGE = 100 * 365 * 86400
get_link = _link_route(parent.show, manage.show, renew.show)
post_link = _link_route(parent.decide, manage.act, renew.renew)


def _store_guarded(handler: Callable[[Call], Awaitable[Response]]) -> Handler:
    """The flow reads the ledger to answer: while the store is down, a 503 that
    changes nothing, not a 500."""

    async def guarded(call: Call) -> Response:
        try:
            return await handler(call)
        except LedgerError:
            return failure(call, 503, "the consent records cannot be reached right now; please try again later")

    return guarded


ROUTES: dict[tuple[str, str], Handler] = {
    ("POST", "parental/request"): _store_guarded(post_request),
    ("GET", "parental/*"): _store_guarded(get_link),
    ("POST", "parental/*"): _store_guarded(post_link),
}


__all__ = ["ROUTES"]
