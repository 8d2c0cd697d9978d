"""``Visit``: one request's consent, from the cookie it brought to the cookie it
takes away. The middleware builds one per HTTP request; endpoints change it."""

from __future__ import annotations

import dataclasses
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from starlette.types import Scope

from .cookie_trust import PLAIN_NAME, consent_cookie_name, read_consent_cookies
from .kit import ConsentKit
from .ledger.base import Record
from .mount import root_url
from .outcomes import REFRESH_AFTER_SECONDS, Cached, Fresh
from .policy import Policy
from .record_limit import RecordLimitExceeded
from .rules import Decision, Outcome, Signals, evaluate, view
from .state import Choices, ConsentState

# The request headers we use: each raw name (ASGI gives them in lowercase) with its
# name as text, so that a request's headers are looked up once and never decoded.
_WANTED = {
    raw: raw.decode("latin-1") for raw in (
        b"cookie", b"sec-gpc", b"host", b"origin", b"referer", b"user-agent", b"content-type", b"content-length",
        b"accept-language", b"if-none-match", b"x-consentkit-test",
    )
}
# The request header of a QA run's marker (``ConsentKit.test_token``): its decisions are
# recorded with source "test", out of the statistics.
TEST_HEADER = "x-consentkit-test"


def request_headers(scope: Scope) -> dict[str, str]:
    """The request headers we use, decoded once (latin-1, as HTTP defines them).
    ASGI gives names in lowercase. Repeated headers are joined as HTTP allows;
    Cookie with "; "."""
    out: dict[str, str] = {}
    wanted = _WANTED.get
    for raw_name, raw_value in scope.get("headers", ()):
        name = wanted(raw_name)
        if name is None:
            continue
        if name in out:
            out[name] = out[name] + ("; " if name == "cookie" else ", ") + raw_value.decode("latin-1")
        else:
            out[name] = raw_value.decode("latin-1")
    return out


def find_cookie(header: str | None, name: str) -> str | None:
    """The value of one cookie in a Cookie header, without parsing all of them
    (a request may carry thousands)."""
    if not header:
        return None
    key = name + "="
    start = 0
    while True:
        at = header.find(key, start)
        if at < 0:
            return None
        if at == 0 or header[at - 1] in "; ":
            end = header.find(";", at)
            value = header[at + len(key): end if end >= 0 else None].strip()
            return value.strip('"')
        start = at + len(key)


def single_consent_cookie(header: str | None, name: str) -> str | None:
    """The value of the request's consent cookie when the Cookie header holds exactly
    one, named ``name`` (a returning visitor's usual request), found without splitting
    the header; None for anything else, which ``read_consent_cookies`` then reads
    (several consent cookies, another name, an odd spelling)."""
    if not header:
        return None
    # Every consent cookie's name ends in PLAIN_NAME, found exactly once (it cannot overlap itself).
    plain = header.find(PLAIN_NAME)
    if plain < 0 or header.find(PLAIN_NAME, plain + len(PLAIN_NAME)) >= 0:
        return None
    at = plain + len(PLAIN_NAME) - len(name)  # where ``name`` starts, if it is the one there
    value = plain + len(PLAIN_NAME) + 1
    if at < 0 or not header.startswith(name, at) or header[value - 1:value] != "=":
        return None
    # Only spaces between the previous ";" (or the start) and the name: the usual "; " quickly.
    if at and header[at - 1] != ";" and not (header[at - 1] == " " and (at == 1 or header[at - 2] == ";")) \
            and header[header.rfind(";", 0, at) + 1:at].strip():
        return None
    end = header.find(";", value)
    return header[value:end if end >= 0 else None].strip().strip('"')


def cookie_names(header: str | None) -> list[str]:
    if not header:
        return []
    return [part.split("=", 1)[0].strip() for part in header.split(";") if "=" in part]


def _secure(kit: ConsentKit, scope: Scope) -> bool:
    return kit.secure_cookie if kit.secure_cookie is not None else scope.get("scheme") in ("https", "wss")


def _cookie_name(kit: ConsentKit, scope: Scope) -> str:
    """The consent cookie's name for this request (``Visit.cookie_name`` for a visit)."""
    return consent_cookie_name(secure=_secure(kit, scope), cookie_domain=kit.cookie_domain)


