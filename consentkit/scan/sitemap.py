"""The pages a sitemap lists (``consentkit scan --sitemap``): a sitemap's ``<loc>``
URLs, through one level of sitemap index, from a URL or a file; bounded in size and
in number of pages."""

from __future__ import annotations

import urllib.request
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

from .findings import ScanError

MAX_BYTES = 5_000_000


def _read(source: str, timeout: float) -> bytes:
    if urlsplit(source).scheme in ("http", "https"):
        try:
            with urllib.request.urlopen(source, timeout=timeout) as response:
                data: bytes = response.read(MAX_BYTES + 1)
        except OSError as exc:
            raise ScanError(f"could not read the sitemap {source}: {exc}") from None
    else:
        try:
            with Path(source).open("rb") as file:
                data = file.read(MAX_BYTES + 1)
        except OSError as exc:
            raise ScanError(f"could not read the sitemap {source}: {exc.strerror}") from None
    if len(data) > MAX_BYTES:
        raise ScanError(f"the sitemap {source} is larger than {MAX_BYTES:,} bytes")
    return data


def _locs(data: bytes, source: str) -> tuple[str, list[str]]:
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise ScanError(f"the sitemap {source} is not XML: {exc}") from None
    kind = root.tag.rsplit("}", 1)[-1]
    locs = [(e.text or "").strip() for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "loc"]
    return kind, [loc for loc in locs if loc]


def sitemap_urls(source: str, *, limit: int = 20, timeout: float = 30.0) -> list[str]:
    """The first ``limit`` page URLs of the sitemap at ``source`` (a URL or a file)."""
    kind, locs = _locs(_read(source, timeout), source)
    if kind == "sitemapindex":
        pages: list[str] = []
        for nested in locs:
            if len(pages) >= limit:
                break
            pages += _locs(_read(nested, timeout), nested)[1]
        locs = pages
    urls = [u for u in dict.fromkeys(locs) if urlsplit(u).scheme in ("http", "https")]
    if not urls:
        raise ScanError(f"the sitemap {source} lists no http(s) page")
    return urls[:limit]
