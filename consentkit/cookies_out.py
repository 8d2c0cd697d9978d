"""Set-Cookie policing: drop the cookies of categories without consent, expire
them when consent is withdrawn or while the request still carries them (contract
section 4, rule 10), and add the consent cookie itself, only to responses no shared
cache may keep.

Everything works on raw ASGI header values (bytes), so the middleware can apply it
to ``http.response.start`` without decoding the whole header list.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, datetime

from starlette.datastructures import MutableHeaders

from .cookie import MAX_AGE_SECONDS
from .cookie_dates import parse_cookie_date
from .cookie_domains import cookie_domains
from .outcomes import Cached, Fresh
from .policy import Policy
from .visit import Visit, cookie_names

__all__ = [
    "MAX_EXPIRY_HEADERS", "add_consent_headers", "add_vary", "consent_cookie", "consent_headers", "consent_values",
    "cookie_name", "expiry_headers", "filter_set_cookies", "shared_cache_may_store", "vary_on_consent",
]

_SET_COOKIE = b"set-cookie"
_EPOCH = datetime(1970, 1, 2, tzinfo=UTC)
_EXPIRED = b"Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/"
# A cookie name we may write back into a header: an RFC 6265 token, nothing that
# could end the header or start another attribute.
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
# No tracker names its cookies longer; a longer name in a request is crafted.
MAX_NAME = 256
# At most this many Set-Cookie headers expire cookies in one response, whatever the
# request carries: a page view that leaves some behind expires them on the next.
MAX_EXPIRY_HEADERS = 48
_VARY = "Cookie, Sec-GPC"
_VARY_BYTES = _VARY.encode()
_VALIDATORS = (b"etag", b"last-modified", b"expires")


def _allowed(policy: Policy, granted: Mapping[str, bool], category: str) -> bool:
    return category in policy and (policy.category(category).required or granted.get(category, False))


def cookie_name(set_cookie: bytes) -> str:
    """The name a Set-Cookie value sets ("" when it has none, RFC 6265bis 5.6)."""
    pair = set_cookie.split(b";", 1)[0]
    name, eq, _ = pair.partition(b"=")
    return name.strip().decode("latin-1") if eq else ""


def _is_deletion(set_cookie: bytes, now: datetime | None) -> bool:
    """Whether this Set-Cookie removes its cookie instead of setting it."""
    max_age = expires = None
    for part in set_cookie.split(b";")[1:]:
        key, _, value = part.partition(b"=")
        key = key.strip().lower()
        if key == b"max-age":
            max_age = value.strip()
        elif key == b"expires":
            expires = value.strip()
    if max_age is not None and re.fullmatch(rb"-?[0-9]+", max_age):
        return int(max_age) <= 0  # Max-Age wins over Expires (RFC 6265 5.3 step 3)
    if expires is None:
        return False
    # Read as the browser reads it: a date it ignores makes a session cookie, not a deletion.
    when = parse_cookie_date(expires)
    return when is not None and when < (now if now is not None else _EPOCH)


def filter_set_cookies(
    headers: list[tuple[bytes, bytes]], policy: Policy, granted: Mapping[str, bool], *, now: datetime | None = None
) -> list[tuple[bytes, bytes]]:
    """``headers`` without the Set-Cookie of any cookie a category not granted declares.

    Other headers keep their order. A Set-Cookie that deletes such a cookie
    (``Max-Age`` <= 0, or ``Expires`` before ``now``; without ``now``, an Expires
    in 1970, the usual way to delete) passes: it removes, it does not set.
    """
    kept = []
    for name, value in headers:
        if name.lower() == _SET_COOKIE:
            category = policy.category_for_cookie(cookie_name(value))
            if category is not None and not _allowed(policy, granted, category) and not _is_deletion(value, now):
                continue
        kept.append((name, value))
    return kept



def expiry_headers(
    policy: Policy,
    withdrawn: Iterable[str],
    request_cookie_names: Iterable[str],
    host: str,
    *,
    secure: bool,
    denied: Collection[str] = (),
    cookie_domain: str | None = None,
    also: Iterable[str] = (),
    limit: int = MAX_EXPIRY_HEADERS,
) -> list[bytes]:
    """Set-Cookie values that expire cookies of categories the visitor does not grant.

    For each ``withdrawn`` category (consent taken back in this request): every name
    it declares, and each cookie of the request matching a declared ``prefix*``. For
    each ``denied`` category: the cookies of the request it declares, since a vendor
    script still running in an open page may have set them again. ``also``: other
    names of the request to expire (a superseded consent cookie).

    Each name is expired on path ``/``, host-only and on ``cookie_domains()`` (the
    host and its registrable domain, or the configured ``cookie_domain``): at most
    three headers a name, and at most ``limit`` headers in all, declared names first.
    """
    optional = policy.optional_id_set
    names: dict[str, None] = {}
    withdrawn = [c for c in withdrawn if c in optional]
    for category_id in withdrawn:
        for rule in policy.category(category_id).cookies:
            if not rule.is_prefix:
                names[rule.pattern] = None
    for name in also:
        if _TOKEN.match(name):
            names[name] = None
    expire = set(withdrawn).union(c for c in denied if c in optional)
    if expire:
        for name in request_cookie_names:
            if (name not in names and policy.category_for_cookie(name) in expire and len(name) <= MAX_NAME
                    and _TOKEN.match(name)):
                names[name] = None
    values: list[bytes] = []
    if not names:
        return values
    domains = [d.encode("ascii") for d in cookie_domains(host, cookie_domain)]
    for name in names:
        flags = b"; Secure" if secure or name.startswith(("__Secure-", "__Host-")) else b""
        base = name.encode("latin-1") + b"=; " + _EXPIRED + flags
        group = [base]
        if not name.startswith("__Host-"):  # a __Host- cookie never has a Domain
            group += [base + b"; Domain=" + domain for domain in domains]
        if len(values) + len(group) > limit:
            break
        values += group
    return values


def vary_on_consent(headers: MutableHeaders, region: str | None = None) -> None:
    """Say that the response depends on the consent cookie and the GPC signal (and
    ``region``, the request headers the visitor's region is read from, if any)."""
    raw = headers.raw
    for name, _ in raw:
        if name.lower() == b"vary":
            headers.add_vary_header(_VARY if region is None else f"{_VARY}, {region}")  # merged with the app's own
            return
    raw.append(_vary_header(region))


def add_vary(raw: list[tuple[bytes, bytes]], region: str | None, present: bool) -> None:
    """``vary_on_consent()`` on a header list; ``present``: whether it has a Vary header."""
    if present:
        vary_on_consent(MutableHeaders(raw=raw), region)
    else:
        raw.append(_vary_header(region))


def _vary_header(region: str | None) -> tuple[bytes, bytes]:
    return b"vary", _VARY_BYTES if region is None else f"{_VARY}, {region}".encode()


def _directives(raw: list[tuple[bytes, bytes]]) -> dict[bytes, bytes]:
    found: dict[bytes, bytes] = {}
    for name, value in raw:
        if name.lower() == b"cache-control":
            for part in value.lower().split(b","):
                key, _, arg = part.partition(b"=")
                found.setdefault(key.strip(), arg.strip().strip(b'"'))
    return found


def shared_cache_may_store(raw: list[tuple[bytes, bytes]]) -> bool:
    """Whether a shared cache may keep this response and serve it to others: it says
    so (``public``, ``s-maxage``, a positive ``max-age``, ``Expires``), or it has a
    validator (``ETag``, ``Last-Modified``: a static file) and does not say
    ``private`` or ``no-store``. Such a response must carry no visitor's cookie."""
    validator = False
    directives: dict[bytes, bytes] = {}
    for name, value in raw:
        name = name.lower()
        if name in _VALIDATORS:
            validator = True
        elif name == b"cache-control":
            for part in value.lower().split(b","):
                key, _, arg = part.partition(b"=")
                directives.setdefault(key.strip(), arg.strip().strip(b'"'))
    if not directives:
        return validator
    if b"private" in directives or b"no-store" in directives:
        return False
    if b"public" in directives or b"s-maxage" in directives:
        return True
    if directives.get(b"max-age", b"0").isdigit() and int(directives.get(b"max-age", b"0")) > 0:
        return True
    return validator


def _keep_private(headers: MutableHeaders) -> None:
    """A response that gets a visitor's cookie and says nothing about caching is
    marked ``private``: without it, a shared cache could store it by heuristics."""
    directives = _directives(headers.raw)
    if b"private" in directives or b"no-store" in directives:
        return
    current = headers.get("cache-control")
    if current is None:
        headers.raw.append((b"cache-control", b"private"))
    else:
        headers["cache-control"] = current + ", private"


def _expiries(visit: Visit) -> list[bytes]:
    """Set-Cookie values that expire the cookies of categories this visit does not
    grant (all that a category withdrawn now declares, those of any denied category
    that the request still carries) and consent cookies it supersedes."""
    categories = visit.outcome.state.categories
    if categories is visit.arrived and not visit.superseded:  # nothing withdrawn in this request
        header = visit.headers.get("cookie")
        if not header:
            return []
        denied, needles = _denied(visit, categories)  # kept per cached outcome
        # Most page views carry no cookie of a denied category: no name or prefix one
        # declares is even in the header (one search), else each name is looked up.
        if needles is None or not needles.search(header):
            return []
        withdrawn: Collection[str] = ()
    else:
        denied = [cid for cid, granted in categories.items() if not granted]
        withdrawn = visit.withdrawn()
    if not withdrawn and not visit.superseded:
        header = visit.headers.get("cookie")
        if not denied or not header:
            return []
        # One pass (str.split, several times faster than a regular expression over the header).
        category_for_cookie = visit.kit.policy.category_for_cookie
        for part in header.split(";"):
            name, eq, _ = part.partition("=")
            if eq and category_for_cookie(name.strip()) in denied:
                break
        else:
            return []
    return expiry_headers(
        visit.kit.policy, withdrawn, cookie_names(visit.headers.get("cookie")), visit.host,
        secure=visit.secure, denied=denied, cookie_domain=visit.kit.cookie_domain, also=visit.superseded,
    )


def _denied(visit: Visit, categories: Mapping[str, bool]) -> tuple[list[str], re.Pattern[str] | None]:
    """The categories denied, and a pattern found in every Cookie header that carries
    a cookie one of them declares (None: they declare none); worked out once per
    cached outcome (a returning visitor's cookie, or the new visitors' shared one)."""
    entry: Cached | Fresh | None = visit.fresh
    if entry is None or entry.outcome.state.categories is not categories:
        entry = visit.cached
        if entry is None or entry.outcome.state.categories is not categories:
            return _denied_of(visit.kit.policy, categories)
    if entry.denied is None:
        entry.denied = _denied_of(visit.kit.policy, categories)
    return entry.denied


def _denied_of(policy: Policy, categories: Mapping[str, bool]) -> tuple[list[str], re.Pattern[str] | None]:
    denied = [cid for cid, granted in categories.items() if not granted]
    # A name category_for_cookie() gives a denied category holds a name or prefix that
    # category declares: each of them is a part of the header that carries it.
    needles = sorted({
        rule.pattern[:-1] if rule.is_prefix else rule.pattern
        for cid in denied if cid in policy and not policy.category(cid).required
        for rule in policy.category(cid).cookies
    })
    return denied, (re.compile("|".join(map(re.escape, needles))) if needles else None)


def consent_cookie(visit: Visit) -> bytes:
    """The Set-Cookie value that stores this visit's choices."""
    kit = visit.kit
    secure = visit.secure
    parts = [
        f"{visit.cookie_name}={kit.codec.dumps(visit.choices)}",
        "Path=/",
        f"Max-Age={MAX_AGE_SECONDS}",
        "HttpOnly",
        "SameSite=Lax",
    ]
    if secure:
        parts.append("Secure")
    if kit.cookie_domain:  # never with __Host-: that name is only used without one
        parts.append(f"Domain={kit.cookie_domain}")
    return "; ".join(parts).encode("latin-1")


async def consent_headers(visit: Visit, status: int, headers: MutableHeaders) -> None:
    """Add what the visit changed: the new consent cookie (after recording a decision
    the request's signals made), and the expiry of cookies of categories not
    granted. Nothing on an error (a refused request changes nothing), on a HEAD
    response or on one a shared cache may store; where something is added, ``Vary``
    and, if the response said nothing about caching, ``private``."""
    values = consent_values(visit, status, headers.raw)
    if values is not None:
        await add_consent_headers(visit, headers.raw, values)


def consent_values(visit: Visit, status: int, raw: list[tuple[bytes, bytes]], *,
                   caching: bool = True) -> list[bytes] | None:
    """``consent_headers()``'s first half, without awaiting: None when the response
    may carry no cookie of ours, else the expiries it carries (``add_consent_headers()``
    adds the consent cookie to them when ``visit.dirty``; with neither, it has nothing
    to do and need not be awaited). ``caching``: False when ``raw`` has no header that
    says anything about caching (Cache-Control, Expires, ETag, Last-Modified)."""
    if status >= 400 or visit.scope.get("method") == "HEAD" or (caching and shared_cache_may_store(raw)):
        return None
    return _expiries(visit)


async def add_consent_headers(visit: Visit, raw: list[tuple[bytes, bytes]], values: list[bytes]) -> bool:
    """``consent_headers()``'s second half: the consent cookie when the visit changed it
    (its pending decision recorded first), the Set-Cookie ``values``, ``Vary`` and
    ``private``; whether anything was added."""
    if visit.dirty and await visit.record_pending():
        values.append(consent_cookie(visit))
    if not values:
        return False
    raw.extend((_SET_COOKIE, value) for value in values)
    headers = MutableHeaders(raw=raw)
    vary_on_consent(headers, visit.kit.locator.vary)
    _keep_private(headers)
    return True
