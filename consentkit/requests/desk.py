"""``RequestDesk``: the privacy requests of one kit (``kit.requests``), from intake to
answer. The endpoints, the CLI and the admin console all act through it.

Every change is saved over the stored request under its version (a concurrent
change loses with ``Conflict``) and appended to the ledger as a record of kind
``"request"`` under the pseudonym ``req-<id>`` (spooled while the store is down,
kept at least 24 months, §7101). The data given to make and verify a request
(contact, details, verification state) is emptied when it closes; what stays is
the type, the dates, the steps and a keyed hash of the contact (to count requests
to know per person).
"""

from __future__ import annotations

import asyncio
import base64
import builtins
import hashlib
import hmac
import logging
import secrets
import statistics
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import itsdangerous

from ..cookie import CookieCodec
from ..ledger import Ledger, sqlite_path
from ..ledger.base import Record
from ..minors.notifiers import Notifier, ParentMessage
from ..minors.tokens import normal_email
from ..policy import Policy
from ..record_limit import RecordLimit
from . import messages
from .clocks import RequestClocks
from .model import (
    KNOW_TYPES,
    Action,
    Conflict,
    PrivacyRequest,
    Requester,
    RequestError,
    RequestNotFound,
    RequestSummary,
    RequestType,
    Step,
    new_request_id,
)
from .own_data import own_source
from .sources import Operation, Source, Sources, Subject, package, run
from .sqlite import SqliteRequestStore
from .store import MemoryRequestStore, RequestStore
from .verification import Answer, EmailCodeVerifier, RequestVerifier

logger = logging.getLogger("consentkit.requests")

DOWNLOAD_DAYS = 7
# Requests one person (one contact) may make in a day, whatever their type.
MAX_PER_DAY = 3
MAX_TEXT = 500
_DOWNLOAD_SALT = "consentkit.requests.download.v1"


def open_request_store(url: str) -> RequestStore:
    """The request store beside the ledger a store URL names: the same SQLite file,
    the same PostgreSQL database and schema, or memory."""
    path = sqlite_path(url)
    if path is not None:
        return SqliteRequestStore(path)
    if url.split(":", 1)[0].lower() in ("postgresql", "postgres"):
        from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

        from .postgres import PostgresRequestStore

        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        schema = next((v for k, v in query if k == "schema"), None)
        rest = urlencode([(k, v) for k, v in query if k != "schema"])
        return PostgresRequestStore(urlunsplit(parts._replace(query=rest)), schema=schema)
    return MemoryRequestStore()


@dataclass(frozen=True, slots=True)
class Intake:
    """What a requester submits. ``contact``: the consumer's e-mail address (the code
    and the answer go there, also when an agent asks: the consumer confirms). An
    agent names themself (``agent_name``) and states the consumer's signed
    permission (``permission``); a parent or guardian names the child
    (``child_name``) and states the relationship (``permission``). ``correction``:
    what is wrong and what is right (for ``correct``); ``sensitive``: a deletion
    that includes sensitive personal information (verified more strictly)."""

    type: RequestType
    contact: str
    requester: Requester = "consumer"
    name: str = ""
    agent_name: str = ""
    child_name: str = ""
    permission: bool = False
    correction: str = ""
    sensitive: bool = False

    def check(self) -> str:
        """The normalised contact address, or RequestError for what is missing."""
        address = normal_email(self.contact)
        if address is None:
            raise RequestError("contact must be an e-mail address such as you@example.com")
        for label, text in (("name", self.name), ("agent_name", self.agent_name), ("child_name", self.child_name),
                            ("correction", self.correction)):
            if len(text) > MAX_TEXT or any(ord(c) < 0x20 and c not in "\n\t" for c in text):
                raise RequestError(f"{label} must be plain text of at most {MAX_TEXT} characters")
        if self.requester == "agent" and (not self.agent_name.strip() or not self.permission):
            raise RequestError("an authorized agent must give their name and confirm they hold the consumer's "
                               "signed permission (agent_name, permission)", 403)
        if self.requester == "parent" and (not self.child_name.strip() or not self.permission):
            raise RequestError("a parent or guardian must name the child and confirm they are the child's parent "
                               "or guardian (child_name, permission)", 403)
        if self.type == "correct" and not self.correction.strip():
            raise RequestError("a request to correct must say what is wrong and what is right (correction)")
        return address


