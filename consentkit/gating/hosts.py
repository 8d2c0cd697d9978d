"""Hosts: URLs read as a browser finds their host and path, and the host rules of a
policy prepared once per set of grants (with one bound on everything cached)."""

from __future__ import annotations

import html
import re
import unicodedata
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from urllib.parse import unquote

import idna

from ..policy import HostRule, Policy

_TNR = str.maketrans("", "", "\t\n\r")
_HIDES_HOST = re.compile(r"[\t\n\r%]|[^\x00-\x7f]")  # what _normal_url could turn into a host name
_C0_SPACE = "".join(map(chr, range(0x21)))
# Scheme-relative or http(s) URL: (authority, path without query or fragment).
_AUTHORITY = re.compile(r"(?:https?:)?//([^/?#]*)([^?#]*)")
_SLASHES = re.compile(r"/{2,}")
_SPLIT_AUTHORITY = re.compile(r"([^/?#]*)(.*)", re.DOTALL)


def _text(value: bytes | None) -> str:
    text = (value or b"").decode("utf-8", "replace")
    return html.unescape(text) if "&" in text else text


def _quoted(text: str) -> bytes:
    return b'"' + html.escape(text).encode() + b'"'


def _uts46(text: str) -> str:
    """A host's characters mapped as a browser's URL parser does (UTS #46 through the
    idna package): soft hyphens, zero-width and variation selectors vanish, full-width
    and compatibility forms fold. A character UTS #46 refuses fails the URL in a
    browser; NFKC keeps it comparable here."""
    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
            continue
        try:
            out.append(idna.uts46_remap(ch, std3_rules=False, transitional=False))
        except (idna.IDNAError, ValueError):
            out.append(unicodedata.normalize("NFKC", ch))
    return "".join(out).replace("\u3002", ".").replace("\uff0e", ".").replace("\uff61", ".")


def _normal_path(path: str) -> str:
    """A path as the server that gets it may read it: %-escapes decoded, runs of
    slashes as one, and "." and ".." segments (also written %2e) resolved, so that
    ``/x/../recaptcha/api.js`` matches a rule for ``/recaptcha``."""
    if "%" in path:
        path = unquote(path)
    path = _SLASHES.sub("/", path)
    if "." not in path:
        return path or "/"
    out: list[str] = []
    segments = path.split("/")
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment == ".":
            if last:
                out.append("")
        elif segment == "..":
            if len(out) > 1:
                out.pop()
            if last:
                out.append("")
        else:
            out.append(segment)
    joined = "/".join(out)
    return joined if joined.startswith("/") else "/" + joined


def _normal_url(url: str) -> str:
    """A URL lowered and read as a browser would find its host: no tabs or newlines,
    \\ as /, any run of slashes after http(s): or at the start as //; then, in an
    http(s) or scheme-relative URL only, %-escapes decoded and the host mapped as
    UTS #46 does, and the path normalised (_normal_path). Anything else is a path (or
    another scheme) however it is escaped: "%2F%2Fx.test" stays on this site."""
    url = url.translate(_TNR).strip(_C0_SPACE).replace("\\", "/")
    lowered = url.lower()
    if lowered.startswith(("http:", "https:")):
        scheme, _, rest = lowered.partition(":")
        return scheme + "://" + _decoded(rest.lstrip("/"))
    if url.startswith("//"):
        return "//" + _decoded(lowered.lstrip("/"))
    return lowered


def _decoded(rest: str) -> str:
    m = _SPLIT_AUTHORITY.match(rest)
    assert m is not None
    authority, tail = m.groups()
    if "%" in authority:
        authority = unquote(authority)
    if not authority.isascii():
        authority = _uts46(authority)
    if not tail:
        return authority.lower()
    cut = min((i for i in (tail.find("?"), tail.find("#")) if i >= 0), default=len(tail))
    return (authority + _normal_path(tail[:cut]) + tail[cut:]).lower()


def _host_path(url: str) -> tuple[str, str]:
    """(host, path) of a URL from _normal_url, as split_url() would find them."""
    m = _AUTHORITY.match(url)
    if m is None:
        return "", ""
    host, path = m.groups()
    if "@" in host:
        host = host.rpartition("@")[2]
    host = host.partition("]")[0] + "]" if host.startswith("[") else host.partition(":")[0]
    return host.rstrip("."), path or "/"


_Read = tuple[bool, str, bool, "bytes | None", int]

