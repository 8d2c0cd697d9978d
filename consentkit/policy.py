"""The site's consent policy: categories, the services in them, and their cookies.

Everything here is an immutable value, validated when it is built, so that a
mistake in the policy stops the application at start-up with an error that says
how to fix it, never later in a visitor's request.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, cast
from urllib.parse import urlsplit

Mode = Literal["opt_in", "opt_out"]
MODES: tuple[Mode, ...] = ("opt_in", "opt_out")

# Default lifetime of a visitor's choices (rule 7): a year in opt_out mode, about
# six months (CNIL's good practice) in opt_in mode.
DEFAULT_LIFETIME_DAYS: Mapping[Mode, int] = MappingProxyType({"opt_out": 365, "opt_in": 182})

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
        description: What it does, shown to visitors.
        local_storage: ``localStorage`` keys (or ``"prefix*"``) it writes; removed
            while the category is not granted.
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

    def __init__(
        self,
        id: str,
        *,
        vendor: str = "",
        hosts: Iterable[str | HostRule] | None = None,
        cookies: Mapping[str, str] | Iterable[CookieRule] | None = None,
        description: str = "",
        local_storage: Iterable[str] | None = None,
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
        description = _text(description, f"{where} description")
        name = _text(name, f"{where} name")
        local_storage = tuple(_text(k, f"{where} each local_storage key")
                              for k in _list(local_storage, f"{where} local_storage"))
        object.__setattr__(self, "id", id)
        object.__setattr__(self, "vendor", vendor)
        object.__setattr__(self, "hosts", rules)
        object.__setattr__(self, "cookies", cookie_rules)
        object.__setattr__(self, "description", description)
        object.__setattr__(self, "local_storage", local_storage)
        object.__setattr__(self, "name", name)


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
        label: The name shown to visitors; by default the id, capitalised.
        description: What the category is for, shown to visitors.
    """

    id: str
    required: bool = False
    sale_or_sharing: bool = False
    services: tuple[Service, ...] = ()
    label: str = ""
    description: str = ""
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
        label: str = "",
        description: str = "",
    ) -> None:
        if not isinstance(id, str) or not _ID.match(id):
            raise PolicyError(
                f"category id {id!r} is not valid: use lowercase letters, digits, '-' or '_', "
                "starting with a letter (at most 40 characters)"
            )
        required = _flag(required, f"category {id!r}: required")
        sale_or_sharing = _flag(sale_or_sharing, f"category {id!r}: sale_or_sharing")
        label = _text(label, f"category {id!r}: label")
        description = _text(description, f"category {id!r}: description")
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
        object.__setattr__(self, "_cookies", tuple(c for s in self.services for c in s.cookies))
        object.__setattr__(self, "_hosts", tuple(h for s in self.services for h in s.hosts))

    @property
    def cookies(self) -> tuple[CookieRule, ...]:
        return self._cookies

    @property
    def hosts(self) -> tuple[HostRule, ...]:
        return self._hosts


