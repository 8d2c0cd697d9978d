"""The page corpus the benchmarks share: the pages (benchmarks/pages/*.html), the
policy they are gated with, and the three visitors who request them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from consentkit import ConsentKit, Policy
from consentkit.gating import hosts
from consentkit.state import Choices

PAGES_DIR = Path(__file__).resolve().parent / "pages"
# The order of the table: smallest and most compressible first.
ORDER = ("blog", "landing", "ads", "article", "docs", "svg", "listing")
VISITORS = ("new", "returning", "withdrawing")

# What a browser that has been on the site sends besides the consent cookie.
_SITE = "session=9f2c7e1ab3d84d60; cart=3"
_ANALYTICS = "_ga=GA1.1.1827364512.1764633600; _ga_4H7ZQ1XK9P=GS1.1.1764633600.4.1.1764634200.0.0.0; _gid=GA1.1.99182.17646"
_ADS = "_fbp=fb.1.1764633600123.1928374655; __gads=ID=4b1e2c3d4e5f6a7b:T=1764633600:RT=1764634200:S=ALNI_Mb"


def policy() -> Policy:
    return Policy.from_toml(PAGES_DIR / "policy.toml")


def pages(names: tuple[str, ...] = ORDER) -> dict[str, bytes]:
    return {name: (PAGES_DIR / f"{name}.html").read_bytes() for name in names}


def cookie(kit: ConsentKit, visitor: str) -> str:
    """The Cookie header of each visitor: ``new`` brings none of ours (a site cookie
    only); ``returning`` granted analytics and embedded content, not advertising,
    and carries the analytics cookies; ``withdrawing`` denied everything, and still
    carries the analytics and advertising cookies set before: each response
    expires them."""
    if visitor == "new":
        return _SITE
    now = datetime.now(UTC)
    granted = visitor == "returning"
    choices = Choices(visitor_id=kit.new_visitor_id(), policy_version=kit.policy.version, decided_at=now,
                      updated_at=now).evolve(choices={"analytics": granted, "functional": granted, "advertising": False})
    ours = f"{kit.cookie_name}={kit.codec.dumps(choices)}"
    return f"{_SITE}; {_ANALYTICS}; {ours}" if granted else f"{_SITE}; {_ANALYTICS}; {_ADS}; {ours}"


def forget_tags() -> None:
    """Empty every cache of tags read (a first view: no page seen before)."""
    for _, rules in hosts._PREPARED.rules.values():
        rules.tags.clear()
        rules.prefixes = ()
        rules.embeds.clear()
    hosts._PREPARED.tags = 0
