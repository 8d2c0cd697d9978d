"""The site's consent policy: categories, the services in them, and their cookies.

Everything here is an immutable value, validated when it is built, so that a
mistake in the policy stops the application at start-up with an error that says
how to fix it, never later in a visitor's request.
"""

from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, cast
from urllib.parse import urlsplit

from . import regions as _regions
from .i18n import languages

Mode = Literal["opt_in", "opt_out"]
MODES: tuple[Mode, ...] = ("opt_in", "opt_out")

# Default lifetime of a visitor's choices (rule 7): a year in opt_out mode, about
# six months (CNIL's good practice) in opt_in mode.
DEFAULT_LIFETIME_DAYS: Mapping[Mode, int] = MappingProxyType({"opt_out": 365, "opt_in": 182})
# How long a child's records are kept (COPPA §312.10; docs/minors.md): a year, then
# only the proof of the parent's decision in force (consentkit.minors.retention).
CHILDREN_RETENTION_DAYS = 365

_UNSEEN = object()
# How many cookie names category_for_cookie keeps the answer for.
_COOKIE_MEMO = 4096
_ID = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
_COOKIE = re.compile(r"^[!#$%&'+\-.^_`|~0-9A-Za-z]+\*?$")
_HOST = re.compile(r"^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$")
_LIFETIME = re.compile(
    r"^(session|(\d{1,4})\s*(second|minute|hour|day|week|month|year)s?)$", re.IGNORECASE
)
_MAX_LIFETIME_SECONDS = 10 * 365 * 86400
_UNIT_SECONDS = {
    "second": 1,
    "minute": 60,
    "hour": 3600,
    "day": 86400,
    "week": 7 * 86400,
    "month": 30 * 86400,
    "year": 365 * 86400,
}


# Google Consent Mode v2's types: the widget's "default" command names all seven.
CONSENT_MODE_TYPES: tuple[str, ...] = (
    "ad_storage", "ad_user_data", "ad_personalization", "analytics_storage",
    "functionality_storage", "personalization_storage", "security_storage",
)


# What a minor's age band needs before sale, sharing or targeted advertising:
# "opt_in" their own affirmative opt-in (two steps), "no_sale" none of it at all
# (Maryland), "opt_out" as an adult. Under 13 a parent decides (COPPA), everywhere.
MinorRule = Literal["opt_in", "no_sale", "opt_out"]
MINOR_RULES: tuple[MinorRule, ...] = ("opt_in", "no_sale", "opt_out")
MINOR_BANDS = ("13_15", "16_17")
# CCPA (Civ. Code 1798.120(c)): 13-15-year-olds opt in themselves; 16 and over as adults.
DEFAULT_MINORS: Mapping[str, MinorRule] = MappingProxyType({"13_15": "opt_in", "16_17": "opt_out"})


# Purposes a category's data serves that state laws let a visitor opt out of (or, for
# minors and sensitive data, that need an opt-in). The first three are what "Do Not
# Sell or Share" and GPC turn off; "sale_or_sharing = true" is their short form.
PURPOSES = ("sale", "sharing", "targeted_advertising", "profiling")
OPT_OUT_PURPOSES = frozenset({"sale", "sharing", "targeted_advertising"})
# What a region does with sensitive personal information (categories and services
# marked ``sensitive``): "limit" follows the mode, and the "Limit the Use of My
# Sensitive Personal Information" link turns it off (California); "opt_in" is off
# until the visitor opts in, in any mode (Colorado, Connecticut, Virginia, Oregon,
# Texas...); "separate" is opt_in where sharing it needs a consent of its own, given
# apart from any other (Washington's My Health My Data Act).
SensitiveRule = Literal["limit", "opt_in", "separate"]
SENSITIVE_RULES: tuple[SensitiveRule, ...] = ("limit", "opt_in", "separate")


# Kinds of sensitive personal information, as the GPP sections name them (gpp.py
# writes a section's SensitiveDataProcessing bits from them).
SENSITIVE_KINDS = (
    "racial_or_ethnic_origin", "religious_beliefs", "health", "sex_life_or_orientation",
    "citizenship_or_immigration", "genetic", "biometric", "precise_geolocation", "government_id",
    "account_credentials", "union_membership", "communications", "consumer_health", "crime_victim",
    "national_origin", "transgender_or_nonbinary",
)


def _sensitive(value: Any, where: str) -> tuple[bool, tuple[str, ...]]:
    """``sensitive = true``, or the kinds of sensitive data (``["health"]``)."""
    if isinstance(value, bool):
        return value, ()
    kinds = tuple(dict.fromkeys(_text(k, f"{where} each sensitive kind") for k in _list(value, f"{where} sensitive")))
    for kind in kinds:
        if kind not in SENSITIVE_KINDS:
            raise PolicyError(f"{where} sensitive kind {kind!r} is unknown: use {', '.join(SENSITIVE_KINDS)}")
    return bool(kinds), kinds


def _sensitive_rule(value: Any, where: str) -> SensitiveRule:
    if value not in SENSITIVE_RULES:
        raise PolicyError(f"{where} sensitive is {value!r}: use 'limit' (California: on by the mode, the Limit link "
                          "turns it off), 'opt_in' (off until an opt-in) or 'separate' (Washington: opt-in, and a "
                          "separate consent to share it)")
    return cast(SensitiveRule, value)


class PolicyError(ValueError):
    """The policy is not valid; the message says what to change."""


def _flag(value: object, what: str) -> bool:
    """A true/false setting, refused when it is anything else: ``required = "false"``
    would otherwise be truthy and turn a category on for everyone."""
    if not isinstance(value, bool):
        shown = f"the string {value!r}" if isinstance(value, str) else f"{type(value).__name__} {value!r}"
        raise PolicyError(f"{what} must be true or false (in TOML without quotes: {what.rsplit(' ', 1)[-1]} = true), "
                          f"not {shown}")
    return value


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise PolicyError(f"{what} must be a string (in TOML in quotes), not {type(value).__name__} {value!r}")
    return value


# The banner's layouts, each with the positions it takes (docs/theming.md).
LAYOUTS: Mapping[str, tuple[str, ...]] = {
    "bar": ("bottom", "top"),
    "box": ("bottom", "top", "bottom-left", "bottom-right", "top-left", "top-right"),
}
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{1,8})*$")
Translations = tuple[tuple[str, str], ...]


def _localized(value: object, what: str) -> tuple[str, Translations]:
    """A text shown to visitors: one string, or a table of them by language
    (``{"en": "Analytics", "es": "Analítica"}``). Answers the text in English (else
    the table's first) and the table, its language codes lower-cased."""
    if not isinstance(value, Mapping):
        return _text(value, what), ()
    table: dict[str, str] = {}
    for lang, text in value.items():
        code = lang.lower() if isinstance(lang, str) else ""
        if not _LANGUAGE_CODE.match(code):
            raise PolicyError(f"{what}: {lang!r} is not a language code such as \"en\", \"es\" or \"zh-hant\"")
        table[code] = _text(text, f"{what} in {lang!r}")
    if not table:
        raise PolicyError(f"{what} is an empty table: give a string, or one per language ({{en = \"...\"}})")
    return table.get("en", next(iter(table.values()))), tuple(table.items())


