"""What the request tests share: reading the code from the development outbox, and a
service provider's webhook endpoint (a real HTTP server on loopback)."""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from consentkit import ConsentKit

CODE = re.compile(r"^[ \t]+(\d{8})\r?$", re.MULTILINE)


def code_in(body: str) -> str:
    found = CODE.search(body)
    assert found, body
    return found.group(1)


def last_code(kit: ConsentKit) -> str:
    """The code in the newest message of the development outbox."""
    return code_in(kit.notifier.messages[-1].body)  # type: ignore[attr-defined]


def messages_to(kit: ConsentKit, address: str) -> list[Any]:
    return [m for m in kit.notifier.messages if m.to == address]  # type: ignore[attr-defined]


class Provider:
    """A service provider's webhook endpoint: records each post; answers the
    statuses in ``answers`` first (then 204)."""

    def __init__(self) -> None:
        self.posts: list[tuple[dict[str, str], bytes]] = []
        self.answers: list[int] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                provider.posts.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = provider.answers.pop(0) if provider.answers else 204
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/privacy"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
