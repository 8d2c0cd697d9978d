"""Which consent cookie of a request to believe (contract section 8, issue 13 M1).

A sibling host (user content, a marketing site, or plain HTTP under a network
attacker) can set a cookie on the parent domain: ``consentkit=<a valid cookie
minted in the attacker's own visit>``. Browsers then send two, in an order the
attacker can influence. The rules:

- On HTTPS the cookie is ``__Host-consentkit`` (Secure, Path=/, no Domain): only
  this host, over TLS, can set it. When the request has it, it alone counts; any
  other consent cookie is ignored and expired.
- With ``cookie_domain`` the cookie is ``__Secure-consentkit`` on that domain, and
  on plain HTTP (development) ``consentkit``: every host under the domain (every
  host, on HTTP) can set one. A single cookie of the expected name counts.
- Anything else is a **conflict**: two or more different consent cookies, or on
  HTTPS an older name without ``__Host-consentkit`` (an existing visitor's cookie
  from before, or one tossed in). It is resolved in the visitor's favour: the
  result grants a category only if every cookie *and a new visitor's default*
  grants it, keeps every opt-out, GPC and the youngest age band, and takes a **new
  visitor id**, so that no decision goes under an id an attacker minted and can
  read back at ``/consentkit/receipts``. In ``opt_out`` mode a migrating visitor
  keeps their choices (the default grants what they granted); in ``opt_in`` mode
  their grants are asked again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from .cookie import CookieCodec, Loaded
from .policy import Policy
from .rules import effective_categories, effective_services
from .state import AGE_BANDS, AgeBand, Choices

__all__ = ["CONSENT_COOKIE_NAMES", "HOST_NAME", "PLAIN_NAME", "SECURE_NAME", "Reading", "consent_cookie_name",
           "merge_in_visitors_favour", "read_consent_cookies"]

HOST_NAME = "__Host-consentkit"
SECURE_NAME = "__Secure-consentkit"
PLAIN_NAME = "consentkit"
CONSENT_COOKIE_NAMES = (HOST_NAME, SECURE_NAME, PLAIN_NAME)
# A browser holds a handful at most; more is crafted, and each costs a verification.
_MAX_VALUES = 4


def consent_cookie_name(*, secure: bool, cookie_domain: str | None) -> str:
    """The name of the consent cookie a response sets."""
    if not secure:
        return PLAIN_NAME
    return SECURE_NAME if cookie_domain else HOST_NAME


def consent_values(header: str | None) -> list[tuple[str, str]]:
    """Every consent cookie of a Cookie header, (name, value), in order, at most a few."""
    found: list[tuple[str, str]] = []
    if not header or "consentkit=" not in header:
        return found
    for part in header.split(";"):
        name, eq, value = part.partition("=")
        name = name.strip()
        if eq and name in CONSENT_COOKIE_NAMES:
            found.append((name, value.strip().strip('"')))
            if len(found) >= 2 * _MAX_VALUES:
                break
    return found


@dataclass(frozen=True, slots=True)
class Reading:
    """What the request's consent cookies come to.

    ``raw`` is the one trusted value (None when there is none or after a conflict);
    ``choices`` the choices to apply (None: a new visitor); ``conflict`` whether they
    were merged from several; ``superseded`` the names of consent cookies in the
    request that the response should expire."""

    raw: str | None
    loaded: Loaded | None
    choices: Choices | None
    conflict: bool
    superseded: tuple[str, ...]


_NONE = Reading(None, None, None, False, ())


def read_consent_cookies(
    codec: CookieCodec,
    policy: Policy,
    header: str | None,
    *,
    name: str,
    now: datetime,
    new_visitor_id: Callable[[], str],
) -> Reading:
    """Apply the rules of this module to a request's Cookie header; ``name`` is the
    name this response would set (``consent_cookie_name``)."""
    values = consent_values(header)
    if not values:  # a new visitor
        return _NONE
    if len(values) == 1 and values[0][0] == name:  # a returning visitor: one cookie, the expected one
        loaded = codec.loads(values[0][1], now)
        return Reading(values[0][1], loaded, loaded.choices if loaded else None, False, ())
    others = tuple(sorted({n for n, _ in values if n != name}))
    if name == HOST_NAME:
        own = next((v for n, v in values if n == HOST_NAME), None)
        if own is not None:
            loaded = codec.loads(own, now)
            return Reading(own, loaded, loaded.choices if loaded else None, False, others)
    distinct = list(dict.fromkeys(v for _, v in values))
    if not distinct:
        return Reading(None, None, None, False, ())
    if len(distinct) == 1 and not others and name != HOST_NAME:
        loaded = codec.loads(distinct[0], now)
        return Reading(distinct[0], loaded, loaded.choices if loaded else None, False, ())
    found = [loaded.choices for v in distinct[:_MAX_VALUES] if (loaded := codec.loads(v, now)) is not None]
    # The request's own name is expired too, on the domains, so that a tossed copy goes.
    superseded = tuple(sorted({n for n, _ in values} - {HOST_NAME}))
    if not found:
        return Reading(None, None, None, False, superseded)
    fresh = Choices(visitor_id=new_visitor_id())
    merged = merge_in_visitors_favour(policy, [*found, fresh], fresh.visitor_id, now)
    return Reading(None, None, merged, True, superseded)


def _youngest(bands: Sequence[AgeBand]) -> AgeBand:
    known = [b for b in bands if b != "unknown"]
    return min(known, key=AGE_BANDS.index) if known else "unknown"


def merge_in_visitors_favour(policy: Policy, candidates: Sequence[Choices], visitor_id: str, now: datetime) -> Choices:
    """The most restrictive of several choices, under ``visitor_id``: a category is
    granted only where every candidate grants it; opt-outs, GPC, the 12-month
    window and the youngest age band are kept; a parent's grant is not carried
    (a child's categories stay denied until a parent grants them again)."""
    states = [effective_categories(policy, c, now) for c in candidates]
    granted = {cid: all(s.get(cid, False) for s in states) for cid in policy.optional_ids}
    versions = {c.policy_version for c in candidates if c.decided_at is not None}
    decided = [c.decided_at for c in candidates if c.decided_at is not None]
    explicit = [c for c in candidates if c.choices or c.decided_at is not None]
    # Decided only if every cookie was, alike, and the merge took no grant away from
    # any: otherwise the banner asks the visitor again.
    unchanged = all(all(state.get(cid, False) == on for cid, on in granted.items())
                    for c, state in zip(candidates, states, strict=True) if c in explicit)
    all_decided = bool(explicit) and len(decided) == len(explicit) and len(versions) == 1 and unchanged
    reprompts = [c.reprompt_not_before for c in candidates if c.reprompt_not_before is not None]
    merged = Choices(
        visitor_id=visitor_id,
        policy_version=versions.pop() if all_decided else "",
        choices=MappingProxyType({cid: False for cid, on in granted.items() if not on}),
        decided_at=max(decided) if all_decided and decided else None,
        gpc=any(c.gpc for c in candidates),
        reprompt_not_before=max(reprompts) if reprompts else None,
        age_band=_youngest([c.age_band for c in candidates]),
        sale_opt_in=bool(explicit) and all(c.sale_opt_in for c in explicit),
        updated_at=now,
    )
    # By construction nothing more is granted than every candidate grants; check it,
    # since the rules (age bands, a teen's opt-in) decide what "False" means.
    result = effective_categories(policy, merged, now)
    extra = {cid: False for cid, on in result.items() if on and not granted.get(cid, True)}
    if extra:
        merged = merged.evolve(choices={**merged.choices, **extra})
        result = effective_categories(policy, merged, now)
    # A service is granted only where every candidate grants it, too.
    every = [effective_services(policy, c, now, s) for c, s in zip(candidates, states, strict=True)]
    services = {sid: all(s[sid] for s in every) for sid in policy.service_ids}
    own = {sid: on for sid, on in services.items() if on != result[policy.service(sid)[0].id]}
    if own:
        merged = merged.evolve(services=own)
        got = effective_services(policy, merged, now, result)
        merged = merged.evolve(services={**own, **{sid: False for sid, on in got.items() if on and not services[sid]}})
    return merged