@dataclass(slots=True)
class Visit:
    """The consent of one request: what it brought, what applies, what changed."""

    kit: ConsentKit
    scope: Scope
    headers: dict[str, str]
    now: datetime
    brought: Choices | None
    outcome: Outcome
    # Granted categories as the request came in: what a decision may withdraw.
    arrived: Mapping[str, bool]
    dirty: bool = False
    records: list[Record] = field(default_factory=list)
    # Consent cookies of the request that this response expires (cookie_trust).
    superseded: tuple[str, ...] = ()
    # The kit's cache entry for the cookie this request brought, if it has one.
    cached: Cached | None = None
    # The policy as this request's region has it (kit.policy itself without regions).
    policy: Policy = None  # type: ignore[assignment]
    # A new visitor's: the outcome every new visitor shares but for the id.
    fresh: Fresh | None = None

    def __post_init__(self) -> None:
        if self.policy is None:
            self.policy = self.kit.policy.for_region(self.outcome.state.region)

    @classmethod
    def begin(cls, kit: ConsentKit, scope: Scope) -> Visit:
        headers = request_headers(scope)
        now = kit.clock()
        gpc = headers.get("sec-gpc") == "1"
        region = kit.region_of(scope) if kit.locates else None
        policy = kit.policy.for_region(region)
        cookie = headers.get("cookie")
        if not cookie or PLAIN_NAME not in cookie:  # no consent cookie: a new visitor
            fresh = kit.outcomes.fresh(policy, gpc)
            if fresh is not None:
                return cls._new(kit, scope, headers, now, fresh, policy)
        else:  # a returning visitor's cookie seen before: its outcome, without reading the cookie again
            only = single_consent_cookie(cookie, _cookie_name(kit, scope))
            cached = kit.outcomes.get(only, gpc, now, region) if only else None
            if cached is not None:
                return cls._returning(kit, scope, headers, now, cached, policy)
        return cls._read(kit, scope, headers, now, _cookie_name(kit, scope), gpc, region, policy)

    @classmethod
    def _new(cls, kit: ConsentKit, scope: Scope, headers: dict[str, str], now: datetime, fresh: Fresh, policy: Policy,
             superseded: tuple[str, ...] = ()) -> Visit:
        """A new visitor: the outcome every new visitor shares but for the id."""
        outcome = fresh.for_visitor(kit.new_visitor_id())
        return _quick(cls, kit, scope, headers, now, None, outcome, outcome.state.categories, outcome.choices.gpc,
                      superseded, None, policy, fresh)

    @classmethod
    def _returning(cls, kit: ConsentKit, scope: Scope, headers: dict[str, str], now: datetime, cached: Cached,
                   policy: Policy, superseded: tuple[str, ...] = ()) -> Visit:
        # Re-sign a cookie of an older key at once, so the key can be retired soon (stale_at None).
        stale_at = cached.stale_at
        stale = stale_at is None or now >= stale_at
        outcome = cached.outcome
        return _quick(cls, kit, scope, headers, now, cached.brought, outcome, outcome.state.categories, stale,
                      superseded, cached, policy, None)

    @classmethod
    def _read(cls, kit: ConsentKit, scope: Scope, headers: dict[str, str], now: datetime, name: str, gpc: bool,
              region: str | None, policy: Policy) -> Visit:
        """The long way: the request's consent cookies read by the rules of cookie_trust."""
        reading = read_consent_cookies(kit.codec, kit.policy, headers.get("cookie"), name=name, now=now,
                                       new_visitor_id=kit.new_visitor_id)
        raw, loaded, brought, superseded = reading.raw, reading.loaded, reading.choices, reading.superseded
        # A conflict's result is new: it must be stored, under its new visitor id.
        stale = reading.conflict
        if loaded is not None:
            stale = loaded.age > REFRESH_AFTER_SECONDS or not loaded.current_key
            cached = kit.outcomes.get(raw, gpc, now, region) if raw else None
            if cached is not None:
                return cls._returning(kit, scope, headers, now, cached, policy, superseded)
        if brought is None and loaded is None and not stale:
            fresh = kit.outcomes.fresh(policy, gpc)
            if fresh is not None:
                return cls._new(kit, scope, headers, now, fresh, policy, superseded)
        choices = brought or Choices(visitor_id=kit.new_visitor_id())
        outcome = evaluate(policy, choices, Signals(gpc=gpc), now)
        entry = None
        if outcome.decision is None:
            arrived = outcome.state.categories
            if raw and loaded is not None:
                entry = kit.outcomes.put(raw, gpc, outcome, loaded, now, region)
        else:  # the signal decided: compare with the state the cookie alone gives
            arrived = view(policy, choices, now).categories
        dirty = outcome.choices != choices or stale
        return cls(kit, scope, headers, now, brought, outcome, arrived, dirty, cached=entry, superseded=superseded,
                   policy=policy)

    @property
    def state(self) -> ConsentState:
        return self.outcome.state

    @property
    def choices(self) -> Choices:
        return self.outcome.choices

    def _pending(self) -> bool:
        return self.outcome.decision is not None and not self.records

    def _may_record(self, count: int) -> bool:
        limit = self.kit.record_limit
        client = self.scope.get("client")
        return limit is None or limit.allow(client[0] if client else None, count)

    @property
    def test_run(self) -> bool:
        """Whether the request carries the kit's test marker (``kit.test_token``)."""
        token = self.headers.get(TEST_HEADER)
        return token is not None and any(
            hmac.compare_digest(token.encode("latin-1"), known.encode()) for known in self.kit.codec.test_tokens)

    def _as_recorded(self, decision: Decision) -> Decision:
        """A QA run's decision is recorded with source ``test``."""
        return dataclasses.replace(decision, source="test") if self.test_run else decision

    async def record_pending(self, *, counted: bool = False) -> bool:
        """Record the decision the signals made (GPC), if any; False when this client
        may not add records now (``ConsentKit.record_limit``): the decision then holds
        for this request only, and must not be stored in a cookie."""
        decision = self.outcome.decision
        if decision is not None and not self.records:
            if not counted and not self._may_record(1):
                return False
            record = await self.kit.record(self._as_recorded(decision), self.headers.get("user-agent"))
            self.records.append(record)
            await self.kit.tell_opt_out(record, self.arrived, self.outcome.state.categories)
        return True

    async def apply(self, outcome: Outcome, **extra: Any) -> Record | None:
        """Take a new outcome (a decision) for this request and record it;
        RecordLimitExceeded (nothing changed) when this client may not add records now."""
        count = int(self._pending()) + int(outcome.decision is not None)
        if count and not self._may_record(count):
            raise RecordLimitExceeded("too many decisions from this client; try again in a minute")
        await self.record_pending(counted=True)
        before = self.outcome.state.categories
        self.outcome = outcome
        self.fresh = None
        self.dirty = True
        if outcome.decision is None:
            return None
        record = await self.kit.record(self._as_recorded(outcome.decision), self.headers.get("user-agent"), **extra)
        self.records.append(record)
        await self.kit.tell_opt_out(record, before, outcome.state.categories)
        return record

    def adopt(self, choices: Choices) -> None:
        """Take choices decided elsewhere and already recorded (a parent's decision)."""
        self.outcome = Outcome(choices, view(self.policy, choices, self.now))
        self.fresh = None
        self.dirty = True

    def withdrawn(self) -> set[str]:
        """Categories granted when the request came in and denied now."""
        now = self.outcome.state.categories
        if now is self.arrived:  # nothing was decided in this request
            return set()
        return {cid for cid, was in self.arrived.items() if was and not now.get(cid, False)}

    @property
    def root(self) -> str:
        """Where the app is mounted (``/shop``, or ``""``), as a URL path."""
        return root_url(self.scope)

    @property
    def prefix(self) -> str:
        """The consent endpoints' path on this request's site: the root and the kit's prefix."""
        return self.root + self.kit.prefix

    @property
    def https(self) -> bool:
        return self.scope.get("scheme") in ("https", "wss")

    @property
    def host(self) -> str:
        host = self.headers.get("host", "")
        if host.startswith("["):
            return host.split("]", 1)[0] + "]"
        return host.rsplit(":", 1)[0] if host.count(":") == 1 else host

    @property
    def secure(self) -> bool:
        """Whether the browser reached the site over TLS (``secure_cookie`` says so
        behind a proxy that terminates it)."""
        return _secure(self.kit, self.scope)

    @property
    def cookie_name(self) -> str:
        """The consent cookie's name on this response: ``__Host-consentkit`` on HTTPS,
        ``__Secure-consentkit`` there with a ``cookie_domain``, else ``consentkit``."""
        return consent_cookie_name(secure=self.secure, cookie_domain=self.kit.cookie_domain)


def _quick(cls: type[Visit], kit: ConsentKit, scope: Scope, headers: dict[str, str], now: datetime,
           brought: Choices | None, outcome: Outcome, arrived: Mapping[str, bool], dirty: bool,
           superseded: tuple[str, ...], cached: Cached | None, policy: Policy, fresh: Fresh | None) -> Visit:
    """``cls(...)`` with every field given, as a page view makes one: without the
    dataclass's keyword arguments and ``__post_init__`` (``policy`` is known)."""
    visit = object.__new__(cls)
    visit.kit = kit
    visit.scope = scope
    visit.headers = headers
    visit.now = now
    visit.brought = brought
    visit.outcome = outcome
    visit.arrived = arrived
    visit.dirty = dirty
    visit.records = []
    visit.superseded = superseded
    visit.cached = cached
    visit.policy = policy
    visit.fresh = fresh
    return visit
