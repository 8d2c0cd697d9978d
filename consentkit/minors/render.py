"""How the parental flow answers: its server pages (autoescaped templates, no
script, a Referer only to this site, so that the link's token never leaves it; not
"no-referrer", which would make the form's Origin "null" and the post cross-site)
and its errors, as HTML for a browser's page and as JSON for a script."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import HTMLResponse, JSONResponse, Response

from ..assets import asset
from ..call import Call, error
from ..rendering import templates

PAGE_HEADERS: Mapping[str, str] = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; form-action 'self'; "
                               "base-uri 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "same-origin",
    "X-Robots-Tag": "noindex",
}
NOT_FOUND = "this link is not valid: it may have expired, been used already, or been revoked"


def accept(call: Call) -> str:
    """The request's Accept header (the visit keeps only the headers consent needs)."""
    for name, value in call.scope.get("headers", ()):
        if name == b"accept":
            return str(value.decode("latin-1")).lower()
    return ""


def wants_html(call: Call) -> bool:
    """A browser navigating (``text/html`` accepted), not a script asking for JSON."""
    return "text/html" in accept(call)


def page(call: Call, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    css = asset("widget.css")
    html = templates().get_template(template).render(
        lang="en",
        prefix=call.visit.prefix,
        css_version=css.version if css else "0",
        controller=call.kit.policy.controller.name or call.visit.host or "this site",
        **context,
    )
    return HTMLResponse(html, status_code=status, headers=dict(PAGE_HEADERS))


def failure(call: Call, status: int, message: str) -> Response:
    """An error page for a browser, else the contract's JSON error."""
    if wants_html(call):
        return page(call, "parental_error.html", status=status, message=message, status_code=status)
    return error(status, message)


def not_found(call: Call) -> Response:
    return failure(call, 404, NOT_FOUND)


def json_no_store(body: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


__all__ = ["NOT_FOUND", "PAGE_HEADERS", "accept", "failure", "not_found", "page", "wants_html"]
