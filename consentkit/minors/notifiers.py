"""How a parent's messages leave the site: the ``Notifier`` interface, an SMTP
notifier for production and an in-memory outbox for development.

A message carries the parent's address only on its way out: consentkit never
stores, logs or signs it. Errors name the failure, never the address (smtplib's
exceptions can carry the recipients, so they are not passed on as they are).
"""

from __future__ import annotations

import asyncio
import logging
import re
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Literal, Protocol, runtime_checkable

logger = logging.getLogger("consentkit.minors")

# How long a parent's consent link works, unless the notifier says otherwise.
DEFAULT_LINK_DAYS = 7
MessageKind = Literal["request", "confirmation", "privacy_request"]


@dataclass(frozen=True, slots=True)
class ParentMessage:
    """One message to a parent: the consent request, or the confirmation that
    carries the management link. ``link`` is the link the body gives."""

    to: str
    subject: str
    body: str
    sent_at: datetime
    link: str = ""
    kind: MessageKind = "request"


class NotifierError(Exception):
    """A message could not be sent; the text says why, never to whom."""


@runtime_checkable
class Notifier(Protocol):
    """Delivers parents' messages. ``send`` returns once the message is handed
    over, and raises ``NotifierError`` when it cannot be.

    A notifier may also have ``link_days`` (how long the consent link works,
    default 7) and ``site_url`` (the origin put in links, such as
    ``https://www.example.com``; by default the request's own scheme and host).
    """

    async def send(self, message: ParentMessage) -> None: ...


class MemoryNotifier:
    """Keeps messages in ``messages`` instead of sending them: for development and
    tests. The newest ``keep`` messages are kept; nothing is written anywhere."""

    def __init__(self, *, keep: int = 200, link_days: int = DEFAULT_LINK_DAYS, site_url: str | None = None) -> None:
        self.messages: list[ParentMessage] = []
        self.keep = keep
        self.link_days = link_days
        self.site_url = site_url

    async def send(self, message: ParentMessage) -> None:
        self.messages.append(message)
        if len(self.messages) > self.keep:
            del self.messages[: len(self.messages) - self.keep]

    def __repr__(self) -> str:
        return f"MemoryNotifier({len(self.messages)} messages)"


_SITE_URL = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?/?$")


def check_site_url(notifier: object) -> None:
    """A notifier that delivers must say where links point (``site_url``): without it
    links would follow the request's ``Host`` header, which the requester controls.
    Only the development outbox (``MemoryNotifier``, which delivers nothing) may go
    without one. ValueError, at start-up, otherwise."""
    site_url = getattr(notifier, "site_url", None)
    if site_url is None and isinstance(notifier, MemoryNotifier):
        return
    if not isinstance(site_url, str) or not _SITE_URL.match(site_url):
        raise ValueError(f"the notifier {type(notifier).__name__} needs site_url='https://www.example.com' (no path): "
                         "links in parents' e-mails are built on it, never on a request's Host header")


class SmtpNotifier:
    """Sends messages through an SMTP server with the standard library, in a worker
    thread so the event loop never waits on the network.

    ``starttls=True`` upgrades a plain connection (port 587); ``tls=True`` speaks TLS
    from the start (port 465). ``username``/``password`` log in, over TLS only
    unless ``allow_plain_login=True`` (a local relay).
    """

    def __init__(
        self,
        host: str,
        port: int = 25,
        sender: str = "",
        *,
        starttls: bool = False,
        tls: bool = False,
        username: str | None = None,
        password: str | None = None,
        allow_plain_login: bool = False,
        timeout: float = 10.0,
        link_days: int = DEFAULT_LINK_DAYS,
        site_url: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if not host:
            raise ValueError("SmtpNotifier needs the SMTP server's host name")
        if not site_url or not _SITE_URL.match(site_url):
            raise ValueError("SmtpNotifier needs site_url='https://www.example.com' (no path): links in parents' "
                             "e-mails are built on it, never on a request's Host header, which a client can forge")
        if not sender or "@" not in sender or any(c in sender for c in "\r\n"):
            raise ValueError("SmtpNotifier needs sender='Site name <privacy@example.com>', the From address")
        if starttls and tls:
            raise ValueError("choose starttls=True (port 587) or tls=True (port 465), not both")
        if username and not (starttls or tls or allow_plain_login):
            raise ValueError("SMTP login without TLS would send the password in clear: set starttls=True or "
                             "tls=True (or allow_plain_login=True for a local relay)")
        self.host = host
        self.port = port
        self.sender = sender
        self.starttls = starttls
        self.tls = tls
        self.username = username
        self.password = password
        self.timeout = timeout
        self.link_days = link_days
        self.site_url = site_url
        self.ssl_context = ssl_context

    def __repr__(self) -> str:
        return f"SmtpNotifier({self.host!r}, {self.port})"

    def email(self, message: ParentMessage) -> EmailMessage:
        """The message as an e-mail."""
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.to
        mail["Subject"] = message.subject
        mail["Date"] = format_datetime(message.sent_at)
        mail["Message-ID"] = make_msgid(domain=self.sender.rsplit("@", 1)[-1].strip(" >"))
        mail.set_content(message.body)
        return mail

    async def send(self, message: ParentMessage) -> None:
        await asyncio.to_thread(self._send, self.email(message))

    def _send(self, mail: EmailMessage) -> None:
        context = self.ssl_context or ssl.create_default_context()
        try:
            smtp: smtplib.SMTP
            if self.tls:
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with smtp:
                if self.starttls:
                    smtp.starttls(context=context)
                if self.username:
                    smtp.login(self.username, self.password or "")
                refused = smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused:
            raise NotifierError("the SMTP server refused the recipient's address") from None
        except smtplib.SMTPAuthenticationError:
            raise NotifierError("the SMTP server refused the login") from None
        except (smtplib.SMTPException, OSError) as exc:
            # Only the kind of failure: the exception's text may quote the address.
            kind = type(exc).__name__
            logger.warning("sending a parent's message failed: %s", kind)
            raise NotifierError(f"the SMTP server could not be reached or refused the message ({kind})") from None
        if refused:
            raise NotifierError("the SMTP server refused the recipient's address")


__all__ = ["DEFAULT_LINK_DAYS", "MemoryNotifier", "Notifier", "NotifierError", "ParentMessage", "SmtpNotifier", "check_site_url"]