# A declared host belongs to a service: the gate decides per service, and names the
# service ":<id>" among its grants (a category id has no ":").
SERVICE_MARK = ":"


def allowed_units(
    policy: Policy, granted: Mapping[str, bool], services: Mapping[str, bool] | None = None
) -> frozenset[str]:
    """What the gate may serve live: each granted category (required ones always),
    and each service granted (":<id>"), by its own value in ``services`` or else by
    its category's. Remembered per policy and grants (a response whose grants the
    caller made afresh, a new visitor's, asks with equal mappings)."""
    try:
        key = (id(policy), tuple(granted.items()), None if services is None else tuple(services.items()))
        known = _PREPARED.allowed.get(key)
    except TypeError:  # a value without a hash: worked out every time
        return _allowed_units(policy, granted, services)
    if known is not None and known[0]() is policy:
        return known[1]
    found = _allowed_units(policy, granted, services)
    if len(_PREPARED.allowed) >= _ALLOWED_KEPT:
        _PREPARED.allowed.clear()
    _PREPARED.allowed[key] = (weakref.ref(policy), found)
    return found


def _allowed_units(
    policy: Policy, granted: Mapping[str, bool], services: Mapping[str, bool] | None
) -> frozenset[str]:
    out = set()
    for category in policy.categories:
        on = category.required or granted.get(category.id, False)
        if on:
            out.add(category.id)
        for service in category.services:
            value = services.get(service.id) if services is not None else None
            if category.required or (on if value is None else value):
                out.add(SERVICE_MARK + service.id)
    return frozenset(out)


class _Rules:
    """What a policy and a set of grants decide, prepared once and shared by every
    response with the same grants."""

    def __init__(self, policy: Policy, allowed: frozenset[str]) -> None:
        ordered = [(SERVICE_MARK + s.id, rule) for c in policy.categories if not c.required
                   for s in c.services for rule in s.hosts]
        # Only hosts of categories not granted can block: a URL naming none is let be
        # without being parsed.
        blocking = sorted({rule.host.removeprefix("*.") for cid, rule in ordered if cid not in allowed})
        self.hint = re.compile("|".join(map(re.escape, blocking))) if blocking else None
        # The same hosts for the C scanner, which looks for them in script and style bodies.
        self.needles = tuple(host.encode() for host in blocking)
        every = sorted({rule.host.removeprefix("*.") for _, rule in ordered})
        self.any_hint = re.compile("|".join(map(re.escape, every))) if every else None
        self.exact: dict[str, list[tuple[int, str, HostRule]]] = {}
        self.wild: list[tuple[int, str, HostRule]] = []
        for i, (cid, rule) in enumerate(ordered):
            if rule.host.startswith("*."):
                self.wild.append((i, cid, rule))
            else:
                self.exact.setdefault(rule.host, []).append((i, cid, rule))
        self.order = {c.id: i for i, c in enumerate(policy.categories)}
        # Each service's category, and a service an author names in data-consent.
        self.owner = {SERVICE_MARK + s.id: c.id for c in policy.categories for s in c.services}
        self.categories = frozenset(c.id for c in policy.categories)
        # Services not granted that declare hosts: what an unreadable body may name.
        self.blocking = tuple(dict.fromkeys(unit for unit, _ in ordered if unit not in allowed))
        self.required = frozenset(c.id for c in policy.categories if c.required)
        self.trusted = tuple(_normal_url(url) for url in policy.nonce_sources)
        # What each tag read becomes under these grants (HtmlGate._read), by its bytes.
        self.tags: dict[bytes, _Read] = {}
        # Starts of pages that went out unchanged with the injection at their end (HtmlGate).
        self.prefixes: tuple[bytes, ...] = ()
        # Embeds held back with a placeholder: their read and (service, width, height).
        self.embeds: dict[bytes, tuple[_Read, tuple[str, int | None, int | None]]] = {}
        self.kept = True  # False once _Prepared let it go: it then remembers nothing

    @classmethod
    def of(cls, policy: Policy, allowed: frozenset[str]) -> _Rules:
        return _PREPARED.get(policy, allowed)

    def remember(self, tag: bytes, read: _Read) -> None:
        _PREPARED.remember(self, tag, read)

    def remember_embed(self, tag: bytes, read: _Read, embed: tuple[str, int | None, int | None]) -> None:
        if self.kept and len(self.embeds) < _EMBEDS:
            self.embeds[tag] = (read, embed)

    def remember_prefix(self, prefix: bytes) -> None:
        if self.kept and len(self.prefixes) < _PREFIXES and prefix not in self.prefixes:
            self.prefixes += (prefix,)

    def unit(self, token: str) -> str:
        """What a ``data-consent`` token needs: a category, or a service (":<id>")."""
        if token in self.categories or SERVICE_MARK + token not in self.owner:
            return token
        return SERVICE_MARK + token

    def label(self, units: Iterable[str]) -> str:
        """The categories of these grants (categories or services) for ``data-consent``,
        in the policy's order."""
        found = {self.owner.get(unit, unit) for unit in units}
        return " ".join(sorted(found, key=lambda c: self.order.get(c, len(self.order))))

    def category(self, url: str) -> str | None:
        """The service (":<id>") whose declared host this URL, already through
        _normal_url, loads from (Policy.category_for_url, per service)."""
        host, path = _host_path(url)
        return self.category_at(host, path) if host else None

    def category_at(self, host: str, path: str) -> str | None:
        best: tuple[int, str] | None = None
        for i, cid, rule in (*self.exact.get(host, ()), *self.wild):
            if (best is None or i < best[0]) and rule.matches(host, path):
                best = (i, cid)
        return None if best is None else best[1]

    def declares_host(self, host: str) -> bool:
        return host in self.exact or any(rule.matches(host, rule.path or "/") for _, _, rule in self.wild)


