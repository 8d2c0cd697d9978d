"""Hosts: URLs read as a browser finds their host, and the host rules of a policy
prepared once per set of grants."""

from __future__ import annotations

import html
import re
import unicodedata
import weakref
from urllib.parse import unquote

from ..policy import HostRule, Policy

_TNR = str.maketrans("", "", "\t\n\r")
_HIDES_HOST = re.compile(r"[\t\n\r%]|[^\x00-\x7f]")  # what _normal_url could turn into a host name
_C0_SPACE = "".join(map(chr, range(0x21)))
# Scheme-relative or http(s) URL: (authority, path without query or fragment).
_AUTHORITY = re.compile(r"(?:https?:)?//([^/?#]*)([^?#]*)")


def _text(value: bytes | None) -> str:
    text = (value or b"").decode("utf-8", "replace")
    return html.unescape(text) if "&" in text else text


def _quoted(text: str) -> bytes:
    return b'"' + html.escape(text).encode() + b'"'


class _Rules:
    """What a policy and a set of grants decide, prepared once and shared by every
    response with the same grants."""

    def __init__(self, policy: Policy, allowed: frozenset[str]) -> None:
        ordered = [(c.id, rule) for c in policy.categories if not c.required for rule in c.hosts]
        # Only hosts of categories not granted can block: a URL naming none is let be
        # without being parsed.
        hosts = {rule.host.removeprefix("*.") for cid, rule in ordered if cid not in allowed}
        self.hint = re.compile("|".join(map(re.escape, sorted(hosts)))) if hosts else None
        self.exact: dict[str, list[tuple[int, str, HostRule]]] = {}
        self.wild: list[tuple[int, str, HostRule]] = []
        for i, (cid, rule) in enumerate(ordered):
            if rule.host.startswith("*."):
                self.wild.append((i, cid, rule))
            else:
                self.exact.setdefault(rule.host, []).append((i, cid, rule))
        self.consent_attr = {c.id: b" data-consent=" + _quoted(c.id) for c in policy.categories}
        # What each tag read becomes under these grants (HtmlGate._read), by its bytes.
        self.tags: dict[bytes, tuple[bool, str, bool, bytes | None, int]] = {}

    @classmethod
    def of(cls, policy: Policy, allowed: frozenset[str]) -> _Rules:
        # Keyed by identity (a Policy holds mappings, so it has no hash); the weak
        # reference tells a reused id from the same policy.
        entry = _PREPARED.get(id(policy))
        if entry is None or entry[0]() is not policy:
            entry = _PREPARED[id(policy)] = (weakref.ref(policy), {})
        rules = entry[1].get(allowed)
        if rules is None:
            rules = entry[1][allowed] = cls(policy, allowed)
        return rules

    def category(self, url: str) -> str | None:
        """Policy.category_for_url for a URL already through _normal_url."""
        host, path = _host_path(url)
        if not host:
            return None
        best: tuple[int, str] | None = None
        for i, cid, rule in (*self.exact.get(host, ()), *self.wild):
            if (best is None or i < best[0]) and rule.matches(host, path):
                best = (i, cid)
        return None if best is None else best[1]

    def declares_host(self, host: str) -> bool:
        return host in self.exact or any(rule.matches(host, rule.path or "/") for _, _, rule in self.wild)


_PREPARED: dict[int, tuple[weakref.ref[Policy], dict[frozenset[str], _Rules]]] = {}

def _normal_url(url: str) -> str:
    """A URL lowered and read as a browser would find its host: no tabs or newlines,
    \\ as /, any run of slashes after http(s): or at the start as //; then, in an
    http(s) or scheme-relative URL only, %-escapes and full-width characters and dots
    (IDNA mapping) decoded, as a browser does with a host. Anything else is a path
    (or another scheme) however it is escaped: "%2F%2Fx.test" stays on this site."""
    url = url.translate(_TNR).strip(_C0_SPACE).replace("\\", "/")
    lowered = url.lower()
    if lowered.startswith(("http:", "https:")):
        scheme, _, rest = lowered.partition(":")
        return scheme + "://" + _decoded(rest.lstrip("/"))
    if url.startswith("//"):
        return "//" + _decoded(lowered.lstrip("/"))
    return lowered


def _decoded(rest: str) -> str:
    if "%" in rest:
        rest = unquote(rest)
    if not rest.isascii():
        rest = unicodedata.normalize("NFKC", rest).replace("\u3002", ".")
    return rest.lower()


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