def localized(text: str, translations: Translations, lang: str, default: str = "en") -> str:
    """``text`` in ``lang`` ("es-mx" falls back to "es"), else in the policy's default
    language, else ``text`` itself."""
    table = dict(translations)
    lang = lang.lower()
    return table.get(lang) or table.get(lang.split("-", 1)[0]) or table.get(default) or text


def _once_each(keys: Iterable[str], noun: str, key_name: str) -> None:
    """Every key once: ``category 'x' is declared twice: category ids must be unique``."""
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise PolicyError(f"{noun} {key!r} is declared twice: {noun} {key_name}s must be unique")
        seen.add(key)


def _list(value: object, what: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise PolicyError(f"{what} must be a list (in TOML: [\"a\", \"b\"] or [[tables]]), not "
                          f"{type(value).__name__} {value!r}")
    return list(value)


def lifetime_seconds(lifetime: str) -> int | None:
    """Seconds in a declared cookie lifetime such as "2 years"; None for "session"."""
    match = _LIFETIME.match(lifetime.strip())
    if match is None:
        raise PolicyError(
            f"cookie lifetime {lifetime!r} is not understood: write 'session' or a number "
            "and a unit, such as '24 hours', '13 months' or '2 years'"
        )
    if match.group(1).lower() == "session":
        return None
    seconds = int(match.group(2)) * _UNIT_SECONDS[match.group(3).lower()]
    if seconds == 0:
        raise PolicyError(f"cookie lifetime {lifetime!r} is zero: a cookie that lasts until the browser closes "
                          "is 'session'")
    if seconds > _MAX_LIFETIME_SECONDS:
        raise PolicyError(f"cookie lifetime {lifetime!r} is longer than 10 years: no browser keeps a cookie that "
                          "long (Chrome caps it at 400 days); declare the lifetime the vendor documents")
    return seconds


@dataclass(frozen=True, slots=True)
class HostRule:
    """A declared host, with an optional path prefix ("www.google.com/recaptcha")."""

    host: str
    path: str = ""

    @classmethod
    def parse(cls, text: str) -> HostRule:
        raw = text.strip().lower()
        if "://" in raw:
            raw = raw.split("://", 1)[1]
        host, _, path = raw.partition("/")
        if not _HOST.match(host):
            raise PolicyError(
                f"host {text!r} is not a host name: write it like 'www.example.com', "
                "'*.example.com' or 'www.example.com/path'"
            )
        # Ports are not compared: a tracker is a tracker on any port.
        return cls(host.split(":", 1)[0], "/" + path.rstrip("/") if path else "")

    def matches(self, host: str, path: str) -> bool:
        if self.host.startswith("*."):
            suffix = self.host[1:]
            if not (host.endswith(suffix) or host == suffix[1:]):
                return False
        elif host != self.host:
            return False
        if not self.path:
            return True
        return path == self.path or path.startswith((self.path + "/", self.path + "?"))

    def __str__(self) -> str:
        return self.host + self.path


@dataclass(frozen=True, slots=True)
class CookieRule:
    """A declared cookie: an exact name, or a "prefix*" pattern, with its lifetime."""

    pattern: str
    lifetime: str

    def __post_init__(self) -> None:
        if not _COOKIE.match(self.pattern):
            raise PolicyError(
                f"cookie name {self.pattern!r} is not valid: use a cookie name, or a prefix "
                "followed by '*' such as '_ga_*'"
            )
        lifetime_seconds(self.lifetime)

    @property
    def is_prefix(self) -> bool:
        return self.pattern.endswith("*")

    def matches(self, name: str) -> bool:
        if self.is_prefix:
            return name.startswith(self.pattern[:-1])
        return name == self.pattern


def _no_host_twice(categories: Iterable[Category]) -> None:
    """A host (with its path) in two services would gate a tag by whichever comes
    first: the policy must say which one it is."""
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    for category in categories:
        for service in category.services:
            for rule in service.hosts:
                key = (rule.host, rule.path)
                if key in seen and seen[key] != (category.id, service.id):
                    first = seen[key]
                    raise PolicyError(
                        f"host {rule.host + rule.path!r} is declared in service {first[1]!r} (category {first[0]!r}) "
                        f"and in service {service.id!r} (category {category.id!r}): declare it once, in the "
                        "service whose tags load from it"
                    )
                seen.setdefault(key, (category.id, service.id))


def _tuple_of(values: Iterable[Any] | None) -> tuple[Any, ...]:
    return tuple(values) if values is not None else ()


@dataclass(frozen=True, slots=True)
class Service:
    """A third party (or first-party tool) that a category gates.

    ``hosts`` are the places its tags load from; ``cookies`` maps each cookie name
    (or ``prefix*``) it sets to that cookie's lifetime. Both are shown to visitors.

    Args:
        id: Unique among the policy's services: lowercase letters, digits, ``-`` or ``_``
            (``"web-analytics"``).
        vendor: Who runs it, shown to visitors (``"Google"``).
        hosts: Where its tags load from: ``"www.google-analytics.com"``,
            ``"*.hotjar.com"``, or a host with a path prefix (``"www.google.com/recaptcha"``).
            The gate serves a tag from one inert until its category is granted.
        cookies: Each cookie name (or ``"prefix*"``) it sets, with its lifetime:
            ``"session"`` or a number and a unit (``"2 years"``, ``"24 hours"``).
            Dropped from responses, and expired, while the category is not granted.
        description: What it does, shown to visitors: a string, or one per language
            (``{"en": "...", "es": "..."}``).
        local_storage: ``localStorage`` keys (or ``"prefix*"``) it writes; removed
            while the category is not granted.
        sensitive: It processes sensitive personal information: ``true``, or its kinds
            (``["precise_geolocation"]``, as ``Category`` lists them). Where the region
            needs an opt-in for that, it is off until the visitor grants it or its
            category, even in ``opt_out`` mode; the Limit link turns it off (docs/regions.md).
        name: What visitors call it (``"YouTube"``): on its click-to-load placeholder
            ("Always allow YouTube") and in the preferences (the id on a placeholder when not given).
    """

    id: str
    vendor: str = ""
    hosts: tuple[HostRule, ...] = ()
    cookies: tuple[CookieRule, ...] = ()
    description: str = ""
    local_storage: tuple[str, ...] = ()
    name: str = ""
    # The description per language, when the policy gives a table.
    descriptions: Translations = ()
    sensitive: bool = False
    sensitive_kinds: tuple[str, ...] = ()

    def __init__(
        self,
        id: str,
        *,
        vendor: str = "",
        hosts: Iterable[str | HostRule] | None = None,
        cookies: Mapping[str, str] | Iterable[CookieRule] | None = None,
        description: str | Mapping[str, str] = "",
        local_storage: Iterable[str] | None = None,
        sensitive: bool | Iterable[str] = False,
        name: str = "",
    ) -> None:
        if not isinstance(id, str) or not _ID.match(id):
            raise PolicyError(
                f"service id {id!r} is not valid: use lowercase letters, digits, '-' or '_', "
                "starting with a letter (at most 40 characters)"
            )
        where = f"service {id!r}:"
        try:
            rules = tuple(h if isinstance(h, HostRule) else HostRule.parse(_text(h, f"{where} each host"))
                          for h in _list(hosts, f"{where} hosts"))
            if isinstance(cookies, Mapping):
                cookie_rules = tuple(CookieRule(_text(k, f"{where} a cookie name"), _text(v, f"{where} cookie "
                                                f"{k!r}'s lifetime")) for k, v in cookies.items())
        except PolicyError as exc:
            message = str(exc)
            raise PolicyError(message if message.startswith(where) else f"{where} {message}") from None
        if not isinstance(cookies, Mapping):
            cookie_rules = tuple(_list(cookies, f"{where} cookies (a table of name = lifetime)"))
            if not all(isinstance(rule, CookieRule) for rule in cookie_rules):
                raise PolicyError(f"{where} cookies must be a table of name = lifetime, such as "
                                  "{ _ga = \"2 years\" }")
        vendor = _text(vendor, f"{where} vendor")
        description, descriptions = _localized(description, f"{where} description")
        name = _text(name, f"{where} name")
        local_storage = tuple(_text(k, f"{where} each local_storage key")
                              for k in _list(local_storage, f"{where} local_storage"))
        object.__setattr__(self, "id", id)
        object.__setattr__(self, "vendor", vendor)
        object.__setattr__(self, "hosts", rules)
        object.__setattr__(self, "cookies", cookie_rules)
        object.__setattr__(self, "description", description)
        object.__setattr__(self, "local_storage", local_storage)
        object.__setattr__(self, "descriptions", descriptions)
        object.__setattr__(self, "name", name)
        flag, kinds = _sensitive(sensitive, where)
        object.__setattr__(self, "sensitive", flag)
        object.__setattr__(self, "sensitive_kinds", kinds)

    def description_in(self, lang: str, default: str = "en") -> str:
        """The description in ``lang`` (see ``localized``)."""
        return localized(self.description, self.descriptions, lang, default)


@dataclass(frozen=True, slots=True)
class Category:
    """A purpose the visitor can grant or deny, such as "analytics".

    ``required`` categories (``necessary``) are always granted. A category marked
    ``sale_or_sharing`` is what the "Do Not Sell or Share" opt-out and GPC turn off.

    Args:
        id: Unique among the policy's categories: lowercase letters, digits, ``-`` or
            ``_`` (``"analytics"``). Every policy has a required ``"necessary"``.
        required: Always granted, never asked (``necessary`` only, as a rule).
        sale_or_sharing: The CCPA/CPRA "sale or sharing" of personal information
            (advertising, cross-context behavioural advertising): what the "Do Not Sell
            or Share" opt-out and Global Privacy Control turn off.
        services: The services whose tags, cookies and storage this category gates.
        label: The name shown to visitors; by default the id, capitalised. A string,
            or one per language (``{"en": "Analytics", "es": "Analítica"}``; in
            TOML ``label = {en = "Analytics", es = "Analítica"}``).
        description: What the category is for, shown to visitors: a string, or one
            per language like ``label``.
        purposes: What state laws call what it does, where they let the visitor opt out:
            ``"sale"``, ``"sharing"``, ``"targeted_advertising"``, ``"profiling"``. A category
            with any of the first three is ``sale_or_sharing`` (the opt-out link and GPC
            turn it off); ``sale_or_sharing = true`` is the short form of those three.
        sensitive: Its data is sensitive personal information: ``true``, or its kinds,
            which the GPP string's sensitive-data fields report (``["health"]``; also
            ``racial_or_ethnic_origin``, ``religious_beliefs``, ``sex_life_or_orientation``,
            ``citizenship_or_immigration``, ``genetic``, ``biometric``, ``precise_geolocation``,
            ``government_id``, ``account_credentials``, ``union_membership``,
            ``communications``, ``consumer_health``, ``crime_victim``, ``national_origin``,
            ``transgender_or_nonbinary``). Off until an opt-in where the region says so, even
            in ``opt_out`` mode, and what the "Limit the Use of My Sensitive Personal
            Information" link turns off (docs/regions.md).
    """

    id: str
    required: bool = False
    sale_or_sharing: bool = False
    services: tuple[Service, ...] = ()
    label: str = ""
    description: str = ""
    # The label and the description per language, when the policy gives tables.
    labels: Translations = ()
    descriptions: Translations = ()
    purposes: tuple[str, ...] = ()
    sensitive: bool = False
    sensitive_kinds: tuple[str, ...] = ()
    # Derived once: the gate and the cookie filter read them on every request.
    _cookies: tuple[CookieRule, ...] = field(default=(), init=False, repr=False, compare=False)
    _hosts: tuple[HostRule, ...] = field(default=(), init=False, repr=False, compare=False)

    def __init__(
        self,
        id: str,
        *,
        required: bool = False,
        sale_or_sharing: bool = False,
        services: Iterable[Service] | None = None,
        label: str | Mapping[str, str] = "",
        description: str | Mapping[str, str] = "",
        purposes: Iterable[str] | None = None,
        sensitive: bool | Iterable[str] = False,
    ) -> None:
        if not isinstance(id, str) or not _ID.match(id):
            raise PolicyError(
                f"category id {id!r} is not valid: use lowercase letters, digits, '-' or '_', "
                "starting with a letter (at most 40 characters)"
            )
        required = _flag(required, f"category {id!r}: required")
        sale_or_sharing = _flag(sale_or_sharing, f"category {id!r}: sale_or_sharing")
        sensitive, sensitive_kinds = _sensitive(sensitive, f"category {id!r}:")
        listed = tuple(dict.fromkeys(_text(p, f"category {id!r}: each purpose")
                                     for p in _list(purposes, f"category {id!r}: purposes")))
        for purpose in listed:
            if purpose not in PURPOSES:
                raise PolicyError(f"category {id!r}: purpose {purpose!r} is unknown: use {', '.join(PURPOSES)}")
        if sale_or_sharing and purposes is not None and not OPT_OUT_PURPOSES & set(listed):
            raise PolicyError(f"category {id!r} is sale_or_sharing but its purposes name none of sale, sharing, "
                              "targeted_advertising: list them, or leave sale_or_sharing out")
        if sale_or_sharing and purposes is None:
            listed = ("sale", "sharing", "targeted_advertising")
        sale_or_sharing = bool(OPT_OUT_PURPOSES & set(listed))
        if required and sensitive:
            raise PolicyError(f"category {id!r} is required and sensitive: a visitor must be able to refuse "
                              "sensitive personal information, so remove required=True or sensitive=True")
        label, labels = _localized(label, f"category {id!r}: label")
        description, descriptions = _localized(description, f"category {id!r}: description")
        services = _list(services, f"category {id!r}: services")
        if not all(isinstance(service, Service) for service in services):
            raise PolicyError(f"category {id!r}: services must be Service(...) values (in TOML, [[categories.services]])")
        if required and sale_or_sharing:
            raise PolicyError(
                f"category {id!r} is both required and sale_or_sharing: a visitor must be able "
                "to opt out of sale or sharing, so remove required=True or sale_or_sharing=True"
            )
        object.__setattr__(self, "id", id)
        object.__setattr__(self, "required", bool(required))
        object.__setattr__(self, "sale_or_sharing", bool(sale_or_sharing))
        object.__setattr__(self, "services", _tuple_of(services))
        object.__setattr__(self, "label", label or id.replace("_", " ").replace("-", " ").capitalize())
        object.__setattr__(self, "description", description)
        object.__setattr__(self, "labels", labels)
        object.__setattr__(self, "descriptions", descriptions)
        object.__setattr__(self, "purposes", listed)
        object.__setattr__(self, "sensitive", sensitive)
        object.__setattr__(self, "sensitive_kinds", sensitive_kinds)
        object.__setattr__(self, "_cookies", tuple(c for s in self.services for c in s.cookies))
        object.__setattr__(self, "_hosts", tuple(h for s in self.services for h in s.hosts))

    @property
    def cookies(self) -> tuple[CookieRule, ...]:
        return self._cookies

    def label_in(self, lang: str, default: str = "en") -> str:
        """The label in ``lang`` (see ``localized``)."""
        return localized(self.label, self.labels, lang, default)

    def description_in(self, lang: str, default: str = "en") -> str:
        """The description in ``lang`` (see ``localized``)."""
        return localized(self.description, self.descriptions, lang, default)

    @property
    def hosts(self) -> tuple[HostRule, ...]:
        return self._hosts


@dataclass(frozen=True, slots=True)
class Change:
    """What a policy version added (R37): services, and categories that are new or put
    to a new purpose. A returning visitor who decided under an earlier version gets
    none of them until they answer again, and the banner names them (``note``, or
    each service's vendor and each category's label).

    Args:
        version: The policy version that made the change.
        services: Ids of the services it added.
        categories: Ids of the categories it added, or whose use it widened.
        note: A short text for the banner instead of the names (``"We now use TikTok's
            pixel for advertising."``).
    """

    version: str
    services: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    note: str = ""

    def __init__(self, version: str, *, services: Iterable[str] = (), categories: Iterable[str] = (),
                 note: str = "") -> None:
        where = f"change {version!r}:"
        object.__setattr__(self, "version", _text(version, "a change's version"))
        object.__setattr__(self, "services", tuple(_text(v, f"{where} each of services")
                                                   for v in _list(services, f"{where} services")))
        object.__setattr__(self, "categories", tuple(_text(v, f"{where} each of categories")
                                                     for v in _list(categories, f"{where} categories")))
        object.__setattr__(self, "note", _text(note, f"{where} note"))


@dataclass(frozen=True, slots=True)
class Controller:
    """Who is responsible for the data: shown on receipts (Kantara CR "controller")."""

    name: str = ""
    contact: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class Region:
    """Where other rules apply: a jurisdiction the policy names, with the rules and
    texts its visitors get. What a region leaves out is the policy's own.

    Args:
        code: The jurisdiction: a group (``"EU"``, ``"EEA"``, ``"UK"``), a country
            (``"FR"``, ``"US"``, ISO 3166-1) or a US state (``"US-CO"``, ISO 3166-2).
            Records, receipts and the state's ``region`` carry it. A state's code wins
            over its country's, a country's over a group it is in.
        mode: ``"opt_in"`` or ``"opt_out"`` for this region's visitors.
        countries: More countries (ISO 3166-1) that get this region's rules
            (``["CH"]`` beside ``"EEA"``).
        age_gate: Ask the age question here (by default as the policy says).
        lifetime_days: How long choices last here (by default the policy's when the
            modes agree, else the mode's default: 182 days opt_in, 365 opt_out).
        texts: Strings to replace for this region's visitors, per language, over the
            policy's own (``{"en": {"banner.title": "..."}}``).
        minors: Rules for minors' age bands here, over the policy's (``{"16_17":
            "opt_in"}`` for Colorado and Connecticut, ``{"13_15": "no_sale", "16_17":
            "no_sale"}`` for Maryland); see ``Policy``.
        sensitive: What sensitive personal information needs here: ``"opt_in"``
            (Colorado, Connecticut, Virginia, Oregon, Texas...), ``"separate"``
            (Washington), ``"limit"`` (California); see ``Policy``.
    """

    code: str
    mode: Mode | None = None
    countries: tuple[str, ...] = ()
    age_gate: bool | None = None
    lifetime_days: int | None = None
    texts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    minors: Mapping[str, MinorRule] = field(default_factory=dict)
    sensitive: SensitiveRule | None = None

    def __init__(
        self,
        code: str,
        *,
        mode: str | None = None,
        countries: Iterable[str] | None = None,
        age_gate: bool | None = None,
        lifetime_days: int | None = None,
        texts: Mapping[str, Mapping[str, str]] | None = None,
        minors: Mapping[str, str] | None = None,
        sensitive: str | None = None,
    ) -> None:
        if not isinstance(code, str) or not _regions.CODE.match(code):
            raise PolicyError(f"region code {code!r} is not valid: use 'EU', 'EEA', 'UK', a country such as 'FR' "
                              "or 'US', or a US state such as 'US-CO' (upper case)")
        where = f"region {code!r}:"
        if mode is not None and mode not in MODES:
            raise PolicyError(f"{where} mode {mode!r} is unknown: use 'opt_in' or 'opt_out'")
        listed = tuple(_text(c, f"{where} each of countries") for c in _list(countries, f"{where} countries"))
        for country in listed:
            if not re.match(r"^[A-Z]{2}$", country):
                raise PolicyError(f"{where} country {country!r} must be two upper-case letters (ISO 3166-1), such as 'CH'")
        if age_gate is not None:
            age_gate = _flag(age_gate, f"{where} age_gate")
        if lifetime_days is not None and (
                not isinstance(lifetime_days, int) or isinstance(lifetime_days, bool) or not 1 <= lifetime_days <= 3650):
            raise PolicyError(f"{where} lifetime_days must be a whole number of days from 1 to 3650")
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "mode", mode)
        object.__setattr__(self, "countries", listed)
        object.__setattr__(self, "age_gate", age_gate)
        object.__setattr__(self, "lifetime_days", lifetime_days)
        object.__setattr__(self, "texts", _frozen_texts(texts, where))
        object.__setattr__(self, "minors", MappingProxyType(_minors(minors, where)))
        object.__setattr__(self, "sensitive", None if sensitive is None else _sensitive_rule(sensitive, where))

    @property
    def members(self) -> tuple[tuple[str, str | None], ...]:
        """The (country, subdivision) keys whose visitors get this region's rules."""
        return _regions.members(self.code, self.countries)