@dataclass(frozen=True, slots=True)
class Controller:
    """Who is responsible for the data: shown on receipts (Kantara CR "controller")."""

    name: str = ""
    contact: str = ""
    url: str = ""


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
        consent_mode: Google Consent Mode types per category (``{"analytics":
            ["analytics_storage"]}``), replacing a category's defaults.
        extra: Anything else to keep beside the policy (the demo's CCPA table).
        privacy_url: The site's privacy policy, linked from the parents' page.
        nonce_sources: Script URL prefixes (``"https://www.googletagmanager.com/gtag/js"``)
            on which the gate may put the response's CSP nonce when it makes them live.
    """

    version: str
    categories: tuple[Category, ...]
    mode: Mode = "opt_out"
    age_gate: bool = False
    lifetime_days: int = 0
    controller: Controller = field(default_factory=Controller)
    texts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # Every category's Consent Mode types: the defaults (see default_consent_mode) with
    # the policy's own mapping, which replaces a category's defaults, over them.
    consent_mode: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)
    privacy_url: str = ""
    # Script URLs (prefixes, such as "https://www.googletagmanager.com/gtag/js") on
    # which the gate may put the response's CSP nonce when it makes them live.
    nonce_sources: tuple[str, ...] = ()

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
        consent_mode: Mapping[str, Iterable[str]] | None = None,
        extra: Mapping[str, Any] | None = None,
        privacy_url: str = "",
        nonce_sources: Iterable[str] = (),
    ) -> None:
        if not isinstance(version, str) or not version.strip() or len(version) > 64:
            raise PolicyError("policy version must be a non-empty string of at most 64 characters, such as '2026-11-01'")
        if mode not in MODES:
            raise PolicyError(f"policy mode {mode!r} is unknown: use 'opt_in' or 'opt_out'")
        age_gate = _flag(age_gate, "the policy's age_gate")
        privacy_url = _text(privacy_url, "the policy's privacy_url")
        cats = tuple(_list(categories, "the policy's categories"))
        if not all(isinstance(c, Category) for c in cats):
            raise PolicyError("the policy's categories must be Category(...) values (in TOML, [[categories]])")
        ids = [c.id for c in cats]
        for cid in ids:
            if ids.count(cid) > 1:
                raise PolicyError(f"category {cid!r} is declared twice: category ids must be unique")
        by_id = {c.id: c for c in cats}
        if "necessary" not in by_id:
            raise PolicyError("the policy has no 'necessary' category: add Category('necessary', required=True)")
        if not by_id["necessary"].required:
            raise PolicyError("the 'necessary' category must be required: Category('necessary', required=True)")
        service_ids = [s.id for c in cats for s in c.services]
        for sid in service_ids:
            if service_ids.count(sid) > 1:
                raise PolicyError(f"service {sid!r} is declared twice: service ids must be unique")
        _no_host_twice(cats)
        lifetime = DEFAULT_LIFETIME_DAYS[mode] if lifetime_days is None else lifetime_days
        if not isinstance(lifetime, int) or isinstance(lifetime, bool) or not 1 <= lifetime <= 3650:
            raise PolicyError("lifetime_days must be a whole number of days from 1 to 3650")
        if isinstance(controller, Mapping):
            _no_unknown_keys(controller, {"name", "contact", "url"}, "the controller")
            controller = Controller(**{k: _text(v, f"the controller's {k}") for k, v in controller.items()})
        elif controller is not None and not isinstance(controller, Controller):
            raise PolicyError("the controller must be a table with name, contact and url")
        mapping = {c.id: default_consent_mode(c) for c in cats}
        mapping.update(_consent_mode_overrides(consent_mode, by_id))
        frozen_texts = MappingProxyType({lang: MappingProxyType(dict(t)) for lang, t in (texts or {}).items()})
        object.__setattr__(self, "version", version)
        object.__setattr__(self, "categories", cats)
        object.__setattr__(self, "mode", mode)
        object.__setattr__(self, "age_gate", bool(age_gate))
        object.__setattr__(self, "lifetime_days", lifetime)
        object.__setattr__(self, "controller", controller or Controller())
        object.__setattr__(self, "texts", frozen_texts)
        object.__setattr__(self, "consent_mode", MappingProxyType(mapping))
        object.__setattr__(self, "extra", MappingProxyType(dict(extra or {})))
        object.__setattr__(self, "privacy_url", privacy_url)
        object.__setattr__(self, "nonce_sources", _nonce_sources(nonce_sources))
        object.__setattr__(self, "_by_id", MappingProxyType(by_id))
        object.__setattr__(self, "_services", MappingProxyType({s.id: (c, s) for c in cats for s in c.services}))

    # -- lookups ---------------------------------------------------------------

    @property
    def category_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.categories)

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
    def sale_or_sharing_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.categories if c.sale_or_sharing)

    @property
    def optional_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.categories if not c.required)

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
        """The non-required category that declares this cookie name, if any."""
        for category in self.categories:
            if category.required:
                continue
            for rule in category.cookies:
                if rule.matches(name):
                    return category.id
        return None

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
            "version", "mode", "age_gate", "lifetime_days", "controller", "texts",
            "consent_mode", "extra", "privacy_url", "categories", "nonce_sources",
        }
        _no_unknown_keys(data, top, "the policy")
        categories = []
        for raw in _list(data.get("categories", []), "the policy's categories"):
            _no_unknown_keys(raw, {"id", "required", "sale_or_sharing", "services", "label", "description"}, "a category")
            services = []
            for srv in _list(raw.get("services", []), f"category {raw.get('id')!r}: services"):
                _no_unknown_keys(srv, {"id", "vendor", "hosts", "cookies", "description", "local_storage", "name"}, "a service")
                if "id" not in srv:
                    raise PolicyError(f"a service of category {raw.get('id')!r} has no 'id'")
                try:
                    services.append(Service(
                        srv["id"], vendor=srv.get("vendor", ""), hosts=srv.get("hosts"),
                        cookies=srv.get("cookies"), description=srv.get("description", ""),
                        local_storage=srv.get("local_storage"), name=srv.get("name", ""),
                    ))
                except PolicyError as exc:  # name the category too: a file may declare many
                    raise PolicyError(f"category {raw.get('id')!r}, {exc}") from None
            if "id" not in raw:
                raise PolicyError("a category has no 'id'")
            categories.append(Category(
                raw["id"], required=raw.get("required", False),
                sale_or_sharing=raw.get("sale_or_sharing", False), services=services,
                label=raw.get("label", ""), description=raw.get("description", ""),
            ))
        if "version" not in data:
            raise PolicyError("the policy has no 'version'")
        return cls(
            data["version"], categories, mode=data.get("mode", "opt_out"),
            age_gate=data.get("age_gate", False), lifetime_days=data.get("lifetime_days"),
            controller=data.get("controller"), texts=data.get("texts"),
            consent_mode=data.get("consent_mode"), extra=data.get("extra"),
            privacy_url=data.get("privacy_url", ""), nonce_sources=data.get("nonce_sources", ()),
        )


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
