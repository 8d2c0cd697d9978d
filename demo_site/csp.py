"""A strict Content-Security-Policy with a fresh nonce per request.

The demo runs under it to show that consentkit needs no ``'unsafe-inline'``: the
widget's script gets the nonce through ``request.state.csp_nonce`` (where
``consent_head()`` and the middleware look for it), and gated inline scripts carry
it so that they may run once consent activates them.
"""

from __future__ import annotations

import secrets

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEMO_POLICY = (
    "default-src 'self'; "
    "script-src 'self' 'nonce-{nonce}' http://analytics.localhost:* https://www.googletagmanager.com "
    "https://www.google.com https://www.gstatic.com; "
    "img-src 'self' data: http://pixel.localhost:* https://www.google-analytics.com https://www.googletagmanager.com; "
    "frame-src https://www.google.com; "
    "style-src 'self'; "
    "connect-src 'self' http://analytics.localhost:* https://www.google-analytics.com "
    "https://region1.google-analytics.com; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class ContentSecurityPolicy:
    """Pure ASGI: puts a nonce in ``scope["state"]["csp_nonce"]`` and sends the
    policy (``{nonce}`` filled in) on every response that has none of its own."""

    def __init__(self, app: ASGIApp, *, policy: str = DEMO_POLICY) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(18)
        scope.setdefault("state", {})["csp_nonce"] = nonce
        header = self.policy.replace("{nonce}", nonce)

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "content-security-policy" not in headers:
                    headers["Content-Security-Policy"] = header
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
            await send(message)

        await self.app(scope, receive, send_with_policy)