_REGION_KEYS = {"code", "mode", "countries", "age_gate", "lifetime_days", "texts", "minors", "sensitive"}


def _minors(raw: Any, where: str) -> dict[str, MinorRule]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise PolicyError(f'{where} minors must map an age band to a rule, such as {{"16_17": "opt_in"}}')
    out: dict[str, MinorRule] = {}
    for band, rule in raw.items():
        if band not in MINOR_BANDS:
            raise PolicyError(f"{where} minors names age band {band!r}: use {', '.join(MINOR_BANDS)} "
                              "(under 13 a parent decides, everywhere)")
        if rule not in MINOR_RULES:
            raise PolicyError(f"{where} minors[{band!r}] is {rule!r}: use 'opt_in' (their own opt-in), "
                              "'no_sale' (never sold, shared or targeted) or 'opt_out' (as an adult)")
        out[band] = rule
    return out


def _frozen_texts(texts: Any, where: str) -> Mapping[str, Mapping[str, str]]:
    if texts is None:
        return MappingProxyType({})
    if not isinstance(texts, Mapping) or not all(isinstance(t, Mapping) for t in texts.values()):
        raise PolicyError(f'{where} texts must map a language to its strings, such as {{"en": {{"banner.title": "..."}}}}')
    return MappingProxyType({lang: MappingProxyType(dict(t)) for lang, t in texts.items()})