@dataclass(frozen=True, slots=True)
class Metrics:
    """The §7102 figures of one year, per request type: received, complied with in
    whole or in part, denied, and the median and mean days to respond."""

    year: int
    by_type: Mapping[str, Mapping[str, float | int | None]] = field(default_factory=dict)


class RequestDesk:
    """The privacy requests of one kit. Made by ``ConsentKit``; the store opens on
    first use. See ``consentkit.requests`` for the API by example."""

    def __init__(
        self,
        *,
        store: RequestStore,
        ledger: Ledger,
        policy: Policy,
        codec: CookieCodec,
        notifier: Notifier,
        clock: Callable[[], datetime],
        clocks: RequestClocks | None = None,
        verifier: RequestVerifier | None = None,
        prefix: str = "/consentkit",
        auto_fulfil: bool = True,
        forget_visitor: Callable[[str], None] = lambda visitor_id: None,
    ) -> None:
        self.store = store
        self.ledger = ledger
        self.policy = policy
        self.notifier = notifier
        self.clock = clock
        self.clocks = clocks or RequestClocks()
        key = codec.secret_keys[-1]
        self.verifier: RequestVerifier = verifier or EmailCodeVerifier(key)
        self.prefix = prefix
        self.auto_fulfil = auto_fulfil
        self.sources = Sources()
        self.sources.add(own_source(ledger, policy, prefix, forget=forget_visitor, clock=clock))
        self._subject_key = hmac.new(key, b"consentkit.request-subject.v1", hashlib.sha256).digest()
        self._downloads = codec.serializer(_DOWNLOAD_SALT)
        # How often one client may post to the request endpoints (intake, codes): a
        # few at once, then one every two minutes; loopback clients are not limited.
        self.client_limit: RecordLimit | None = RecordLimit(per_minute=0.5, burst=10)
        self._opened = False
        self._open_lock = asyncio.Lock()

    # -- lifecycle ---------------------------------------------------------------

    async def _ready(self) -> None:
        if not self._opened:
            async with self._open_lock:
                if not self._opened:
                    await self.store.open()
                    self._opened = True

    async def close(self) -> None:
        if self._opened:
            await self.store.close()
            self._opened = False

    def register_source(self, name: str, *, export: Any = None, delete: Any = None, correct: Any = None,
                        limit: Any = None) -> Source:
        """Register a data source (see ``consentkit.requests.sources``)."""
        return self.sources.register(name, export=export, delete=delete, correct=correct, limit=limit)

    def add_source(self, source: Source) -> None:
        """Register a ready-made source, such as ``WebhookSource(...).source()``."""
        self.sources.add(source)

    # -- reading -----------------------------------------------------------------

    def today(self) -> date:
        return self.clocks.local_date(self.clock())

    async def get(self, request_id: str) -> PrivacyRequest | None:
        """One request, whole (its steps included), or None."""
        if not isinstance(request_id, str) or not 8 <= len(request_id) <= 64:
            return None
        await self._ready()
        return await self.store.get(request_id)

    async def list(self, *, status: str | Iterable[str] | None = "open", type: str | None = None,
                   overdue: bool = False, limit: int = 100, offset: int = 0) -> builtins.list[RequestSummary]:
        """Requests by deadline, the soonest (so the overdue) first. ``status``:
        ``"open"`` (default), ``"closed"``, a status or several, or None for all;
        ``overdue``: only those past their deadline today."""
        await self._ready()
        return await self.store.find(status=status, type=type, due_before=self.today() if overdue else None,
                                     limit=max(1, min(limit, 10_000)), offset=max(0, offset))

    async def records(self, request_id: str) -> builtins.list[Record]:
        """The request's ledger records (one per step), in order."""
        found = await self.ledger.for_visitor(ledger_key(request_id))
        return sorted(found, key=lambda r: (r.at, int(r.extra.get("seq", 0))))

    # -- intake and verification -------------------------------------------------

    def subject_of(self, address: str) -> str:
        return hmac.new(self._subject_key, address.encode(), hashlib.sha256).hexdigest()[:40]

    async def submit(self, intake: Intake, *, visitor_id: str | None = None) -> PrivacyRequest:
        """Take a request: check it, send the acknowledgment with the code to the
        contact, then keep it and record it. Nothing is kept if the message cannot
        be sent (``RequestError`` 503)."""
        address = intake.check()
        await self._ready()
        now = self.clock()
        subject = self.subject_of(address)
        if await self.store.count_from(subject, now - timedelta(days=1)) >= MAX_PER_DAY:
            raise RequestError("too many requests for this contact today; please try again tomorrow", 429)
        ack_by, respond_by = self.clocks.deadlines(now)
        details: dict[str, Any] = {k: v for k, v in (("name", intake.name), ("agent_name", intake.agent_name),
                                     ("child_name", intake.child_name), ("correction", intake.correction)) if v}
        if intake.sensitive:
            details["sensitive"] = True
        request = PrivacyRequest(
            id=new_request_id(), type=intake.type, requester=intake.requester, status="received", received_at=now,
            acknowledge_by=ack_by, respond_by=respond_by, subject=subject, contact=address, visitor_id=visitor_id,
            details=details,
        )
        request = request.evolve(verification=await self._challenge(request, now))
        request = request.with_step(Step("received", now, detail={"requester": intake.requester}))
        request = request.with_step(Step("acknowledged", now), acknowledged_at=now)
        request = await self.store.add(request)
        await self._record(request, len(request.steps) - 2)
        await self._record(request, len(request.steps) - 1)
        return request

    async def _challenge(self, request: PrivacyRequest, now: datetime) -> Mapping[str, Any]:
        minutes = getattr(self.verifier, "minutes", 30)

        async def send(code: str) -> None:
            subject, body = messages.acknowledgment(self.policy, request, code, int(minutes))
            await self._send(request, subject, body)

        try:
            return await self.verifier.challenge(request, send, now)
        except PermissionError:
            raise RequestError("no more codes can be sent for this request", 429) from None

    async def resend(self, request_id: str) -> PrivacyRequest:
        """A new code for a request waiting for verification (at most a few per request)."""
        request = await self._open_request(request_id, "received")
        now = self.clock()
        state = await self._challenge(request, now)
        return await self._save(request.with_step(Step("code_sent", now), verification=state))

    async def verify(self, request_id: str, answer: Answer, *, base: str = "") -> PrivacyRequest:
        """Check the requester's answer; on success the request is in progress (and,
        with ``auto_fulfil``, answered at once). RequestError says why not."""
        request = await self._open_request(request_id, "received")
        now = self.clock()
        outcome = await self.verifier.verify(request, answer, now)
        if not outcome.passed:
            if outcome.give_up:
                await self._close(request.evolve(verification=outcome.verification), "denied",
                                  f"the request could not be verified ({outcome.reason})", actor="consentkit")
                raise RequestError(f"{outcome.reason}: the request is closed as unverified", 403)
            await self._save(request.evolve(verification=outcome.verification))
            raise RequestError(outcome.reason, 403 if outcome.reason.startswith("too many") else 400)
        method = self.verifier.method(request)
        request = await self._save(request.with_step(
            Step("verified", now, detail={"method": method}), status="in_progress", verified_at=now, method=method,
            verification=outcome.verification))
        if request.type in KNOW_TYPES:
            since = self.clocks.know_window_start(now)
            # This request is counted already (it is in progress).
            if await self.store.count_known(request.subject, since) > self.clocks.know_limit:
                return await self._close(request, "denied", f"you have made {self.clocks.know_limit} requests to know "
                                         "in the last 12 months, the most the law entitles you to "
                                         "(Civ. Code §1798.130(b))", actor="consentkit")
        if self.auto_fulfil:
            return await self.fulfil(request.id, actor="consentkit", base=base)
        return request

    # -- staff actions -----------------------------------------------------------

    async def transition(self, request_id: str, action: Action, *, actor: str, reason: str | None = None,
                         base: str = "") -> PrivacyRequest:
        """What staff do: ``approve`` (answer a verified request now, or retry the
        sources that failed), ``deny`` (with a reason, told to the consumer),
        ``extend`` (once, with a reason, before the deadline) or ``done`` (answered
        outside consentkit). ``actor`` names who acted; it goes on the record."""
        if not actor or len(actor) > 200:
            raise RequestError("name the actor (who acts), at most 200 characters")
        reason = (reason or "").strip() or None
        if reason is not None and len(reason) > MAX_TEXT:
            raise RequestError(f"the reason must be at most {MAX_TEXT} characters")
        if action == "approve":
            await self._open_request(request_id, "in_progress")
            return await self.fulfil(request_id, actor=actor, base=base)
        if action == "deny":
            if reason is None:
                raise RequestError("a denial needs the reason, which the consumer is told")
            return await self._close(await self._open_request(request_id), "denied", reason, actor=actor)
        if action == "extend":
            return await self.extend(request_id, reason or "", actor=actor)
        if action == "done":
            return await self._close(await self._open_request(request_id, "in_progress"), "fulfilled", reason,
                                     actor=actor)
        raise RequestError(f"unknown action {action!r}: use approve, deny, extend or done")

    async def extend(self, request_id: str, reason: str, *, actor: str) -> PrivacyRequest:
        """The one extension (up to 45 more days), with its reason sent to the consumer
        before the first deadline passes."""
        request = await self._open_request(request_id)
        reason = reason.strip()
        if not reason:
            raise RequestError("an extension needs the reason, which the consumer is told")
        if request.extended_to is not None:
            raise RequestError("this request was extended already; the law allows one extension", 409)
        if self.today() > request.respond_by:
            raise RequestError("the first deadline has passed: an extension must be noticed before it", 409)
        now = self.clock()
        extended = request.with_step(Step("extended", now, actor, reason),
                                     extended_to=self.clocks.extended(request.respond_by), extension_reason=reason)
        subject, body = messages.extension(self.policy, extended)
        await self._send(extended, subject, body)
        return await self._save(extended)

    async def fulfil(self, request_id: str, *, actor: str, base: str = "") -> PrivacyRequest:
        """Answer a verified request through the sources: the package for access,
        the categories for know, deletion, correction or limiting for the others.
        Each source's outcome is recorded; if any failed the request stays open
        (``approve`` retries), else it closes and the consumer gets the answer."""
        request = await self._open_request(request_id, "in_progress")
        now = self.clock()
        subject = Subject(request.id, request.contact, request.visitor_id, request.requester)
        operation = _OPERATION[request.type]
        results = dict(request.results)
        exports: dict[str, Any] = {}
        steps = []
        for source in self.sources:
            done_before = operation != "export" and results.get(source.name, {}).get("ok")
            if not source.can(operation) or done_before:
                continue
            ok, value = await run(source, operation, subject, str(request.details.get("correction", "")))
            outcome: dict[str, Any]
            if ok and operation == "export":
                exports[source.name] = value
                outcome = {"ok": True}
            else:
                outcome = {"ok": ok} if ok else {"ok": False, "error": str(value)}
            results[source.name] = outcome
            steps.append(Step(f"source.{operation}", self.clock(), actor,
                              detail={"source": source.name, **outcome,
                                      "service_provider": source.service_provider}))
        for step in steps:
            request = request.with_step(step)
        request = request.evolve(results=results)
        failed = sorted(name for name, outcome in results.items() if not outcome.get("ok"))
        if failed:
            request = await self._save(request)
            logger.warning("request %s: %d source(s) failed; approve it again to retry", request.id, len(failed))
            return request
        link, summary = "", ""
        if request.type in KNOW_TYPES:
            if request.type == "know_categories":
                exports = {name: _categories(data) for name, data in exports.items()}
            link, download = self._download(request, now, exports)
            request = request.evolve(download=download)
        elif request.type == "delete":
            summary = "We deleted your personal information, and told our service providers to delete it too."
        request = await self._save(request)
        return await self._close(request, "fulfilled", None, actor=actor, link=link, summary=summary, base=base)

    def _download(self, request: PrivacyRequest, now: datetime, exports: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
        """The download link's path, and what the request keeps for it until it is
        used or expires: the package and a hash of the link's nonce."""
        nonce = secrets.token_urlsafe(16)
        data = package(request.id, now, exports, {"type": request.type, "controller": self.policy.controller.name})
        kept = {
            "nonce": hashlib.sha256(nonce.encode()).hexdigest(),
            "expires": (now + timedelta(days=DOWNLOAD_DAYS)).isoformat(),
            "package": base64.b64encode(data).decode("ascii"),
        }
        token = self._downloads.dumps({"r": request.id, "n": nonce})
        return f"{self.prefix}/requests/download/{token}", kept

    async def download(self, token: str) -> bytes | None:
        """The package a download link names, once: None when the token is bad,
        expired or used (the package is dropped as it is handed over)."""
        if not isinstance(token, str) or not 16 <= len(token) <= 512:
            return None
        try:
            data = self._downloads.loads(token, max_age=DOWNLOAD_DAYS * 86400)
        except itsdangerous.BadData:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("r"), str) or not isinstance(data.get("n"), str):
            return None
        request = await self.get(data["r"])
        stored = dict(request.download) if request else {}
        if request is None or not stored.get("package") or not hmac.compare_digest(
                str(stored.get("nonce", "")), hashlib.sha256(data["n"].encode()).hexdigest()):
            return None
        now = self.clock()
        if now > datetime.fromisoformat(str(stored["expires"])):
            return None
        try:
            await self._save(request.with_step(Step("downloaded", now), download={"used": now.isoformat()}))
        except Conflict:
            return None  # another download of the same link won
        return base64.b64decode(stored["package"])

    async def close_unverified(self, older_than_days: int = 14) -> int:
        """Close the requests still unverified ``older_than_days`` after receipt, with
        the reason, telling each consumer; how many were closed."""
        await self._ready()
        cutoff = self.clock() - timedelta(days=older_than_days)
        closed = 0
        for item in await self.store.find(status="received", limit=10_000):
            if item.received_at <= cutoff:
                request = await self.store.get(item.id)
                if request is not None and request.status == "received":
                    await self._close(request, "denied", "the request could not be verified: the code was not "
                                      "entered in time", actor="consentkit")
                    closed += 1
        return closed

    async def retry_failed(self) -> int:
        """Run again the sources that failed for the verified requests still open, as
        ``approve`` does (under the actor ``consentkit``), so that a source that was
        down catches up without staff; requests waiting for staff approval (no source
        run yet) are left alone. How many were answered now."""
        await self._ready()
        answered = 0
        for item in await self.store.find(status="in_progress", limit=10_000):
            request = await self.store.get(item.id)
            if request is None or request.status != "in_progress" or \
                    not any(not outcome.get("ok") for outcome in request.results.values()):
                continue
            try:
                done = await self.fulfil(request.id, actor="consentkit")
            except (RequestError, Conflict) as exc:  # closed or changed meanwhile
                logger.info("request %s: not retried (%s)", request.id, type(exc).__name__)
                continue
            answered += done.status == "fulfilled"
        return answered

    # -- metrics -------------------------------------------------------------------

    async def metrics(self, year: int) -> Metrics:
        """The §7102 figures for requests received in ``year``."""
        await self._ready()
        return await metrics_of(self.store, year)

    # -- the steps -------------------------------------------------------------------

    async def _open_request(self, request_id: str, status: str | None = None) -> PrivacyRequest:
        request = await self.get(request_id)
        if request is None:
            raise RequestNotFound()
        if not request.open:
            raise RequestError(f"the request is closed ({request.status})", 409)
        if status is not None and request.status != status:
            wanted = "waiting for verification" if status == "received" else "verified and in progress"
            raise RequestError(f"the request is not {wanted} (it is {request.status})", 409)
        return request

    async def _save(self, request: PrivacyRequest) -> PrivacyRequest:
        before = len((await self.store.get(request.id) or request).steps)
        saved = await self.store.replace(request)
        for index in range(before, len(saved.steps)):
            await self._record(saved, index)
        return saved

    async def _close(self, request: PrivacyRequest, status: str, reason: str | None, *, actor: str,
                     link: str = "", summary: str = "", base: str = "") -> PrivacyRequest:
        now = self.clock()
        closing = request.with_step(Step(status, now, actor, reason), status=status, reason=reason, closed_at=now)
        if closing.contact:
            absolute = self._absolute(link, base) if link else ""
            subject, body = messages.answer(self.policy, closing, link=absolute, link_days=DOWNLOAD_DAYS,
                                            summary=summary)
            try:
                await self._send(closing, subject, body)
            except RequestError:
                logger.warning("request %s: the answer could not be sent", request.id)
                closing = closing.with_step(Step("answer_not_sent", self.clock(), actor))
        # The data given to make and verify the request goes with the request's end.
        closed = closing.evolve(contact=None, details={}, verification={}, visitor_id=None)
        return await self._save(closed)

    def _absolute(self, path: str, base: str) -> str:
        """A link on the notifier's ``site_url`` (never on a request's Host header);
        only the development outbox, which has none, takes ``base`` (the request's
        own origin and root)."""
        origin = getattr(self.notifier, "site_url", None)
        return f"{(origin if isinstance(origin, str) and origin else base).rstrip('/')}{path}"

    async def _send(self, request: PrivacyRequest, subject: str, body: str) -> None:
        assert request.contact is not None
        link = next((w for w in body.split() if "/requests/download/" in w), "")
        try:
            await self.notifier.send(ParentMessage(request.contact, subject, body, self.clock(), link=link,
                                                   kind="privacy_request"))
        except Exception as exc:  # noqa: BLE001 - a notifier failing is no client's error
            logger.warning("a privacy request's message could not be sent: %s", type(exc).__name__)
            raise RequestError("the message could not be sent; please try again later", 503) from None

    async def _record(self, request: PrivacyRequest, index: int) -> None:
        """The request's step ``index`` as a ledger record (spooled while the ledger's
        store is down); ``seq`` orders the steps of one moment."""
        step = request.steps[index]
        extra: dict[str, Any] = {"request_id": request.id, "type": request.type, "requester": request.requester,
                                 "step": step.name, "seq": index, "status": request.status, "actor": step.actor}
        if step.reason:
            extra["reason"] = step.reason
        if step.detail:
            extra["detail"] = dict(step.detail)
        if step.name in ("received", "acknowledged"):
            extra["acknowledge_by"] = request.acknowledge_by.isoformat()
            extra["respond_by"] = request.respond_by.isoformat()
        if request.extended_to:
            extra["extended_to"] = request.extended_to.isoformat()
        await self.ledger.append(Record(
            receipt_id=secrets.token_urlsafe(18), visitor_id=ledger_key(request.id), at=step.at,
            policy_version=self.policy.version, mode=self.policy.mode, choices={}, source="request",
            verification=request.method, kind="request", extra=extra,
        ))


