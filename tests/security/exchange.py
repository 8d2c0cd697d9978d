"""One request straight through ASGI, with raw bytes where HTTP servers would never
let them through (CR, LF, NUL in header values): what the app does with them is
its own defence, whatever server is in front."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from starlette.types import ASGIApp, Message

SITE = "http://testserver"
_TOKEN = re.compile(rb"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")


@dataclass
class Answer:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    chunks_read: int
    seconds: float

    def header(self, name: bytes) -> bytes | None:
        return next((v for n, v in self.headers if n.lower() == name), None)

    def all(self, name: bytes) -> list[bytes]:
        return [v for n, v in self.headers if n.lower() == name]


async def exchange(
    app: ASGIApp,
    method: str,
    path: str,
    *,
    query: bytes = b"",
    headers: Iterable[tuple[bytes, bytes]] = (),
    body: bytes | list[bytes] = b"",
) -> Answer:
    """The answer to one request (``Host: testserver`` unless ``headers`` name another);
    ``body`` as a list is sent in that many chunks."""
    chunks = body if isinstance(body, list) else [body]
    headers = list(headers)
    if not any(name == b"host" for name, _ in headers):
        headers.insert(0, (b"host", b"testserver"))
    read = 0
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal read
        if read >= len(chunks):
            return {"type": "http.disconnect"}
        read += 1
        return {"type": "http.request", "body": chunks[read - 1], "more_body": read < len(chunks)}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: dict[str, Any] = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": query, "root_path": "",
        "server": ("testserver", 80), "client": ("127.0.0.1", 50000),
        "headers": headers,
    }
    started = time.perf_counter()
    await app(scope, receive, send)
    seconds = time.perf_counter() - started
    start = next(m for m in sent if m["type"] == "http.response.start")
    data = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return Answer(start["status"], list(start.get("headers", [])), data, read, seconds)


def lands_on_site(location: str, site: str = SITE) -> bool:
    """Whether a browser following ``location`` (a redirect or a link) from a page
    of ``site`` stays on it. The URL is first cleaned as the WHATWG URL parser does:
    leading and trailing C0 controls and spaces dropped, tabs and newlines removed
    anywhere, and backslashes read as slashes in http(s) URLs."""
    cleaned = location.strip("".join(map(chr, range(0x21))))
    cleaned = re.sub(r"[\t\n\r]", "", cleaned).replace("\\", "/")
    target = urlsplit(urljoin(site + "/consentkit/page", cleaned))
    here = urlsplit(site)
    return target.scheme == here.scheme and target.netloc == here.netloc


def assert_clean_headers(answer: Answer) -> None:
    """No response header can have been split or extended by request data."""
    for name, value in answer.headers:
        assert _TOKEN.match(name), f"header name {name!r}"
        assert not re.search(rb"[\r\n\x00]", value), f"{name!r}: {value!r}"
        if name.lower() == b"set-cookie":
            cookie_name = value.split(b";", 1)[0].partition(b"=")[0].strip()
            assert _TOKEN.match(cookie_name), f"Set-Cookie of a name that is no token: {value[:80]!r}"
        if name.lower() == b"location":
            assert lands_on_site(value.decode("latin-1")), f"redirect off the site: {value!r}"