def _region_index(regions: tuple[Region, ...]) -> Mapping[tuple[str, str | None], str]:
    """Each (country, subdivision) key's region code: a state's own region, then a
    country's, then a group's; a key claimed twice at one level is an error."""
    index: dict[tuple[str, str | None], str] = {}
    level: dict[tuple[str, str | None], int] = {}
    for region in regions:
        rank = 2 if "-" in region.code else 1 if region.code not in _regions.GROUPS else 0
        for i, key in enumerate(region.members):
            at = rank if i == 0 else 0
            if key in index and level[key] == at:
                raise PolicyError(f"region {region.code!r} and region {index[key]!r} both claim "
                                  f"{'-'.join(k for k in key if k)}: a country or state belongs to one region")
            if key not in index or level[key] < at:
                index[key] = region.code
                level[key] = at
    return MappingProxyType(index)


@dataclass(frozen=True)
class Policy:
    """The consent policy of a site. See the README for a complete example.

    ``texts`` overrides the widget's and pages' strings per language
    (``{"en": {"banner.title": "..."}}``); ``extra`` holds anything else the site
    wants to keep beside the policy (the demo keeps its CCPA table there).

    Args:
        version: The policy's version (``"2026-11-01"``): a new version asks every
            visitor again, and receipts name it.
        categories: The categories, ``necessary`` (required) among them.
        mode: ``"opt_in"`` (EU style: nothing optional until granted) or ``"opt_out"``
            (US style: granted until the visitor opts out; the banner is the notice).
        age_gate: Ask a neutral age question, and apply the rules for minors
            (a teen's own opt-in to sale, COPPA parental consent under 13).
        lifetime_days: How long a visitor's choices last before the banner asks again;
            by default 365 in ``opt_out`` mode and 182 in ``opt_in``.
        controller: Who is responsible for the data: ``{"name": ..., "contact": ...,
            "url": ...}``; shown on receipts and the parents' pages.
        texts: The widget's and pages' strings to replace, per language
            (``{"en": {"banner.title": "..."}}``); a language not built in is added.
        language: The language the widget and the pages speak when neither the page,
            the browser nor the request's ``Accept-Language`` names one on offer
            (``"en"``): a built-in language or one of ``texts``.
        consent_mode: Google Consent Mode types per category (``{"analytics":
            ["analytics_storage"]}``), replacing a category's defaults.
        extra: Anything else to keep beside the policy (the demo's CCPA table).
        privacy_url: The site's privacy policy, linked from the parents' page.
        layout: How the banner shows: ``"bar"`` (the width of the window) or ``"box"``
            (a card of its own; docs/theming.md).
        position: Where the banner shows: ``"bottom"`` or ``"top"``, and for a box also
            ``"bottom-left"``, ``"bottom-right"``, ``"top-left"`` or ``"top-right"``.
        nonce_sources: Script URL prefixes (``"https://www.googletagmanager.com/gtag/js"``)
            on which the gate may put the response's CSP nonce when it makes them live.
        minors: What a minor's age band needs before sale, sharing or targeted
            advertising (``{"13_15": "opt_in", "16_17": "opt_in"}``): ``"opt_in"`` their
            own opt-in, in two steps; ``"no_sale"`` never; ``"opt_out"`` as an adult. By
            default ``13_15`` opts in (CCPA) and ``16_17`` is an adult. Where ``16_17`` has a
            rule of its own the state shows the bands ``16_17`` and ``18_plus``; elsewhere
            both are ``16_plus`` ("16 or over"). Under 13 a parent decides, everywhere.
        sensitive: What categories and services marked ``sensitive`` need: ``"limit"``
            (the default: they follow the mode, and ``/consentkit/limit``, the "Limit the
            Use of My Sensitive Personal Information" link, turns them off at once),
            ``"opt_in"`` (off until the visitor opts in, even in ``opt_out`` mode) or
            ``"separate"`` (``opt_in``, and a sensitive category that is sold or shared is
            granted only by a decision that grants nothing else, never by the banner's
            "Accept all": Washington's consent to share apart from the consent to collect).
        regions: Jurisdictions with rules of their own (``Region("EU", mode="opt_in")``,
            ``Region("US-CO", ...)``; in TOML ``[[regions]]``). A request's region comes from
            ``ConsentKit(region_source=...)``; a request from no declared region gets the
            policy's own rules (its ``mode``, ``age_gate``, texts), as without regions.
        changes: What each version added (``Change("2026-12-01", services=["heatmaps"])``;
            in TOML ``[[changes]]``), oldest first: for a visitor who decided under an
            earlier version it stays off until they answer again, and the banner names it (R37).
        children_retention_days: How long the records of a child under 13 are kept
            before only the proof of the parent's decision in force stays (COPPA
            §312.10; 365 by default; at most the ledger's ``retention_days``, which the
            kit checks). See ``consentkit.minors.retention``.
    """

    version: str
    categories: tuple[Category, ...]
    mode: Mode = "opt_out"
    age_gate: bool = False
    lifetime_days: int = 0
    controller: Controller = field(default_factory=Controller)
    texts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    language: str = "en"
    # Every category's Consent Mode types: the defaults (see default_consent_mode) with
    # the policy's own mapping, which replaces a category's defaults, over them.
    consent_mode: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)
    privacy_url: str = ""
    layout: str = "bar"
    position: str = "bottom"
    # Script URLs (prefixes, such as "https://www.googletagmanager.com/gtag/js") on
    # which the gate may put the response's CSP nonce when it makes them live.
    nonce_sources: tuple[str, ...] = ()
    regions: tuple[Region, ...] = ()
    minors: Mapping[str, MinorRule] = field(default_factory=lambda: DEFAULT_MINORS)
    sensitive: SensitiveRule = "limit"
    # The region whose rules this policy applies (Policy.for_region); None for the policy's own.
    region: str | None = None
    # What each version added, oldest first (R37).
    changes: tuple[Change, ...] = ()
    children_retention_days: int = CHILDREN_RETENTION_DAYS

    def __init__(
        self,
        version: str,
        categories: Iterable[Category],
        *,
        mode: str = "opt_out",
        age_gate: bool = False,
        lifetime_days: int | None = None,
        controller: Controller | Mapping[str, str] | None = None,
        texts: Mapping[str, Mapping[str, str]] | None = None,
        language: str = "en",
        consent_mode: Mapping[str, Iterable[str]] | None = None,
        extra: Mapping[str, Any] | None = None,
        privacy_url: str = "",
        layout: str = "bar",
        position: str = "bottom",
        nonce_sources: Iterable[str] = (),
        regions: Iterable[Region] | None = None,
        minors: Mapping[str, str] | None = None,
        sensitive: str = "limit",
        changes: Iterable[Change] | None = None,
        children_retention_days: int = CHILDREN_RETENTION_DAYS,
    ) -> None:
        if not isinstance(version, str) or not version.strip() or len(version) > 64:
            raise PolicyError("policy version must be a non-empty string of at most 64 characters, such as '2026-11-01'")
        if mode not in MODES:
            raise PolicyError(f"policy mode {mode!r} is unknown: use 'opt_in' or 'opt_out'")
        age_gate = _flag(age_gate, "the policy's age_gate")
        privacy_url = _text(privacy_url, "the policy's privacy_url")
        if layout not in LAYOUTS:
            raise PolicyError(f"the policy's layout {layout!r} is unknown: use {' or '.join(map(repr, LAYOUTS))}")
        if position not in LAYOUTS[layout]:
            raise PolicyError(f"the policy's position {position!r} does not fit the {layout} layout: use one of "
                              f"{', '.join(map(repr, LAYOUTS[layout]))}")
        cats = tuple(_list(categories, "the policy's categories"))
        if not all(isinstance(c, Category) for c in cats):
            raise PolicyError("the policy's categories must be Category(...) values (in TOML, [[categories]])")
        _once_each((c.id for c in cats), "category", "id")
        by_id = {c.id: c for c in cats}
        if "necessary" not in by_id:
            raise PolicyError("the policy has no 'necessary' category: add Category('necessary', required=True)")
        if not by_id["necessary"].required:
            raise PolicyError("the 'necessary' category must be required: Category('necessary', required=True)")
        service_ids = [s.id for c in cats for s in c.services]
        _once_each(service_ids, "service", "id")
        _no_host_twice(cats)
        lifetime = DEFAULT_LIFETIME_DAYS[mode] if lifetime_days is None else lifetime_days
        if not isinstance(lifetime, int) or isinstance(lifetime, bool) or not 1 <= lifetime <= 3650:
            raise PolicyError("lifetime_days must be a whole number of days from 1 to 3650")
        if (not isinstance(children_retention_days, int) or isinstance(children_retention_days, bool)
                or not 1 <= children_retention_days <= 3650):
            raise PolicyError(f"children_retention_days {children_retention_days!r} must be a whole number of days "
                              "from 1 to the ledger's retention_days (730 by default), such as 365")
        if isinstance(controller, Mapping):
            _no_unknown_keys(controller, {"name", "contact", "url"}, "the controller")
            controller = Controller(**{k: _text(v, f"the controller's {k}") for k, v in controller.items()})
        elif controller is not None and not isinstance(controller, Controller):
            raise PolicyError("the controller must be a table with name, contact and url")
        mapping = {c.id: default_consent_mode(c) for c in cats}
        mapping.update(_consent_mode_overrides(consent_mode, by_id))
        frozen_texts = MappingProxyType({lang: MappingProxyType(dict(t)) for lang, t in (texts or {}).items()})
        language = _text(language, "the policy's language").lower()
        if language not in languages(frozen_texts):
            raise PolicyError(f"the policy's language {language!r} is not on offer: use one of "
                              f"{', '.join(languages(frozen_texts))}, or add its strings under texts")
        object.__setattr__(self, "version", version)
        object.__setattr__(self, "categories", cats)
        object.__setattr__(self, "mode", mode)
        object.__setattr__(self, "age_gate", bool(age_gate))
        object.__setattr__(self, "lifetime_days", lifetime)
        object.__setattr__(self, "children_retention_days", children_retention_days)
        object.__setattr__(self, "controller", controller or Controller())
        object.__setattr__(self, "texts", frozen_texts)
        object.__setattr__(self, "language", language)
        object.__setattr__(self, "consent_mode", MappingProxyType(mapping))
        object.__setattr__(self, "extra", MappingProxyType(dict(extra or {})))
        object.__setattr__(self, "privacy_url", privacy_url)
        object.__setattr__(self, "layout", layout)
        object.__setattr__(self, "position", position)
        object.__setattr__(self, "nonce_sources", _nonce_sources(nonce_sources))
        object.__setattr__(self, "_by_id", MappingProxyType(by_id))
        object.__setattr__(self, "_services", MappingProxyType({s.id: (c, s) for c in cats for s in c.services}))
        # Read on every request: worked out once.
        object.__setattr__(self, "_category_ids", tuple(c.id for c in cats))
        object.__setattr__(self, "_sale_ids", tuple(c.id for c in cats if c.sale_or_sharing))
        object.__setattr__(self, "_optional", frozenset(c.id for c in cats if not c.required))
        object.__setattr__(self, "_cookie_rules", tuple(
            (c.id, frozenset(r.pattern for r in c.cookies if not r.is_prefix),
             tuple(r.pattern[:-1] for r in c.cookies if r.is_prefix))
            for c in cats if not c.required and c.cookies
        ))
        object.__setattr__(self, "_cookie_memo", {})
        declared = tuple(_list(regions, "the policy's regions"))
        if not all(isinstance(r, Region) for r in declared):
            raise PolicyError("the policy's regions must be Region(...) values (in TOML, [[regions]])")
        _once_each((r.code for r in declared), "region", "code")
        object.__setattr__(self, "minors", MappingProxyType({**DEFAULT_MINORS, **_minors(minors, "the policy's")}))
        object.__setattr__(self, "sensitive", _sensitive_rule(sensitive, "the policy's"))
        object.__setattr__(self, "regions", declared)
        object.__setattr__(self, "region", None)
        object.__setattr__(self, "_region_index", _region_index(declared))
        object.__setattr__(self, "changes", _changes(changes, by_id, service_ids))
        object.__setattr__(self, "_base", self)  # for_region(None), without getattr's default (an exception)
        regional = {r.code: self._derive(r) for r in declared}
        object.__setattr__(self, "_regional", regional)
        for derived in regional.values():  # a region's policy answers for_region too
            object.__setattr__(derived, "_regional", regional)

    # -- regions ---------------------------------------------------------------

    def _derive(self, region: Region) -> Policy:
        """This policy as ``region``'s visitors get it: the same categories, services and
        version (a visitor who moves keeps their choices), the region's rules and texts."""
        derived = copy.copy(self)
        mode = region.mode or self.mode
        if region.lifetime_days is not None:
            lifetime = region.lifetime_days
        else:
            lifetime = self.lifetime_days if mode == self.mode else DEFAULT_LIFETIME_DAYS[mode]
        texts = {lang: dict(t) for lang, t in self.texts.items()}
        for lang, strings in region.texts.items():
            texts.setdefault(lang, {}).update(strings)
        object.__setattr__(derived, "mode", mode)
        object.__setattr__(derived, "lifetime_days", lifetime)
        object.__setattr__(derived, "age_gate", self.age_gate if region.age_gate is None else region.age_gate)
        object.__setattr__(derived, "texts", MappingProxyType({k: MappingProxyType(v) for k, v in texts.items()}))
        object.__setattr__(derived, "minors", MappingProxyType({**self.minors, **region.minors}))
        object.__setattr__(derived, "sensitive", region.sensitive or self.sensitive)
        object.__setattr__(derived, "region", region.code)
        object.__setattr__(derived, "_base", self)
        return derived

    @property
    def sensitive_ids(self) -> tuple[str, ...]:
        """The categories marked sensitive."""
        return tuple(c.id for c in self.categories if c.sensitive)

    @property
    def sensitive_service_ids(self) -> tuple[str, ...]:
        """The services marked sensitive, or in a sensitive category."""
        return tuple(s.id for c in self.categories for s in c.services if s.sensitive or c.sensitive)

    @property
    def has_sensitive(self) -> bool:
        return bool(self.sensitive_service_ids or self.sensitive_ids)

    def minor_rule(self, band: str) -> MinorRule:
        """What this age band needs before sale, sharing or targeted advertising here."""
        if band == "16_plus" or band == "18_plus":
            return "opt_out"
        return self.minors.get(band, "opt_out")

    @property
    def distinguishes_16_17(self) -> bool:
        """Whether 16-17-year-olds have rules of their own here (the state then shows
        ``16_17`` and ``18_plus`` rather than ``16_plus``)."""
        return self.minors.get("16_17", "opt_out") != "opt_out"

    def region_for(self, country: str | None, subdivision: str | None = None) -> str | None:
        """The code of the declared region a visitor from this country (and state) is
        in; None when none is (the policy's own rules apply)."""
        if not country:
            return None
        index = cast(Mapping[tuple[str, str | None], str], self._region_index)  # type: ignore[attr-defined]
        found = index.get((country, subdivision)) if subdivision else None
        return found or index.get((country, None))

    def for_region(self, code: str | None) -> Policy:
        """This policy with a declared region's rules (the policy itself for None);
        KeyError for a code it does not declare."""
        # No typing.cast: a function call on every request's way.
        if code is None:
            return self._base  # type: ignore[attr-defined,no-any-return]
        return self._regional[code]  # type: ignore[attr-defined,no-any-return]

    # -- lookups ---------------------------------------------------------------

    @property
    def category_ids(self) -> tuple[str, ...]:
        return self._category_ids  # type: ignore[attr-defined,no-any-return]

    def category(self, category_id: str) -> Category:
        """The category with this id; KeyError if the policy has none."""
        return cast(Mapping[str, Category], self._by_id)[category_id]  # type: ignore[attr-defined]

    def __contains__(self, category_id: object) -> bool:
        return category_id in self._by_id  # type: ignore[attr-defined]

    @property
    def service_ids(self) -> tuple[str, ...]:
        """Every declared service, in the policy's order."""
        return tuple(self._services)  # type: ignore[attr-defined]

    def service(self, service_id: str) -> tuple[Category, Service]:
        """The service with this id and the category it is in; KeyError if none."""
        return cast(Mapping[str, tuple[Category, Service]], self._services)[service_id]  # type: ignore[attr-defined]

    @property
    def offered_languages(self) -> tuple[str, ...]:
        """The languages the widget and the pages speak: the built-in ones, then any
        the policy's ``texts`` add."""
        return languages(self.texts)

    @property
    def sale_or_sharing_ids(self) -> tuple[str, ...]:
        return self._sale_ids  # type: ignore[attr-defined,no-any-return]

    @property
    def optional_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.categories if not c.required)

    @property
    def optional_id_set(self) -> frozenset[str]:
        """The ids of the categories a visitor may deny, as a set."""
        return self._optional  # type: ignore[attr-defined,no-any-return]

    def category_for_url(self, url: str) -> str | None:
        """The category whose declared host (and path prefix) this URL loads from."""
        host, path = split_url(url)
        if not host:
            return None
        for category in self.categories:
            if category.required:
                continue
            for rule in category.hosts:
                if rule.matches(host, path):
                    return category.id
        return None

    def category_for_cookie(self, name: str) -> str | None:
        """The non-required category that declares this cookie name, if any (the
        first in the policy's order; every request's cookies are looked up, so the
        answers for the first names seen are kept)."""
        memo: dict[str, str | None] = self._cookie_memo  # type: ignore[attr-defined]
        found = memo.get(name, _UNSEEN)
        if found is not _UNSEEN:
            return found  # type: ignore[return-value]
        found = None
        for category_id, exact, prefixes in self._cookie_rules:  # type: ignore[attr-defined]
            if name in exact or name.startswith(prefixes):
                found = category_id
                break
        if len(memo) < _COOKIE_MEMO and len(name) <= 64:  # names come from clients: bounded
            memo[name] = found
        return found

    # -- loading ---------------------------------------------------------------

    @classmethod
    def from_toml(cls, path: str | Path) -> Policy:
        """Load a policy from a TOML file (see ``demo_site/policy.toml``)."""
        try:
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise PolicyError(f"{path}: not valid TOML: {exc}") from None
        try:
            return cls.from_dict(data)
        except PolicyError as exc:
            raise PolicyError(f"{path}: {exc}") from None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Policy:
        """Build a policy from plain data, as found in a TOML or JSON file."""
        top = {
            "version", "mode", "age_gate", "lifetime_days", "controller", "texts", "language", "layout", "position",
            "consent_mode", "extra", "privacy_url", "categories", "nonce_sources", "regions", "minors", "changes",
            "sensitive", "children_retention_days",
        }
        _no_unknown_keys(data, top, "the policy")
        categories = []
        for raw in _list(data.get("categories", []), "the policy's categories"):
            _no_unknown_keys(raw, {"id", "required", "sale_or_sharing", "services", "label", "description", "purposes",
                                   "sensitive"}, "a category")
            services = []
            for srv in _list(raw.get("services", []), f"category {raw.get('id')!r}: services"):
                _no_unknown_keys(srv, {"id", "vendor", "hosts", "cookies", "description", "local_storage", "sensitive",
                                       "name"}, "a service")
                if "id" not in srv:
                    raise PolicyError(f"a service of category {raw.get('id')!r} has no 'id'")
                try:
                    services.append(Service(
                        srv["id"], vendor=srv.get("vendor", ""), hosts=srv.get("hosts"),
                        cookies=srv.get("cookies"), description=srv.get("description", ""),
                        local_storage=srv.get("local_storage"), sensitive=srv.get("sensitive", False),
                        name=srv.get("name", ""),
                    ))
                except PolicyError as exc:  # name the category too: a file may declare many
                    raise PolicyError(f"category {raw.get('id')!r}, {exc}") from None
            if "id" not in raw:
                raise PolicyError("a category has no 'id'")
            categories.append(Category(
                raw["id"], required=raw.get("required", False),
                sale_or_sharing=raw.get("sale_or_sharing", False), services=services,
                label=raw.get("label", ""), description=raw.get("description", ""),
                purposes=raw.get("purposes"), sensitive=raw.get("sensitive", False),
            ))
        if "version" not in data:
            raise PolicyError("the policy has no 'version'")
        regions = []
        for raw in _list(data.get("regions", []), "the policy's regions"):
            _no_unknown_keys(raw, _REGION_KEYS, "a region")
            if "code" not in raw:
                raise PolicyError("a region has no 'code'")
            regions.append(Region(raw["code"], **{k: v for k, v in raw.items() if k != "code"}))
        return cls(
            data["version"], categories, mode=data.get("mode", "opt_out"),
            age_gate=data.get("age_gate", False), lifetime_days=data.get("lifetime_days"),
            controller=data.get("controller"), texts=data.get("texts"), language=data.get("language", "en"),
            consent_mode=data.get("consent_mode"), extra=data.get("extra"),
            privacy_url=data.get("privacy_url", ""), nonce_sources=data.get("nonce_sources", ()),
            layout=data.get("layout", "bar"), position=data.get("position", "bottom"),
            regions=regions, minors=data.get("minors"), sensitive=data.get("sensitive", "limit"),
            changes=[_change_from(raw) for raw in _list(data.get("changes", []), "the policy's changes")],
            children_retention_days=data.get("children_retention_days", CHILDREN_RETENTION_DAYS),
        )


