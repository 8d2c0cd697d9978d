"""Requests through real transports: the code and the answer by SMTP (aiosmtpd),
the webhook source to a real HTTP server on loopback (signed, retried), and no
e-mail address in any log line."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from collections.abc import Callable, Iterator

import pytest

from consentkit import ConsentKit, SmtpNotifier
from consentkit.requests import Answer, Intake, Subject, WebhookSource
from consentkit.requests.sources import signature

from ..minors.smtp import SmtpServer
from .flow import Provider, code_in, last_code

pytestmark = pytest.mark.anyio

SITE = "https://www.example.test"
SECRET = "webhook-secret-0123456789"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def provider() -> Iterator[Provider]:
    server = Provider()
    yield server
    server.stop()


async def test_the_code_and_the_answer_go_by_smtp(make_kit: Callable[..., ConsentKit], smtp: SmtpServer,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    kit = make_kit(notifier=SmtpNotifier("127.0.0.1", smtp.port, "Example <privacy@example.test>", site_url=SITE))
    await kit.startup()
    try:
        request = await kit.requests.submit(Intake("access", "Ana@Example.com"), visitor_id="v-1")
        assert smtp.inbox.envelopes[-1] == ("privacy@example.test", ["ana@example.com"])
        code = code_in(smtp.inbox.body())
        await kit.requests.verify(request.id, Answer(code=code, declaration=True))
        answer = smtp.inbox.body()
        link = re.search(r"https://www\.example\.test/consentkit/requests/download/\S+", answer)
        assert link, answer
        assert await kit.requests.download(link.group(0).rsplit("/", 1)[-1]) is not None
    finally:
        await kit.shutdown()
    assert caplog.records, "the flow logs nothing at all: the check below would prove nothing"
    assert not any("ana@example.com" in r.getMessage().lower() for r in caplog.records if r.name.startswith("consentkit"))


async def test_a_refused_address_keeps_nothing_and_logs_no_address(
        make_kit: Callable[..., ConsentKit], smtp: SmtpServer, caplog: pytest.LogCaptureFixture) -> None:
    kit = make_kit(notifier=SmtpNotifier("127.0.0.1", smtp.port, "Example <privacy@example.test>", site_url=SITE))
    await kit.startup()
    try:
        with pytest.raises(Exception, match="could not be sent") as caught:
            await kit.requests.submit(Intake("delete", "nobody@refused.test"))
        assert getattr(caught.value, "status", None) == 503
        assert await kit.requests.list(status=None) == []
    finally:
        await kit.shutdown()
    assert any(r.name.startswith("consentkit") for r in caplog.records)
    assert not any("refused.test" in r.getMessage() for r in caplog.records if r.name.startswith("consentkit"))


async def test_a_deletion_tells_the_service_provider_signed(kit: ConsentKit, provider: Provider) -> None:
    kit.requests.add_source(WebhookSource("mailer", provider.url, SECRET, backoff=0.01).source())
    request = await kit.requests.submit(Intake("delete", "ana@example.com"), visitor_id="v-1")
    code = last_code(kit)
    done = await kit.requests.verify(request.id, Answer(code=code))
    assert done.status == "fulfilled" and done.results["mailer"] == {"ok": True}
    [(headers, body)] = provider.posts
    event = json.loads(body)
    assert event == {"event": "delete", "request_id": request.id,
                     "subject": {"email": "ana@example.com", "visitor_id": "v-1"}}
    expected = "sha256=" + hmac.new(SECRET.encode(), headers["x-consentkit-timestamp"].encode() + b"." + body,
                                    hashlib.sha256).hexdigest()
    assert headers["x-consentkit-signature"] == expected == signature(SECRET.encode(),
                                                                      headers["x-consentkit-timestamp"], body)
    [step] = [r for r in await kit.requests.records(request.id) if r.extra["step"] == "source.delete"
              and r.extra["detail"]["source"] == "mailer"]
    assert step.extra["detail"]["service_provider"] is True


async def test_the_webhook_retries_then_records_the_failure(kit: ConsentKit, provider: Provider) -> None:
    kit.requests.add_source(WebhookSource("mailer", provider.url, SECRET, backoff=0.01).source())
    provider.answers = [500, 503]  # two failures, then it answers
    source = WebhookSource("mailer", provider.url, SECRET, backoff=0.01)
    result = await source.post("delete", Subject("r-1", "ana@example.com", None), {})
    assert result == {"status": 204, "attempts": 3} and len(provider.posts) == 3
    provider.answers = [500, 500, 500]
    request = await kit.requests.submit(Intake("delete", "bo@example.com"))
    code = last_code(kit)
    stuck = await kit.requests.verify(request.id, Answer(code=code))
    assert stuck.status == "in_progress" and stuck.results["mailer"] == {"ok": False, "error": "WebhookError"}
    # The provider is back: staff approve again, and only the failed source is run.
    done = await kit.requests.transition(request.id, "approve", actor="lee")
    assert done.status == "fulfilled" and len(provider.posts) == 3 + 3 + 1
