"""Where a request comes from, as the policy's regions see it: a country (ISO 3166-1
alpha-2, ``"FR"``) and, where the edge knows it, a subdivision (ISO 3166-2, ``"CO"``
for Colorado), read from the headers a CDN adds, or given by the site's own function.

Nothing here looks at an IP address, and consentkit bundles no geo-IP database: the
edge in front of the site already knows the visitor's country and passes it on. Only
the region's code (``"US-CO"``, ``"EU"``) goes further; the location itself is used
for this request and kept nowhere.

The region codes a policy may declare (``Region.code``) are a country (``"FR"``,
``"US"``), a US state or other subdivision (``"US-CO"``), or a group: ``"EU"`` (the 27
member states), ``"EEA"`` (the EU with Iceland, Liechtenstein and Norway) and ``"UK"``
(``GB``). ``members`` gives the (country, subdivision) keys a code stands for.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.requests import HTTPConnection

logger = logging.getLogger("consentkit")

EU: frozenset[str] = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
    "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
})
GROUPS: Mapping[str, frozenset[str]] = {
    "EU": EU,
    "EEA": EU | {"IS", "LI", "NO"},
    "UK": frozenset({"GB"}),
}
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_SUBDIVISION = re.compile(r"^[A-Z0-9]{1,3}$")
CODE = re.compile(r"^(EU|EEA|UK|[A-Z]{2}(-[A-Z0-9]{1,3})?)$")

Key = tuple[str, str | None]


def members(code: str, countries: Iterable[str] = ()) -> tuple[Key, ...]:
    """The (country, subdivision) keys a region code stands for, with ``countries`` added."""
    if code in GROUPS:
        keys: list[Key] = [(c, None) for c in sorted(GROUPS[code])]
    elif "-" in code:
        country, _, subdivision = code.partition("-")
        keys = [(country, subdivision)]
    else:
        keys = [(code, None)]
    keys += [(c, None) for c in countries]
    return tuple(dict.fromkeys(keys))


@dataclass(frozen=True, slots=True)
class Location:
    """A request's country and subdivision, both upper case (subdivision without the
    country's prefix: ``"CO"``, not ``"US-CO"``)."""

    country: str
    subdivision: str | None = None


def location(country: str | None, subdivision: str | None = None) -> Location | None:
    """A Location from raw header values; None when the country is missing or not two
    letters (``XX`` and ``T1``, which Cloudflare sends for unknown and Tor, among them)."""
    if not country:
        return None
    country = country.strip().upper()
    if not _COUNTRY.match(country) or country in ("XX", "T1", "ZZ"):
        return None
    sub = (subdivision or "").strip().upper().removeprefix(country + "-") or None
    if sub is not None and not _SUBDIVISION.match(sub):
        sub = None
    return Location(country, sub)


@dataclass(frozen=True, slots=True)
class HeaderSource:
    """A CDN's geolocation headers: the country's, and the subdivision's (if any)."""

    name: str
    country: str
    subdivision: str

    @property
    def vary(self) -> str:
        return f"{self.country}, {self.subdivision}"


# The edges' own header names (Fastly's are the ones its documented VCL sets:
# ``set req.http.Fastly-Geo-Country = client.geo.country_code;`` and
# ``set req.http.Fastly-Geo-Region = client.geo.region;``).
SOURCES: Mapping[str, HeaderSource] = {s.name: s for s in (
    HeaderSource("cloudfront", "CloudFront-Viewer-Country", "CloudFront-Viewer-Country-Region"),
    HeaderSource("cloudflare", "CF-IPCountry", "CF-Region-Code"),
    HeaderSource("vercel", "X-Vercel-IP-Country", "X-Vercel-IP-Country-Region"),
    HeaderSource("fastly", "Fastly-Geo-Country", "Fastly-Geo-Region"),
)}

RegionFunction = Callable[["HTTPConnection"], "str | None"]


class Locator:
    """Finds a request's location from its configured source: one CDN's headers, or the
    site's function (given the request, it answers ``"US-CO"``, ``"FR"`` or None)."""

    def __init__(self, source: str | RegionFunction | None) -> None:
        self.function: RegionFunction | None = None
        self.headers: HeaderSource | None = None
        if source is None:
            pass
        elif callable(source):
            self.function = source
        elif isinstance(source, str) and source.lower() in SOURCES:
            self.headers = SOURCES[source.lower()]
        else:
            raise ValueError(f"region_source {source!r} is unknown: use one of {', '.join(SOURCES)}, "
                             "or a function of the request that answers a code such as 'US-CO' or 'FR'")
        self._wanted = ({self.headers.country.lower().encode(): 0, self.headers.subdivision.lower().encode(): 1}
                        if self.headers else {})

    @property
    def vary(self) -> str | None:
        """The request headers a response that depends on the region varies on."""
        return self.headers.vary if self.headers else None

    def locate(self, scope: Mapping[str, Any]) -> Location | None:
        """The request's location; None when the source does not say (no header, a
        value that is no country, a function answering None)."""
        if self.function is not None:
            from starlette.requests import HTTPConnection  # the core imports no Starlette until asked

            try:
                answer = self.function(HTTPConnection(scope))  # type: ignore[arg-type]
            except Exception as exc:  # noqa: BLE001 - the site's function failing is no client's error
                # The request gets the policy's own rules; the operator sees why (never the request's data).
                logger.warning("region_source raised %s: the request gets the policy's own rules", type(exc).__name__)
                return None
            if not isinstance(answer, str):
                return None
            country, _, subdivision = answer.partition("-")
            return location(country, subdivision)
        if not self._wanted:
            return None
        found: list[str | None] = [None, None]
        for name, value in scope.get("headers", ()):
            slot = self._wanted.get(name)
            if slot is not None and found[slot] is None:
                found[slot] = value.decode("latin-1")
        return location(found[0], found[1])
