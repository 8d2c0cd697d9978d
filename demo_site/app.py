"""``create_app()``: Example Health, a fictional health insurer, on consentkit.

The site sits behind one ``Middleware(ConsentMiddleware, kit=kit)`` line and a
strict Content-Security-Policy; beside it, on ``analytics.localhost`` and
``pixel.localhost``, the same server plays the third parties (see ``standins``).
"""

from __future__ import annotations

import secrets
import tomllib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from consentkit import Admin, ConsentKit, ConsentMiddleware, Policy
from consentkit.minors.notifiers import MemoryNotifier
from consentkit.policy import PolicyError

from .accounts import Accounts
from .csp import ContentSecurityPolicy
from .formguard import FormGuard, RateLimit
from .quote import QuoteForm
from .site import OUTBOX_ACCESS, OutboxAccess, SitePages
from .standins import ANALYTICS_HOST, PIXEL_HOST, standin_origin, standin_routes

HERE = Path(__file__).resolve().parent
POLICY_FILE = HERE / "policy.toml"


def load_policy(mode: str | None = None, path: Path = POLICY_FILE) -> Policy:
    """The demo's policy, in ``mode`` (``opt_in`` or ``opt_out``) if given. The mode
    is set before the policy is built, so that its default lifetime follows it."""
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    if mode is not None:
        data["mode"] = mode
    try:
        return Policy.from_dict(data)
    except PolicyError as exc:
        raise PolicyError(f"{path}: {exc}") from None


def _page_context(request: Request) -> dict[str, Any]:
    return {
        "nonce": getattr(request.state, "csp_nonce", ""),
        "analytics_origin": standin_origin(ANALYTICS_HOST, request),
        "pixel_origin": standin_origin(PIXEL_HOST, request),
    }


def create_app(
    db: str = "sqlite:///consentkit-demo.db",
    mode: str | None = None,
    secret_keys: Sequence[str] | None = None,
    *,
    notifier: Any = None,
    quote_min_seconds: float = 3.0,
    quote_rate: tuple[int, float] = (10, 600.0),
    outbox: OutboxAccess = "local",
    admin: Admin | None = None,
) -> Starlette:
    """The demo site. ``db`` is the ledger's store URL; ``mode`` overrides the
    policy file's; without ``secret_keys`` a random key lives as long as the process
    (consent cookies then do not survive a restart). ``quote_min_seconds`` and
    ``quote_rate`` (attempts, seconds) tune the quote form's bot defence.
    ``outbox``: who may open ``/dev/outbox``, which lists every parent's address:
    ``"local"`` (the default) only a browser on this machine, ``"open"`` anyone,
    ``"off"`` nobody. ``admin``: the admin console's settings (``consentkit demo``
    gives it a seeded account), under ``/consentkit/admin``; none without it."""
    if outbox not in OUTBOX_ACCESS:
        raise ValueError(f"outbox must be one of {', '.join(OUTBOX_ACCESS)}")
    policy = load_policy(mode)
    keys = list(secret_keys) if secret_keys else [secrets.token_urlsafe(32)]
    # The demo keeps parents' e-mails in memory on purpose and shows them at /dev/outbox.
    kit = ConsentKit(policy, secret_keys=keys, store=db, notifier=notifier or MemoryNotifier(),
                     region_source="cloudfront", admin=admin)

    templates = Jinja2Templates(directory=HERE / "templates", context_processors=[_page_context])
    kit.install(templates.env)
    templates.env.globals["policy"] = policy

    # Sign-ups, in memory; privacy requests reach them through a data source.
    accounts = Accounts(kit.clock)
    accounts.register(kit)
    pages = SitePages(kit, templates, outbox=outbox, accounts=accounts)
    guard = FormGuard(keys[0], min_seconds=quote_min_seconds, rate=RateLimit(*quote_rate))
    quote = QuoteForm(templates, guard)
    site = Starlette(
        routes=[
            Route("/", pages.home),
            Route("/quote", quote.show, methods=["GET"]),
            Route("/quote", quote.submit, methods=["POST"]),
            Route("/signup", pages.signup, methods=["GET"]),
            Route("/signup", pages.create_account, methods=["POST"]),
            Route("/privacy", pages.privacy),
            Route("/dev/outbox", pages.outbox),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        middleware=[Middleware(ContentSecurityPolicy), Middleware(ConsentMiddleware, kit=kit)],
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # The site is mounted, and mounts get no lifespan events: open the ledger here.
        await kit.startup()
        try:
            yield
        finally:
            await kit.shutdown()

    app = Starlette(routes=[*standin_routes(), Mount("", site)], lifespan=lifespan)
    app.state.kit = kit
    app.state.accounts = accounts
    return app
