"""``ConsentKit``: the policy, the keys, the ledger and the clock, wired once."""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.responses import JSONResponse

from . import templating
from .admin.config import Admin
from .confirmation import Confirmations
from .cookie import COOKIE_NAME, CookieCodec
from .cookie_domains import hostname
from .csrf import PREFERENCES_SALT, CsrfGuard
from .head import WidgetHead
from .ledger import open_ledger
from .ledger.base import LedgerError, Record
from .minors.flowstate import ParentalFlowState
from .minors.lapse import sweep
from .minors.notifiers import DEFAULT_LINK_DAYS, MemoryNotifier, Notifier, check_site_url
from .minors.verifiers import EmailPlusVerifier, Verifier
from .optouts import OptOutHooks
from .outcomes import OutcomeCache
from .policy import Policy, PolicyError
from .record_limit import RecordLimit
from .regions import Locator, RegionFunction
from .requests import RequestClocks, RequestDesk, RequestVerifier, Source, open_request_store
from .rules import OPT_OUT_SOURCES, Decision
from .useragent import browser_summary

if TYPE_CHECKING:
    from jinja2 import Environment

    from .ledger import Ledger

logger = logging.getLogger("consentkit")

_PREFIX = re.compile(r"^(/[A-Za-z0-9._~-]+)+$")
# Mount points whose widget assets a kit keeps built (a site has one or two).
_MAX_ROOTS = 16
_ORIGIN = re.compile(r"^https?://[^/\s]+$")


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ConsentKit:
    """Everything consentkit needs to know about a site, built once at start-up.

    ``secret_keys``: newest first; the first signs consent cookies, all verify, so a
    key can be rotated in by putting it first and out by dropping it later.
    ``store``: the ledger URL (``sqlite:///consent.db``, ``postgresql://...``,
    ``memory://``). ``allowed_origins``: other origins (``https://shop.example.com``)
    whose pages may POST consent. ``inject_widget``: add the widget's ``<link>`` and
    ``<script>`` to every HTML page (turn off when templates call ``consent_head()``
    themselves, or to ship your own UI). ``notifier``: delivers parents' consent
    requests (``SmtpNotifier``); without one they go to an in-memory development
    outbox. ``parental_verifier``: how a parent is verified (``EmailPlusVerifier`` by
    default; the method's name is recorded). ``spool_dir``: where records wait while
    the ledger's store is down. ``retention_days``: how long records are kept (at
    least 730; children's records less: the policy's ``children_retention_days``).
    ``request_clocks``: the privacy requests' deadlines and calendar
    (``RequestClocks``); ``request_verifier``: how a requester is verified
    (``EmailCodeVerifier`` by default). ``admin``: the admin console
    (``Admin(users=...)``, see docs/console.md), served under ``{prefix}/admin``.
    ``region_source``: where a request's region comes from when the policy declares
    regions: a CDN's geolocation headers (``"cloudfront"``, ``"cloudflare"``,
    ``"vercel"``, ``"fastly"``), or a function of the request answering a code such as
    ``"US-CO"`` or ``"FR"`` (or None); without one, every request gets the policy's own
    rules. ``opt_out_hooks``: who to tell when a visitor opts out of sale or sharing or
    withdraws a category (§7026(f)): callables given the event, and
    ``OptOutWebhook(url, secret)`` (consentkit.optouts; delivered through a spool of
    their own, retried until they succeed). ``clock``: for tests.
    """

    def __init__(
        self,
        policy: Policy,
        *,
        secret_keys: Sequence[str],
        store: str = "sqlite:///consent.db",
        prefix: str = "/consentkit",
        allowed_origins: Iterable[str] = (),
        inject_widget: bool = True,
        secure_cookie: bool | None = None,
        cookie_domain: str | None = None,
        notifier: Notifier | None = None,
        parental_verifier: Verifier | None = None,
        spool_dir: str | Path | None = None,
        retention_days: int = 730,
        gpc_last_update: date | None = None,
        request_clocks: RequestClocks | None = None,
        request_verifier: RequestVerifier | None = None,
        admin: Admin | None = None,
        region_source: str | RegionFunction | None = None,
        opt_out_hooks: Iterable[Callable[[dict[str, Any]], Any]] = (),
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        if not isinstance(policy, Policy):
            raise TypeError("ConsentKit needs a consentkit.Policy (or Policy.from_toml(path))")
        if not _PREFIX.match(prefix):
            raise ValueError(f"prefix {prefix!r} must be a path such as '/consentkit', without a trailing slash")
        origins = tuple(o.rstrip("/").lower() for o in allowed_origins)
        for origin in origins:
            if not _ORIGIN.match(origin):
                raise ValueError(f"allowed origin {origin!r} must look like 'https://www.example.com' (no path)")
        if cookie_domain is not None and hostname(cookie_domain.lstrip(".")) is None:
            raise ValueError(f"cookie_domain {cookie_domain!r} must be a domain name such as 'example.com'")
        self.policy = policy
        # Where a request's region comes from (regions.py); only asked when the policy has regions.
        self.locator = Locator(region_source)
        # Whether requests are located at all (Visit.begin asks region_of() only then).
        self.locates = bool(policy.regions) and region_source is not None
        if policy.regions and region_source is None:
            logger.warning("the policy declares regions but ConsentKit has no region_source: every request gets the "
                           "policy's own rules; pass region_source='cloudfront' (or your CDN's, or a function)")
        self.prefix = prefix
        self.allowed_origins = frozenset(origins)
        self.inject_widget = inject_widget
        self.secure_cookie = secure_cookie
        self.cookie_domain = cookie_domain
        self.clock = clock
        self.codec = CookieCodec(secret_keys, clock=clock)
        # What each feature keeps for this kit alone: two kits in one process share nothing.
        self.outcomes = OutcomeCache()
        self.head = WidgetHead(policy, prefix)
        self._heads: dict[tuple[str, str | None], WidgetHead] = {("", None): self.head}
        self.preferences_form = CsrfGuard(self.codec, PREFERENCES_SALT)
        # Two-step opt-in tokens (confirmation.py).
        self.confirmations = Confirmations(self.codec)
        self.parental = ParentalFlowState(self.codec)
        # How fast one client may add records (None: no limit); see record_limit.py.
        self.record_limit: RecordLimit | None = RecordLimit()
        self.cookie_name = COOKIE_NAME
        self.store_url = store
        if type(retention_days) is int and policy.children_retention_days > retention_days:
            raise PolicyError(f"the policy's children_retention_days ({policy.children_retention_days}) is longer than "
                              f"the ledger's retention_days ({retention_days}): children's records are kept for "
                              "less time than the others, never more (COPPA §312.10)")
        self.ledger: Ledger = open_ledger(store, spool_dir=spool_dir, retention_days=retention_days)
        # Opt-out propagation (§7026(f)): events wait in a spool of their own beside the ledger's.
        spool = self.ledger.spool.directory
        self.opt_outs = OptOutHooks(opt_out_hooks, spool.with_name(spool.name + "-opt-outs"), clock=clock,
                                    clocks=request_clocks)
        if notifier is not None:
            check_site_url(notifier)
        else:
            notifier = MemoryNotifier()
            if policy.age_gate:
                logger.warning("ConsentKit has no notifier: parents' consent requests go to an in-memory development "
                               "outbox (kit.notifier.messages), not to parents; pass notifier=SmtpNotifier(...)")
        self.notifier: Notifier = notifier
        self.parental_verifier: Verifier = parental_verifier or EmailPlusVerifier()
        self.gpc_last_update = gpc_last_update or _version_date(policy.version) or date.today()
        if admin is not None and not isinstance(admin, Admin):
            raise TypeError("admin= takes a consentkit.Admin(users=... or authenticate=...)")
        self.admin = admin
        # Privacy requests (consentkit.requests): their table sits beside the ledger's.
        self.requests = RequestDesk(
            store=open_request_store(store), ledger=self.ledger, policy=policy, codec=self.codec,
            notifier=notifier, clock=clock, clocks=request_clocks, verifier=request_verifier, prefix=prefix,
            forget_visitor=self.parental.statuses.forget,
        )
        self._started = False
        self._start_lock = asyncio.Lock()
        self._sweeper: asyncio.Task[None] | None = None

    # -- lifecycle -------------------------------------------------------------

    async def startup(self) -> None:
        """Open the ledger (the middleware calls this on lifespan start-up, or on the
        first request when the server sends no lifespan events)."""
        if self._started:
            return
        async with self._start_lock:
            if not self._started:
                await self.ledger.start()
                await self.opt_outs.start()
                if self.policy.age_gate or any(r.age_gate for r in self.policy.regions):
                    # Forget the address of each request no parent answered in time, and
                    # cut children's records to the minimal proof past their retention (R45).
                    days = getattr(self.notifier, "link_days", DEFAULT_LINK_DAYS)
                    days = days if isinstance(days, int) and not isinstance(days, bool) and days > 0 else 7
                    self._sweeper = asyncio.create_task(
                        sweep(self.ledger, self.clock, days, children_days=self.policy.children_retention_days,
                              policy=self.policy),
                        name="consentkit-lapsed-requests")
                self._started = True

    async def shutdown(self) -> None:
        await self.requests.close()
        if self._started:
            if self._sweeper is not None:
                self._sweeper.cancel()
                await asyncio.gather(self._sweeper, return_exceptions=True)
                self._sweeper = None
            await self.opt_outs.stop()
            await self.ledger.stop()
            self._started = False

    # -- identifiers -------------------------------------------------------------

    @staticmethod
    def new_visitor_id() -> str:
        return secrets.token_urlsafe(16)

    @staticmethod
    def new_receipt_id() -> str:
        return secrets.token_urlsafe(18)

    # -- the ledger --------------------------------------------------------------

    @property
    def test_token(self) -> str:
        """The value of the ``X-Consentkit-Test`` request header that marks a QA run's
        decisions (source ``test``, left out of the statistics): made from the newest
        secret key, so only who holds the key can make it. The pytest plugin and
        ``consentkit scan --test-token`` send it."""
        return self.codec.test_token

    @property
    def started(self) -> bool:
        return self._started

    def make_record(
        self,
        decision: Decision,
        user_agent: str | None,
        *,
        kind: str = "decision",
        verification: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Record:
        """The ledger record of a decision: a new receipt id, and the browser's
        summary instead of its User-Agent; none on the record of an opt-out (GPC, the
        link), which keeps only what proving it needs (R7, R34)."""
        browser = browser_summary(user_agent)
        about = ("", "", "", "") if decision.source in OPT_OUT_SOURCES else (
            browser.browser, browser.major, browser.os, browser.device)
        extra = dict(extra or {})
        if decision.services:
            extra["services"] = dict(decision.services)
        return Record(
            receipt_id=self.new_receipt_id(),
            visitor_id=decision.visitor_id,
            at=decision.at,
            policy_version=decision.policy_version,
            mode=decision.mode,
            region=decision.region,
            choices=decision.choices,
            source=decision.source,
            gpc=decision.gpc,
            age_band=decision.age_band,
            parental_consent=decision.parental_consent,
            browser=about[0],
            browser_major=about[1],
            os=about[2],
            device=about[3],
            verification=verification,
            kind=kind,
            extra=extra,
        )

    async def record(self, decision: Decision, user_agent: str | None, **extra: Any) -> Record:
        """Append a decision to the ledger; the record, with its receipt id."""
        await self.startup()
        record = self.make_record(decision, user_agent, verification=extra.pop("verification", None), extra=extra)
        try:
            await self.ledger.append(record)
        except LedgerError:
            # Both the store and the spool's disk failed. The decision still takes
            # effect (privacy wins); the operator must see this at once.
            logger.error("consent record %s could not be stored or spooled", record.receipt_id)
        return record

    def region_of(self, scope: Mapping[str, Any]) -> str | None:
        """The code of the policy's region this request comes from (None: the policy's own rules)."""
        if not self.locates:
            return None
        found = self.locator.locate(scope)
        return self.policy.region_for(found.country, found.subdivision) if found else None

    async def tell_opt_out(self, record: Record, before: Mapping[str, bool], after: Mapping[str, bool]) -> None:
        """Give the opt-out hooks (``opt_out_hooks``, consentkit.optouts) this decision if
        it withdrew a category or was an opt-out request (GPC, the link)."""
        if not self.opt_outs or record.source == "test":  # a QA run's decisions tell no pipeline
            return
        withdrawn = sorted(cid for cid, was in before.items() if was and not after.get(cid, False))
        if not withdrawn and record.source not in OPT_OUT_SOURCES:
            return
        sale = set(self.policy.sale_or_sharing_ids)
        sold = [cid for cid in self.policy.category_ids if cid in sale and (
            cid in withdrawn or (record.source in OPT_OUT_SOURCES and after.get(cid) is False))]
        await self.opt_outs.notify({
            "event": "opt_out", "id": record.receipt_id, "visitor_id": record.visitor_id,
            "at": record.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "source": record.source,
            "gpc": record.gpc, "categories": withdrawn, "sale_or_sharing": sold,
            "policy_version": record.policy_version, "region": record.region,
        })

    def head_at(self, root: str, region: str | None = None) -> WidgetHead:
        """The widget's tags and assets for an app mounted at ``root`` (``/shop``):
        their URLs, and the endpoints the widget calls, start with it; a region's
        visitors get its mode and texts."""
        key = (root, region)
        head = self._heads.get(key)
        if head is None:
            head = WidgetHead(self.policy.for_region(region), root + self.prefix)
            # A root made of a path parameter comes from clients: keep a few, build the rest.
            if len(self._heads) < _MAX_ROOTS + len(self.policy.regions):
                self._heads[key] = head
        return head

    # -- the GPC support resource ---------------------------------------------------

    def gpc_document(self) -> dict[str, Any]:
        """The body of ``/.well-known/gpc.json``."""
        return {"gpc": True, "lastUpdate": self.gpc_last_update.isoformat()}

    async def gpc_json(self, request: Any = None) -> JSONResponse:
        """``/.well-known/gpc.json`` as a Starlette endpoint. The file belongs at the
        site's root: an app mounted at ``/shop`` has its outer app route it here,
        ``Route("/.well-known/gpc.json", kit.gpc_json)``."""
        return JSONResponse(self.gpc_document(), headers={"Cache-Control": "public, max-age=86400"})

    # -- privacy requests ----------------------------------------------------------

    def register_source(self, name: str, *, export: Any = None, delete: Any = None, correct: Any = None,
                        limit: Any = None) -> Source:
        """Register where the site keeps personal information, for privacy requests:
        async callables taking the verified ``consentkit.requests.Subject`` (``correct``
        also the correction's text). See docs/requests.md."""
        return self.requests.register_source(name, export=export, delete=delete, correct=correct, limit=limit)

    # -- templates ---------------------------------------------------------------

    def install(self, env: Environment) -> None:
        """Add ``consent``, ``consent_head()`` and ``consent_tag()`` to a Jinja2 environment."""
        templating.install(env, policy=self.policy, head_at=self.head_at)


def _version_date(version: str) -> date | None:
    try:
        return date.fromisoformat(version[:10])
    except ValueError:
        return None