def _change_from(raw: Any) -> Change:
    _no_unknown_keys(raw, {"version", "services", "categories", "note"}, "a change")
    if "version" not in raw:
        raise PolicyError("a change has no 'version'")
    return Change(raw["version"], **{k: v for k, v in raw.items() if k != "version"})


def _changes(changes: Iterable[Change] | None, by_id: Mapping[str, Category],
             service_ids: Iterable[str]) -> tuple[Change, ...]:
    """The declared changes, each naming services and categories the policy has."""
    listed = tuple(_list(changes, "the policy's changes"))
    known = set(service_ids)
    for change in listed:
        if not isinstance(change, Change):
            raise PolicyError("the policy's changes must be Change(...) values (in TOML, [[changes]])")
        for sid in change.services:
            if sid not in known:
                raise PolicyError(f"change {change.version!r} names service {sid!r}, which the policy lacks")
        for cid in change.categories:
            if cid not in by_id or by_id[cid].required:
                raise PolicyError(f"change {change.version!r} names category {cid!r}, which is not an optional "
                                  "category of the policy")
    return listed


def default_consent_mode(category: Category) -> tuple[str, ...]:
    """The Consent Mode types a category grants unless the policy maps it: necessary
    storage for a required category, the three advertising types for sale or sharing,
    ``analytics_storage`` for a category named ``analytics``, nothing otherwise."""
    if category.required:
        return ("security_storage", "functionality_storage")
    if category.sale_or_sharing:
        return ("ad_storage", "ad_user_data", "ad_personalization")
    if category.id == "analytics":
        return ("analytics_storage",)
    return ()


