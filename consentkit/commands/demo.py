"""``consentkit demo``: run Example Health, the demo insurer, on the embedded
SQLite ledger, with the admin console and an account seeded for this run."""

from __future__ import annotations

import argparse
import errno
import os
import secrets
import socket
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

SECRET_ENV = "CONSENTKIT_SECRET"
ADMIN_NAME = "admin"
_LOOPBACK = {"127.0.0.1", "localhost", "::1", "0.0.0.0", "::"}


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``demo`` to the ``consentkit`` command's subparsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "demo",
        help="run the demo insurer site",
        description="Run Example Health, a fictional health insurer on consentkit, with the embedded SQLite "
        f"ledger. The consent cookie's secret comes from ${SECRET_ENV} (several, newest first, "
        "separated by commas), or is random for this run.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    parser.add_argument("--db", default="consentkit-demo.db", metavar="PATH",
                        help="SQLite file of the consent ledger (default: consentkit-demo.db here)")
    parser.add_argument("--mode", choices=("opt_in", "opt_out"), default=None,
                        help="consent mode; default: the demo policy's (opt_out)")
    parser.add_argument("--outbox", choices=("local", "open", "off"), default="local",
                        help="who may open /dev/outbox, which lists parents' addresses: local (default: a browser on "
                        "this machine), open (anyone who reaches the demo) or off")
    parser.add_argument("--no-admin", action="store_true",
                        help="no admin console (by default it is served at /consentkit/admin with an operator "
                        f"account, {ADMIN_NAME!r}, whose password is made for this run and printed at start)")
    parser.set_defaults(run=run)
    return parser


def store_url(db: str) -> str:
    """A ledger store URL from ``--db``: a file path becomes ``sqlite:///<absolute path>``."""
    if "://" in db:
        return db
    return "sqlite:///" + str(Path(db).expanduser().resolve())


def secret_keys(environ: Mapping[str, str] | None = None) -> tuple[list[str], bool]:
    """The signing keys, and whether they came from the environment."""
    env = os.environ if environ is None else environ
    configured = [k.strip() for k in env.get(SECRET_ENV, "").split(",") if k.strip()]
    if configured:
        return configured, True
    return [secrets.token_urlsafe(32)], False


def display_url(host: str, port: int) -> str:
    # "localhost" rather than 127.0.0.1: the demo's stand-in third parties live on
    # analytics.localhost and pixel.localhost, which are then same-site.
    shown = "localhost" if host in _LOOPBACK else (f"[{host}]" if ":" in host else host)
    return f"http://{shown}:{port}/"


def seed_admin(directory: Path) -> tuple[Any, str] | str:
    """The console's settings with one operator account, ``admin``, whose password is
    random, in an accounts file in ``directory``: (Admin, password); or why not."""
    try:
        from ..admin import Admin, create_user

        password = secrets.token_urlsafe(12)
        users = directory / "admin-users.json"
        create_user(users, ADMIN_NAME, password, role="operator")
        return Admin(users=users), password
    except ImportError as exc:
        return str(exc)


def _port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def run(args: argparse.Namespace) -> int:
    """Serve the demo until interrupted."""
    try:
        import uvicorn
    except ImportError:
        print("consentkit demo needs a server: pip install 'consentkit[server]'", file=sys.stderr)
        return 2
    from .._demo import create_app

    if not 0 < args.port < 65536:
        print(f"consentkit demo: --port {args.port} is not a port number", file=sys.stderr)
        return 2
    try:
        free = _port_free(args.host, args.port)
    except OSError as exc:
        print(f"consentkit demo: cannot listen on {args.host}: {exc.strerror}", file=sys.stderr)
        return 2
    if not free:
        print(f"consentkit demo: port {args.port} is in use; pick another with --port", file=sys.stderr)
        return 1
    keys, from_env = secret_keys()
    if not from_env:
        print(f"consentkit demo: ${SECRET_ENV} is not set, so this run signs consent cookies with a random "
              "secret: choices made now will not be recognised after a restart.", file=sys.stderr)
    store = store_url(args.db)
    # The seeded account lives as long as this run: its file is in a directory removed at the end.
    with tempfile.TemporaryDirectory(prefix="consentkit-demo-") as scratch:
        seeded = None if args.no_admin else seed_admin(Path(scratch))
        admin = seeded[0] if isinstance(seeded, tuple) else None
        app = create_app(store, mode=args.mode, secret_keys=keys, outbox=args.outbox, admin=admin)
        mode = app.state.kit.policy.mode
        url = display_url(args.host, args.port)
        print(f"Example Health (consentkit demo, {mode} mode): {url}")
        print(f"  consent ledger: {store}")
        if isinstance(seeded, tuple):
            print(f"  admin console: {url}consentkit/admin/  user {ADMIN_NAME!r}, password {seeded[1]!r} "
                  "(an operator, for this run only)")
        elif isinstance(seeded, str):
            print(f"  admin console: off ({seeded})")
        if args.outbox != "off":
            where = "from this machine only" if args.outbox == "local" else "open to anyone"
            print(f"  developer outbox (parents' e-mails, privacy request codes): /dev/outbox, {where}")
        print("  press Ctrl+C to stop")
        sys.stdout.flush()
        # No access log: it would write every visitor's IP address.
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="consentkit")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["demo", *(argv if argv is not None else sys.argv[1:])])
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
