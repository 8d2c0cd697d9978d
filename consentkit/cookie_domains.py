"""Which domains a cookie of this site may live on, from a ``Host`` header that the
client controls: the host itself and its registrable domain (the Public Suffix
List, through ``publicsuffixlist``), or the site's configured ``cookie_domain``.

A Host that is not a plain DNS name (too long, a bad label, an IP address, one
label) gives no domain at all: its cookies are host-only, and nothing from the
header is ever written into a response.
"""

from __future__ import annotations

import ipaddress
import re
from functools import cache, lru_cache

from publicsuffixlist import PublicSuffixList

__all__ = ["MAX_HOST", "cookie_domains", "hostname", "registrable_domain"]

# RFC 1035: at most 253 characters in a name, 63 in a label.
MAX_HOST = 253
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")


@cache
def _psl() -> PublicSuffixList:
    # The list ships inside the package: parsed once per process (about 0.1 s), read-only after.
    return PublicSuffixList()


def hostname(host: str) -> str | None:
    """The DNS name a ``Host`` header names (lowercase, without port or trailing dot),
    or None when it is not one: an IP literal, a single label, an empty or oversized
    value, or any character a host name cannot have."""
    if len(host) > MAX_HOST + 7:  # the name, ":" and a port
        return None
    host = host.strip().lower()
    if host.startswith("["):
        return None  # IPv6 literal
    name, colon, port = host.rpartition(":")
    if colon:
        if not (port.isdigit() and len(port) <= 5) or ":" in name:
            return None
        host = name
    host = host.removesuffix(".")
    if not host or len(host) > MAX_HOST:
        return None
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    labels = host.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return None
    return host


def registrable_domain(name: str) -> str | None:
    """The registrable domain of a valid host name (``example.co.uk`` for
    ``www.shop.example.co.uk``), or None when the name is itself a public suffix."""
    found = _psl().privatesuffix(name)
    return found if isinstance(found, str) else None


def cookie_domains(host: str, cookie_domain: str | None = None) -> list[str]:
    """The ``Domain=`` values on which to expire a cookie this site's pages may have
    set, most specific first: ``cookie_domain`` when the site configured one, else
    the host and its registrable domain (``www.example.com`` gives itself and
    ``example.com``). Never more than two; none for a Host that is not a valid host
    name or is a public suffix."""
    return list(_cookie_domains(host, cookie_domain))


@lru_cache(maxsize=256)  # a site has a few hosts; the Host header is the client's: bounded
def _cookie_domains(host: str, cookie_domain: str | None) -> tuple[str, ...]:
    if cookie_domain:
        configured = hostname(cookie_domain.lstrip("."))
        return (configured,) if configured else ()
    name = hostname(host)
    if name is None:
        return ()
    registrable = registrable_domain(name)
    if registrable is None:
        return ()
    return (name,) if registrable == name else (name, registrable)
