"""Notifiers: the in-memory outbox, and the SMTP notifier against a real local
SMTP server (aiosmtpd), plain and with STARTTLS and a login."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from consentkit.minors import MemoryNotifier, Notifier, NotifierError, ParentMessage, SmtpNotifier

from .smtp import PASSWORD, USER, SmtpServer, free_port

pytestmark = pytest.mark.anyio
AT = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)
SITE = "https://www.example.test"
SENDER = "Example Health <privacy@example.test>"


def message(to: str = "parent@example.com", body: str = "Open http://testserver/consentkit/parental/abc\n") -> ParentMessage:
    return ParentMessage(to=to, subject="Your consent is asked", body=body, sent_at=AT, link="http://x/l")


def ours_mention(caplog: pytest.LogCaptureFixture, text: str) -> bool:
    """Whether consentkit's own log lines mention ``text`` (the test server logs its own)."""
    return any(text in r.getMessage() for r in caplog.records if r.name.startswith("consentkit"))


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def smtp_tls(tmp_path: Path) -> Iterator[SmtpServer]:
    server = SmtpServer(tls_dir=tmp_path)
    yield server
    server.stop()


async def test_memory_notifier_keeps_the_newest_messages():
    outbox = MemoryNotifier(keep=2)
    assert isinstance(outbox, Notifier)
    for n in range(3):
        await outbox.send(message(to=f"p{n}@example.com"))
    assert isinstance(outbox.messages, list)
    assert [m.to for m in outbox.messages] == ["p1@example.com", "p2@example.com"]
    assert outbox.messages[-1].subject and outbox.messages[-1].body and outbox.messages[-1].sent_at == AT


async def test_smtp_notifier_delivers_a_plain_text_message(smtp):
    notifier = SmtpNotifier("127.0.0.1", smtp.port, SENDER, site_url=SITE)
    assert isinstance(notifier, Notifier)
    await notifier.send(message())
    received = smtp.inbox.messages[-1]
    assert received["To"] == "parent@example.com"
    assert received["From"] == SENDER
    assert received["Subject"] == "Your consent is asked"
    assert received["Message-ID"].endswith("@example.test>")
    assert received.get_content_type() == "text/plain"
    assert smtp.inbox.link() == "http://testserver/consentkit/parental/abc"
    assert smtp.inbox.envelopes[-1] == ("privacy@example.test", ["parent@example.com"])


async def test_smtp_notifier_speaks_starttls_and_logs_in(smtp_tls):
    notifier = SmtpNotifier("127.0.0.1", smtp_tls.port, SENDER, site_url=SITE, starttls=True, username=USER, password=PASSWORD,
                            ssl_context=smtp_tls.client_context)
    await notifier.send(message())
    assert smtp_tls.inbox.messages[-1]["To"] == "parent@example.com"


async def test_smtp_notifier_without_tls_is_refused_by_a_server_that_needs_it(smtp_tls, caplog):
    notifier = SmtpNotifier("127.0.0.1", smtp_tls.port, SENDER, site_url=SITE)
    with caplog.at_level(logging.DEBUG, logger="consentkit"), pytest.raises(NotifierError) as failed:
        await notifier.send(message(to="secret-parent@example.com"))
    assert "secret-parent" not in str(failed.value) and not ours_mention(caplog, "secret-parent")
    assert smtp_tls.inbox.messages == []


async def test_a_wrong_login_is_a_notifier_error(smtp_tls):
    notifier = SmtpNotifier("127.0.0.1", smtp_tls.port, SENDER, site_url=SITE, starttls=True, username=USER, password="wrong",
                            ssl_context=smtp_tls.client_context)
    with pytest.raises(NotifierError, match="login"):
        await notifier.send(message())


async def test_a_refused_recipient_is_reported_without_the_address(smtp, caplog):
    notifier = SmtpNotifier("127.0.0.1", smtp.port, SENDER, site_url=SITE)
    with caplog.at_level(logging.DEBUG, logger="consentkit"), pytest.raises(NotifierError) as failed:
        await notifier.send(message(to="someone@refused.test"))
    assert "refused the recipient" in str(failed.value)
    assert "someone" not in str(failed.value) and not ours_mention(caplog, "someone")
    assert failed.value.__cause__ is None and failed.value.__suppress_context__


async def test_an_unreachable_server_is_a_notifier_error(caplog):
    notifier = SmtpNotifier("127.0.0.1", free_port(), SENDER, site_url=SITE, timeout=2)
    with caplog.at_level(logging.DEBUG, logger="consentkit"), pytest.raises(NotifierError, match="could not be reached"):
        await notifier.send(message(to="hidden@example.com"))
    assert ours_mention(caplog, "failed") and not ours_mention(caplog, "hidden")


@pytest.mark.parametrize(
    ("args", "options", "problem"),
    [
        (("", 25, SENDER), {"site_url": SITE}, "host name"),
        (("smtp.example.test", 25, ""), {"site_url": SITE}, "sender"),
        (("smtp.example.test", 25, "Site <a@b.test>\r\nBcc: x@y.test"), {"site_url": SITE}, "sender"),
        (("smtp.example.test", 587, SENDER), {"site_url": SITE, "starttls": True, "tls": True}, "not both"),
        (("smtp.example.test", 25, SENDER), {"site_url": SITE, "username": "u", "password": "p"}, "in clear"),
        (("smtp.example.test", 25, SENDER), {}, "site_url"),
        (("smtp.example.test", 25, SENDER), {"site_url": "https://example.test/path"}, "site_url"),
    ],
)
def test_bad_configuration_fails_early_and_says_how_to_fix_it(args, options, problem):
    with pytest.raises(ValueError, match=problem):
        SmtpNotifier(*args, **options)


def test_a_kit_without_a_notifier_uses_the_outbox_and_warns(make_kit, caplog):
    with caplog.at_level(logging.WARNING, logger="consentkit"):
        kit = make_kit()
    assert isinstance(kit.notifier, MemoryNotifier)
    assert "in-memory development outbox" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="consentkit"):
        configured = make_kit(notifier=SmtpNotifier("smtp.example.test", 25, SENDER, site_url=SITE))
    assert isinstance(configured.notifier, SmtpNotifier) and "outbox" not in caplog.text
