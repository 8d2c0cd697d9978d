"""Hypothesis over bodies, cookies and headers: no 5xx, no exception escapes."""

from __future__ import annotations

import asyncio

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consentkit import ConsentKit

from .apps import make_app
from .kits import SECRET, Clock, make_policy

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
consent_bodies = st.fixed_dictionaries(
    {},
    optional={
        "choices": st.dictionaries(st.sampled_from(["analytics", "captcha", "advertising", "necessary", "x"]),
                                   st.booleans() | json_values, max_size=4),
        "age_band": st.sampled_from(["under_13", "13_15", "16_plus", "unknown", 3, None]) | json_values,
        "source": st.sampled_from(["banner", "preferences", "gpc", "link", "parent", "api", 7]) | json_values,
        "sale_opt_in": st.booleans() | json_values,
        "gpc": st.booleans() | json_values,
    },
) | json_values
header_text = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60)


def _kit() -> ConsentKit:
    return ConsentKit(make_policy(), secret_keys=[SECRET], store="memory://", clock=Clock())


async def _exchange(requests: list[tuple[str, str, dict[str, str], bytes]]) -> list[int]:
    transport = httpx.ASGITransport(app=make_app(_kit()), raise_app_exceptions=True)
    statuses = []
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        for method, path, headers, body in requests:
            r = await c.request(method, path, headers=headers, content=body)
            statuses.append(r.status_code)
    return statuses


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=consent_bodies, content_type=st.sampled_from(["application/json", "text/plain", ""]))
def test_random_consent_bodies_never_5xx(body, content_type):
    import json

    raw = json.dumps(body).encode()
    headers = {"Content-Type": content_type} if content_type else {}
    statuses = asyncio.run(_exchange([("POST", "/consentkit/consent", headers, raw),
                                      ("GET", "/consentkit/state", {}, b"")]))
    assert all(s < 500 for s in statuses), statuses
    assert statuses[0] in (200, 400, 409, 415)


@settings(max_examples=150, deadline=None)
@given(cookie=header_text, gpc=header_text, origin=header_text, ua=header_text,
       path=st.sampled_from(["/", "/whoami", "/consentkit/state", "/consentkit/receipts", "/consentkit/opt-out"]))
def test_random_cookies_and_headers_never_5xx(cookie, gpc, origin, ua, path):
    headers = {"Cookie": f"consentkit={cookie}; other=1", "Sec-GPC": gpc, "Origin": origin, "User-Agent": ua}
    method = "POST" if path.endswith("opt-out") else "GET"
    statuses = asyncio.run(_exchange([(method, path, headers, b"")]))
    assert statuses[0] < 500
