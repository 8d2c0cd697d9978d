"""A real SMTP server for the tests: aiosmtpd in its own thread, keeping what it
receives. It refuses recipients at ``refused.test``, can require STARTTLS and a
login, and serves a self-signed certificate made with openssl for the purpose."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import ssl
import subprocess
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "site", "smtp-password-123"
_LINK = re.compile(r"https?://\S+/consentkit/parental/\S+")


@dataclass
class Inbox:
    """The aiosmtpd handler: every accepted message, parsed."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.endswith("@refused.test"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted"

    def body(self, index: int = -1) -> str:
        part = self.messages[index].get_body(("plain",))
        assert part is not None
        return str(part.get_content())

    def link(self, index: int = -1) -> str:
        found = _LINK.search(self.body(index))
        assert found, "the message carries no parental link"
        return found.group(0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def self_signed(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data.login == USER.encode() and data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


class SmtpServer:
    """aiosmtpd on a free loopback port; ``inbox`` holds what it received."""

    def __init__(self, *, tls_dir: Path | None = None) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        options: dict[str, Any] = {}
        self.client_context: ssl.SSLContext | None = None
        if tls_dir is not None:
            cert, key = self_signed(tls_dir)
            server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            server_context.load_cert_chain(cert, key)
            self.client_context = ssl.create_default_context(cafile=str(cert))
            options = {"tls_context": server_context, "require_starttls": True, "authenticator": _authenticate,
                       "auth_require_tls": True}
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **options)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