def _consent_mode_overrides(raw: Any, by_id: Mapping[str, Category]) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise PolicyError('consent_mode must map category ids to lists of Consent Mode types, '
                          'such as {"analytics": ["analytics_storage"]}')
    out: dict[str, tuple[str, ...]] = {}
    for key, types in raw.items():
        if key not in by_id:
            raise PolicyError(f"consent_mode names category {key!r}, which the policy does not declare")
        if isinstance(types, str) or not isinstance(types, Iterable):
            raise PolicyError(f"consent_mode[{key!r}] must be a list of Consent Mode types, such as "
                              f'["analytics_storage"], not {types!r}')
        listed = tuple(types)
        for name in listed:
            if name not in CONSENT_MODE_TYPES:
                raise PolicyError(f"consent_mode[{key!r}] names {name!r}, which is not a Consent Mode type: "
                                  f"use {', '.join(CONSENT_MODE_TYPES)}")
        out[key] = tuple(dict.fromkeys(listed))
    return out


def _nonce_sources(sources: Iterable[str]) -> tuple[str, ...]:
    if isinstance(sources, str):
        raise PolicyError("nonce_sources must be a list of URLs, such as ['https://www.googletagmanager.com/gtag/js']")
    out = tuple(sources)
    for url in out:
        if not isinstance(url, str) or not url.lower().startswith("https://") or len(url.split("/", 3)) < 4:
            raise PolicyError(
                f"nonce_sources entry {url!r} must be an https URL with a path, such as "
                "'https://www.googletagmanager.com/gtag/js'"
            )
    return out


def _no_unknown_keys(data: Any, allowed: set[str], where: str) -> None:
    if not isinstance(data, Mapping):
        raise PolicyError(f"{where} must be a table, not {type(data).__name__}")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise PolicyError(f"{where} has unknown key(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(sorted(allowed))}")


def split_url(url: str) -> tuple[str, str]:
    """(host, path) of an absolute or protocol-relative URL; ("", "") otherwise."""
    url = url.strip()
    lowered = url[:8].lower()
    if not (url.startswith("//") or lowered.startswith(("http://", "https://"))):
        return "", ""
    try:
        parts = urlsplit(url if not url.startswith("//") else "https:" + url)
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return "", ""
    return host, parts.path or "/"