async def metrics_of(store: RequestStore, year: int) -> Metrics:
    """The §7102 figures for the requests ``store`` received in ``year`` (UTC)."""
    start = datetime(year, 1, 1, tzinfo=UTC)
    found = await store.received_between(start, start.replace(year=year + 1))
    by_type: dict[str, dict[str, float | int | None]] = {}
    for kind in sorted({r.type for r in found}):
        mine = [r for r in found if r.type == kind]
        days = [(r.closed_at - r.received_at).total_seconds() / 86400 for r in mine if r.closed_at]
        by_type[kind] = {
            "received": len(mine),
            "complied": sum(1 for r in mine if r.status == "fulfilled"),
            "denied": sum(1 for r in mine if r.status == "denied"),
            "open": sum(1 for r in mine if r.open),
            "median_days": round(statistics.median(days), 1) if days else None,
            "mean_days": round(statistics.fmean(days), 1) if days else None,
        }
    return Metrics(year, by_type)


_OPERATION: dict[str, Operation] = {"know_categories": "export", "access": "export", "delete": "delete",
                                   "correct": "correct", "limit_sensitive": "limit"}


def ledger_key(request_id: str) -> str:
    """The pseudonym a request's records are kept under in the ledger."""
    return f"req-{request_id}"


def _categories(data: Any) -> Any:
    """What a request to know the categories gets from an export: the kinds of
    information (field names), not their values."""
    if isinstance(data, Mapping):
        return sorted(str(k) for k in data)
    if isinstance(data, list):
        return sorted({str(k) for item in data if isinstance(item, Mapping) for k in item})
    return []


__all__ = ["DOWNLOAD_DAYS", "Intake", "Metrics", "RequestDesk", "ledger_key", "metrics_of", "open_request_store"]
