"""The request endpoints in-process through httpx: the page and its form without
JavaScript, the JSON API (202 with the id and the deadlines), verification, the
single-use download, CSRF, rate limits and clear errors."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import httpx
import pytest

from consentkit import ConsentKit

from ..apps import client, make_app
from .flow import last_code, messages_to

pytestmark = pytest.mark.anyio

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def token_in(html: str) -> str:
    found = _TOKEN.search(html)
    assert found, "the page carries no CSRF token"
    return found.group(1)


async def test_json_intake_answers_202_with_id_and_deadlines(kit: ConsentKit) -> None:
    async with client(kit) as c:
        r = await c.post("/consentkit/requests", json={"type": "access", "contact": "ana@example.com"})
        assert r.status_code == 202, r.text
        body = r.json()
        assert set(body) >= {"id", "status", "acknowledge_by", "respond_by", "due", "verify"}
        assert body["status"] == "received" and body["declaration_required"] is True
        assert "ana@example.com" not in r.text
        status = await c.get(f"/consentkit/requests/{body['id']}")
        assert status.json()["status"] == "received" and "contact" not in status.json()
        wrong = await c.post(body["verify"], json={"code": "00000000", "declaration": True})
        assert wrong.status_code == 400 and wrong.json() == {"error": "the code is not right"}
        r = await c.post(body["verify"], json={"code": last_code(kit), "declaration": True})
        assert r.status_code == 200 and r.json()["status"] == "fulfilled"
        link = messages_to(kit, "ana@example.com")[-1].link
        assert link.startswith("http://testserver/consentkit/requests/download/")
        path = link[len("http://testserver"):]
        page = await c.get(path, headers=HTML)
        assert page.status_code == 200 and "Download" in page.text
        got = await c.post(path)
        assert got.status_code == 200 and got.headers["content-type"] == "application/zip"
        assert "data.json" in zipfile.ZipFile(io.BytesIO(got.content)).namelist()
        again = await c.post(path)
        assert again.status_code == 404 and "used already" in again.json()["error"]


async def test_the_page_works_without_javascript(kit: ConsentKit) -> None:
    async with client(kit) as c:
        page = await c.get("/consentkit/requests", headers=HTML)
        assert page.status_code == 200 and "<script" not in page.text
        assert "script-src" not in page.headers["content-security-policy"]
        form = {"csrf_token": token_in(page.text), "type": "delete", "requester": "consumer",
                "contact": "ana@example.com", "name": "", "agent_name": "", "child_name": "", "correction": ""}
        sent = await c.post("/consentkit/requests", data=form, headers=HTML)
        assert sent.status_code == 202 and 'data-status="received"' in sent.text
        request_id = re.search(r'<code id="request-id">([^<]+)</code>', sent.text).group(1)  # type: ignore[union-attr]
        verified = await c.post(f"/consentkit/requests/verify/{request_id}", headers=HTML,
                                data={"csrf_token": token_in(sent.text), "code": last_code(kit)})
        assert verified.status_code == 200 and 'data-status="fulfilled"' in verified.text


async def test_a_form_without_its_token_is_refused_and_keeps_nothing(kit: ConsentKit) -> None:
    async with client(kit) as c:
        r = await c.post("/consentkit/requests", headers=HTML,
                         data={"type": "delete", "contact": "ana@example.com", "csrf_token": "forged"})
        assert r.status_code == 403 and "expired" in r.text
        assert await kit.requests.list(status=None) == []


async def test_a_form_error_shows_the_form_again_with_what_was_typed(kit: ConsentKit) -> None:
    async with client(kit) as c:
        page = await c.get("/consentkit/requests", headers=HTML)
        r = await c.post("/consentkit/requests", headers=HTML, data={
            "csrf_token": token_in(page.text), "type": "delete", "requester": "agent", "contact": "ana@example.com",
            "agent_name": "Acme <Agents>"})
        assert r.status_code == 403 and 'id="request-error"' in r.text and "signed permission" in r.text
        assert 'value="Acme &lt;Agents&gt;"' in r.text  # kept, escaped


@pytest.mark.parametrize(("body", "headers", "status", "message"), [
    (b'{"type": "access"', {"content-type": "application/json"}, 400, "not valid JSON"),
    (b"[]", {"content-type": "application/json"}, 400, "JSON object"),
    (b'{"type": "opt_out", "contact": "a@b.co"}', {"content-type": "application/json"}, 400, "do-not-sell"),
    (b'{"type": "access"}', {"content-type": "application/json"}, 400, "contact is missing"),
    (b'{"type": "access", "contact": 5}', {"content-type": "application/json"}, 400, "must be a string"),
    (b'{"type": "access", "contact": "a@b.co", "x": 1}', {"content-type": "application/json"}, 400, "unknown key"),
    (b'{"type": "access", "contact": "a@b.co", "permission": "yes"}', {"content-type": "application/json"}, 400,
     "true or false"),
    (b'{"type": "access", "contact": "a@b.co", "requester": "boss"}', {"content-type": "application/json"}, 400,
     "requester must be"),
    (b"type=access", {"content-type": "text/plain"}, 415, "application/json"),
    (b"x" * 9000, {"content-type": "application/json"}, 413, "larger than"),
])
async def test_bad_input_gets_a_clear_error_and_changes_nothing(
        kit: ConsentKit, body: bytes, headers: dict[str, str], status: int, message: str) -> None:
    async with client(kit) as c:
        r = await c.post("/consentkit/requests", content=body, headers=headers)
        assert r.status_code == status and message in r.json()["error"], r.text
    assert await kit.requests.list(status=None) == []
    assert kit.notifier.messages == []  # type: ignore[attr-defined]


async def test_a_cross_site_post_is_refused(kit: ConsentKit) -> None:
    async with client(kit, Origin="https://evil.example") as c:
        r = await c.post("/consentkit/requests", json={"type": "access", "contact": "ana@example.com"})
        assert r.status_code == 403


async def test_unknown_ids_and_paths_are_404(kit: ConsentKit) -> None:
    async with client(kit) as c:
        assert (await c.get("/consentkit/requests/nope-nope-nope")).status_code == 404
        assert (await c.post("/consentkit/requests/verify/nope-nope-nope", json={"code": "1"})).status_code == 404
        assert (await c.post("/consentkit/requests/x/y/z", json={})).status_code == 405
        assert (await c.get("/consentkit/requests/verify/x")).status_code == 405
        assert (await c.post("/consentkit/requests/download/forged-token-forged", json={})).status_code == 404
        assert (await c.delete("/consentkit/requests")).status_code == 405


async def test_one_client_is_rate_limited(kit: ConsentKit) -> None:
    transport = httpx.ASGITransport(app=make_app(kit), client=("203.0.113.9", 4000))
    statuses: list[int] = []
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        for i in range(12):
            r = await c.post("/consentkit/requests", json={"type": "delete", "contact": f"p{i}@example.com"})
            statuses.append(r.status_code)
    assert statuses[:10] == [202] * 10 and statuses[10:] == [429, 429]
    assert len(await kit.requests.list(status=None)) == 10


async def test_codes_cannot_be_guessed_over_http(kit: ConsentKit) -> None:
    async with client(kit) as c:
        r = await c.post("/consentkit/requests", json={"type": "delete", "contact": "ana@example.com"})
        verify = r.json()["verify"]
        answers: list[Any] = []
        for guess in range(5):
            answers.append((await c.post(verify, json={"code": f"{guess:08d}"})).status_code)
        assert answers[:4] == [400] * 4 and answers[4] == 403
        # The right code no longer works for this code's round: a new one must be asked for.
        assert (await c.post(verify, json={"code": last_code(kit)})).status_code == 400
