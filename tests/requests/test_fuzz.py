"""Hypothesis over every field of the request endpoints (JSON and form, valid and
hostile): never a 5xx, no exception escapes, every answer small, and a refused
request keeps nothing and sends nothing."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlencode

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consentkit import ConsentKit

from ..apps import make_app
from ..kits import SECRET, Clock, make_policy

FIELDS = ("type", "contact", "requester", "name", "agent_name", "child_name", "permission", "correction",
          "sensitive", "csrf_token", "code", "declaration")
hostile_text = st.text(max_size=40) | st.sampled_from([
    "", " ", "a@b.co", "ANA@EXAMPLE.COM", "a@b.co\r\nBcc: x@y.z", "<script>alert(1)</script>", "\x00", "\ud800",
    "x" * 600, "access", "delete", "know_categories", "agent", "parent", "opt_out", "../../etc", "%00", "1e999",
])
values = hostile_text | st.booleans() | st.integers() | st.none() | st.lists(st.integers(), max_size=3) | st.dictionaries(
    st.text(max_size=5), st.integers(), max_size=2)
bodies = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), values, max_size=8)
plausible = st.fixed_dictionaries(
    {"type": st.sampled_from(["access", "delete", "know_categories", "correct", "limit_sensitive", "x"]),
     "contact": st.sampled_from(["ana@example.com", "bad", "ana@example.com "])},
    optional={k: values for k in ("requester", "name", "agent_name", "child_name", "permission", "correction",
                                  "sensitive")},
)
paths = st.sampled_from(["/consentkit/requests", "/consentkit/requests/verify/{id}",
                         "/consentkit/requests/resend/{id}", "/consentkit/requests/{id}",
                         "/consentkit/requests/download/{id}", "/consentkit/requests/verify/../x"])


def _kit() -> ConsentKit:
    return ConsentKit(make_policy(), secret_keys=[SECRET], store="memory://", clock=Clock())


async def _exchange(kit: ConsentKit, calls: list[tuple[str, str, dict[str, str], bytes]]) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=make_app(kit), raise_app_exceptions=True)
    answers = []
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        made = await c.post("/consentkit/requests", json={"type": "delete", "contact": "zed@example.com"})
        request_id = made.json()["id"]
        for method, path, headers, body in calls:
            answers.append(await c.request(method, path.format(id=request_id), headers=headers, content=body))
    return answers


def _encode(body: dict[str, Any], as_form: bool) -> tuple[dict[str, str], bytes]:
    if as_form:
        pairs = [(str(k), v if isinstance(v, str) else json.dumps(v)) for k, v in body.items()]
        text = urlencode(pairs, encoding="utf-8", errors="surrogatepass")
        return {"Content-Type": "application/x-www-form-urlencoded"}, text.encode("ascii")
    return {"Content-Type": "application/json"}, json.dumps(body).encode()


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=bodies | plausible, as_form=st.booleans(), path=paths, method=st.sampled_from(["POST", "GET", "PUT"]),
       accept=st.sampled_from(["application/json", "text/html", ""]))
def test_every_field_fuzzed_never_5xx(body: dict[str, Any], as_form: bool, path: str, method: str,
                                      accept: str) -> None:
    kit = _kit()
    headers, raw = _encode(body, as_form)
    if accept:
        headers["Accept"] = accept
    [answer] = asyncio.run(_exchange(kit, [(method, path, headers, raw)]))
    assert answer.status_code < 500, answer.text
    # No answer grows beyond a small multiple of its request (the request page itself is a fixed size).
    assert len(answer.content) <= max(16 * 1024, 4 * len(raw)), len(answer.content)
    if answer.status_code >= 400:
        assert len(kit.notifier.messages) == 1  # type: ignore[attr-defined]  # only the set-up request's code


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=plausible, as_form=st.booleans())
def test_a_refused_intake_keeps_nothing(body: dict[str, Any], as_form: bool) -> None:
    kit = _kit()
    headers, raw = _encode(body, as_form)
    [answer] = asyncio.run(_exchange(kit, [("POST", "/consentkit/requests", headers, raw)]))
    assert answer.status_code in (202, 400, 403, 413, 415, 429), answer.text
    kept = asyncio.run(kit.requests.list(status=None))
    assert len(kept) == (2 if answer.status_code == 202 else 1)