# Per rules and in all: a page's tags repeat, so a few hundred cover a site; the
# bound on all of them together holds however many sets of grants visitors make
# (2^N with N optional categories).
_TAGS_PER_RULES = 512
_TAGS_IN_ALL = 2048
_RULES_KEPT = 64
# Sets of grants whose allowed_units() are kept (each a few dozen bytes).
_ALLOWED_KEPT = 256
# Starts of pages kept per _Rules (HtmlGate._known_prefix): a site's pages have a few.
_PREFIXES = 4
# Embeds held with a placeholder kept per _Rules (up to _CACHED_TAG bytes each).
_EMBEDS = 64


class _Prepared:
    """Every _Rules in the process, least recently used first, and the one bound
    on the tags they remember. Process-wide on purpose: a bound per kit or per
    policy would multiply with them."""

    def __init__(self) -> None:
        self.rules: OrderedDict[tuple[int, frozenset[str]], tuple[weakref.ref[Policy], _Rules]] = OrderedDict()
        self.tags = 0
        # allowed_units() by (policy id, grants, services), with the policy held weakly.
        self.allowed: dict[tuple[object, ...], tuple[weakref.ref[Policy], frozenset[str]]] = {}

    def get(self, policy: Policy, allowed: frozenset[str]) -> _Rules:
        # Keyed by identity (a Policy holds mappings, so it has no hash); the weak
        # reference tells a reused id from the same policy.
        key = (id(policy), allowed)
        entry = self.rules.get(key)
        if entry is not None and entry[0]() is policy:
            self.rules.move_to_end(key)
            return entry[1]
        if entry is not None:
            self._drop(key)
        rules = _Rules(policy, allowed)
        self.rules[key] = (weakref.ref(policy), rules)
        while len(self.rules) > _RULES_KEPT:
            self._drop(next(iter(self.rules)))
        return rules

    def remember(self, rules: _Rules, tag: bytes, read: _Read) -> None:
        if not rules.kept:
            return
        if len(rules.tags) >= _TAGS_PER_RULES:
            self.tags -= len(rules.tags)
            rules.tags.clear()
        if self.tags >= _TAGS_IN_ALL:
            # Counted again first: a cache emptied by hand (tests, benchmarks) holds nothing.
            self.tags = sum(len(other.tags) for _, other in self.rules.values())
        if self.tags >= _TAGS_IN_ALL:
            for _, other in self.rules.values():  # least recently used first
                if other.tags:
                    self.tags -= len(other.tags)
                    other.tags.clear()
                if self.tags < _TAGS_IN_ALL:
                    break
        before = len(rules.tags)
        rules.tags[tag] = read
        self.tags += len(rules.tags) - before

    def _drop(self, key: tuple[int, frozenset[str]]) -> None:
        _, rules = self.rules.pop(key)
        rules.kept = False
        self.tags -= len(rules.tags)
        rules.tags.clear()
        rules.prefixes = ()
        rules.embeds.clear()


_PREPARED = _Prepared()
