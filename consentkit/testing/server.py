"""A live server for browser tests: any ASGI app, served by uvicorn in a thread on
a free port, ready when ``serve()`` returns. uvicorn comes with ``consentkit[server]``;
it is imported when a server starts, so the rest of ``consentkit.testing`` needs it not."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Self

from .apps import kit_of

if TYPE_CHECKING:
    import uvicorn


# The test marker (``kit.test_token``) of each running server's app, by base URL: the
# plugin's contexts and ``preset_consent`` send it, so the app records their decisions
# with source "test".
TEST_TOKENS: dict[str, str] = {}


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


class LiveServer:
    """A running server; ``url`` is its base URL (no trailing slash). Stop it with
    ``stop()`` or by leaving its ``with`` block."""

    def __init__(self, server: uvicorn.Server, thread: threading.Thread, host: str, port: int) -> None:
        self._server = server
        self._thread = thread
        self.host = host
        self.port = port
        self.url = f"http://{_bracketed(host)}:{port}"

    def url_for(self, host: str, path: str = "") -> str:
        """The URL of this server under another host name, such as a third party
        the app plays on ``analytics.localhost`` (any ``*.localhost`` is loopback)."""
        return f"http://{_bracketed(host)}:{self.port}{path}"

    def stop(self) -> None:
        TEST_TOKENS.pop(self.url, None)
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"LiveServer({self.url!r})"


def serve(
    app: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    public_host: str | None = None,
    lifespan: Literal["auto", "on", "off"] = "auto",
    root_path: str = "",
    timeout: float = 15.0,
) -> LiveServer:
    """Serve ``app`` in a daemon thread and return once it accepts connections.

    ``port=0`` picks a free port. ``public_host`` is the name put in ``url`` (say
    ``"localhost"``, so that ``*.localhost`` stand-ins are same-site), by default
    the address bound. ``root_path`` is uvicorn's ``--root-path`` (an app behind a
    proxy that serves it under ``/shop``). Access logs are off: they would hold
    client addresses.
    """
    try:
        import uvicorn
    except ImportError:
        raise RuntimeError("consentkit's live server runs on uvicorn: pip install 'consentkit[server]'") from None
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_port: int = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan=lifespan, root_path=root_path)
    server = uvicorn.Server(config)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # noqa: BLE001 - reported to the caller below
            failure.append(exc)

    thread = threading.Thread(target=run, name=f"consentkit-live-server-{bound_port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if failure or not thread.is_alive():
            sock.close()
            cause = failure[0] if failure else None
            raise RuntimeError(f"the live server did not start (see the log above): {cause!r}") from cause
        if time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the live server did not start within {timeout} seconds")
        time.sleep(0.01)
    live = LiveServer(server, thread, public_host or host, bound_port)
    kit = kit_of(app)
    if kit is not None:
        TEST_TOKENS[live.url] = kit.test_token
    return live
