"""The same middleware, unchanged, in a FastAPI app."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI, Request

from consentkit import ConsentMiddleware

pytestmark = pytest.mark.anyio


async def test_fastapi_app_gets_state_and_endpoints(make_kit):
    kit = make_kit()
    app = FastAPI()
    app.add_middleware(ConsentMiddleware, kit=kit)

    @app.get("/api/me")
    async def me(request: Request) -> dict[str, bool]:
        return {"analytics": request.state.consent.allows("analytics")}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        assert (await c.get("/api/me")).json() == {"analytics": True}
        r = await c.post("/consentkit/consent", json={"choices": {"analytics": False}},
                         headers={"Origin": "http://testserver"})
        assert r.status_code == 200
        assert (await c.get("/api/me")).json() == {"analytics": False}
        assert (await c.get("/.well-known/gpc.json")).json()["gpc"] is True
