"""Set-Cookie policing: drop the cookies of categories without consent, and expire
them when consent is withdrawn (contract section 4, rule 10).

Both work on raw ASGI header values (bytes), so the middleware can apply them to
``http.response.start`` without decoding the whole header list. ``consent_headers``
and ``vary_on_consent`` add what every consent-dependent response carries: the new
consent cookie, the expiry of withdrawn categories' cookies, and ``Vary``.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from starlette.datastructures import MutableHeaders

from .policy import Policy
from .visit import Visit, cookie_names

__all__ = [
    "consent_headers", "cookie_name", "expiry_headers", "filter_set_cookies", "parent_domains", "vary_on_consent",
]

_SET_COOKIE = b"set-cookie"
_EPOCH = datetime(1970, 1, 2, tzinfo=UTC)
_EXPIRED = b"Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/"
# A cookie name we may write back into a header: an RFC 6265 token, nothing that
# could end the header or start another attribute.
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_LABEL = re.compile(r"^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$")
# Second-level labels that, under a two-letter country code, are public suffixes
# (co.uk, com.au, ac.jp...). Without the Public Suffix List this is a heuristic; a
# suffix it misses only costs a Domain= header that browsers refuse.
_GENERIC_SECOND_LEVEL = frozenset(
    ("co", "com", "net", "org", "gov", "edu", "ac", "or", "ne", "go", "mil", "nom", "sch", "ltd", "plc", "gob", "gv")
)


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
    try:
        when = parsedate_to_datetime(expires.decode("latin-1"))
    except (TypeError, ValueError, IndexError):
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when < (now if now is not None else _EPOCH)


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


def parent_domains(host: str) -> list[str]:
    """The domains a cookie for ``host`` may have been set on, most specific first:
    ``www.shop.example.com`` gives itself, ``shop.example.com`` and ``example.com``.

    None for localhost, an IP address or a single-label host (cookies there are
    host-only). Public suffixes are left out as far as ``_GENERIC_SECOND_LEVEL``
    knows them (``example.co.uk`` stops at itself); a suffix it does not know
    (``herokuapp.com``) costs only a header that browsers refuse.
    """
    host = host.strip().lower()
    if host.startswith("["):
        return []  # IPv6 literal
    name, _, port = host.rpartition(":")
    if name and port.isdigit():
        host = name
    host = host.rstrip(".")
    try:
        ipaddress.ip_address(host)
        return []
    except ValueError:
        pass
    labels = host.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return []
    floor = 2
    if len(labels[-1]) == 2 and labels[-2] in _GENERIC_SECOND_LEVEL:
        floor = 3
    return [".".join(labels[i:]) for i in range(len(labels) - floor + 1)]


# A browser keeps about 180 cookies per domain; a request with thousands is crafted,
# and answering each with several headers would amplify it. Declared names always count.
MAX_EXPIRED_NAMES = 200


def expiry_headers(
    policy: Policy, withdrawn: Iterable[str], request_cookie_names: Iterable[str], host: str, *, secure: bool
) -> list[bytes]:
    """Set-Cookie values that expire the cookies of the ``withdrawn`` categories.

    Each declared name, and each cookie of the request matching a declared
    ``prefix*``, is expired on path ``/`` host-only and on every domain from the
    host up to its registrable parent (``Domain=example.com`` for
    ``www.example.com``), since the vendor's script may have set it on any of them.
    """
    present = [name for name in request_cookie_names if _TOKEN.match(name)]
    names: list[str] = []
    seen: set[str] = set()
    for category_id in withdrawn:
        if category_id not in policy or policy.category(category_id).required:
            continue
        for rule in policy.category(category_id).cookies:
            found = [n for n in present if rule.matches(n)] if rule.is_prefix else [rule.pattern]
            for name in found:
                if name not in seen and (not rule.is_prefix or len(names) < MAX_EXPIRED_NAMES):
                    seen.add(name)
                    names.append(name)
    domains = parent_domains(host)
    values = []
    for name in names:
        flags = b"; Secure" if secure or name.startswith(("__Secure-", "__Host-")) else b""
        base = name.encode("latin-1") + b"=; " + _EXPIRED + flags
        values.append(base)
        if not name.startswith("__Host-"):  # a __Host- cookie never has a Domain
            values += [base + b"; Domain=" + domain.encode("ascii") for domain in domains]
    return values


_VARY = "Cookie, Sec-GPC"  # one add_vary_header() call: each one reads and rewrites the header list


def vary_on_consent(headers: MutableHeaders) -> None:
    raw = headers.raw
    if any(name.lower() == b"vary" for name, _ in raw):
        headers.add_vary_header(_VARY)  # merged with the app's own
    else:
        raw.append((b"vary", _VARY.encode()))


def consent_headers(visit: Visit, headers: MutableHeaders) -> None:
    """Add what the visit changed: the new consent cookie, and the expiry of the
    cookies of every category it withdrew."""
    if visit.dirty:
        headers.append("set-cookie", visit.set_cookie_header().decode("latin-1"))
    withdrawn = visit.withdrawn()
    if withdrawn:
        for value in expiry_headers(
            visit.kit.policy, withdrawn, cookie_names(visit.headers.get("cookie")), visit.host, secure=visit.https
        ):
            headers.append("set-cookie", value.decode("latin-1"))
