"""The site's own data, reached through the sources it registers.

consentkit does not know what a site stores. A site registers data sources
(``kit.register_source(name, export=..., delete=..., correct=..., limit=...)``):
async callables that take the verified ``Subject`` (and, to correct, what to
correct). consentkit runs them for a verified request, records each one's
outcome, and builds the access package from their exports: one zip with
``data.json`` (every source, portable JSON) and a CSV per source.

A service provider is a source too: ``WebhookSource(url, secret)`` posts a signed
JSON event (HMAC-SHA256 of the timestamp and body) and retries a failure.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import hmac
import io
import json
import logging
import re
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

logger = logging.getLogger("consentkit.requests")

Operation = Literal["export", "delete", "correct", "limit"]
OPERATIONS: tuple[Operation, ...] = ("export", "delete", "correct", "limit")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


@dataclass(frozen=True, slots=True)
class Subject:
    """Whom a verified request is about: the contact address it was verified
    through, and the consent cookie's visitor id of the browser that asked (if
    any). ``request_id`` lets a source log what it did and for which request."""

    request_id: str
    email: str | None
    visitor_id: str | None
    requester: str = "consumer"


Export = Callable[[Subject], Awaitable[Any]]
Delete = Callable[[Subject], Awaitable[Any]]
Correct = Callable[[Subject, str], Awaitable[Any]]
Limit = Callable[[Subject], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Source:
    """One place the site keeps personal information, and what it can do there."""

    name: str
    export: Export | None = None
    delete: Delete | None = None
    correct: Correct | None = None
    limit: Limit | None = None
    service_provider: bool = False

    def can(self, operation: Operation) -> bool:
        return getattr(self, operation) is not None


class Sources:
    """The sources registered on one kit, in registration order."""

    def __init__(self) -> None:
        self._sources: dict[str, Source] = {}

    def register(self, name: str, *, export: Export | None = None, delete: Delete | None = None,
                 correct: Correct | None = None, limit: Limit | None = None,
                 service_provider: bool = False) -> Source:
        if not _NAME.match(name):
            raise ValueError(f"source name {name!r}: use lowercase letters, digits, '-' and '_' (at most 40)")
        if name in self._sources:
            raise ValueError(f"a source named {name!r} is registered already")
        if not any((export, delete, correct, limit)):
            raise ValueError(f"source {name!r} needs at least one of export=, delete=, correct=, limit=")
        for label, hook in (("export", export), ("delete", delete), ("correct", correct), ("limit", limit)):
            if hook is not None and not callable(hook):
                raise TypeError(f"source {name!r}: {label}= must be an async callable")
        source = Source(name, export, delete, correct, limit, service_provider)
        self._sources[name] = source
        return source

    def add(self, source: Source) -> None:
        self.register(source.name, export=source.export, delete=source.delete, correct=source.correct,
                      limit=source.limit, service_provider=source.service_provider)

    def __iter__(self) -> Any:
        return iter(list(self._sources.values()))

    def __len__(self) -> int:
        return len(self._sources)

    def names(self) -> list[str]:
        return list(self._sources)


async def run(source: Source, operation: Operation, subject: Subject, correction: str = "") -> tuple[bool, Any]:
    """Run one source's hook: (succeeded, what it returned or why it failed). A
    source's failure is recorded, never raised: the others still run."""
    hook = getattr(source, operation)
    try:
        if operation == "correct":
            result = await hook(subject, correction)
        else:
            result = await hook(subject)
    except Exception as exc:  # noqa: BLE001 - a site's hook failing is recorded, not fatal
        logger.warning("source %s failed to %s for request %s: %s", source.name, operation, subject.request_id,
                       type(exc).__name__)
        return False, f"{type(exc).__name__}"
    return True, result


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str | int | float | bool):
        return str(value)
    return json.dumps(value, sort_keys=True, default=str)


def to_csv(data: Any) -> str:
    """A source's export as CSV: a list of objects as rows (the union of their keys
    as columns), an object as key/value rows, anything else as one value."""
    out = io.StringIO()
    writer = csv.writer(out)
    if isinstance(data, list) and all(isinstance(item, Mapping) for item in data):
        columns: list[str] = []
        for item in data:
            columns.extend(str(k) for k in item if str(k) not in columns)
        writer.writerow(columns)
        for item in data:
            writer.writerow([_cell(item.get(c)) for c in columns])
    elif isinstance(data, Mapping):
        writer.writerow(["field", "value"])
        for key, value in data.items():
            writer.writerow([str(key), _cell(value)])
    else:
        writer.writerow(["value"])
        writer.writerow([_cell(data)])
    return out.getvalue()


def package(request_id: str, generated_at: datetime, exports: Mapping[str, Any], about: Mapping[str, Any]) -> bytes:
    """The access package: ``data.json`` with every source's export, ``<source>.csv``
    for each, and ``README.txt`` saying what it is."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        document = {"request_id": request_id, "generated_at": generated_at.isoformat(), **about,
                    "sources": {name: data for name, data in exports.items()}}
        archive.writestr("data.json", json.dumps(document, indent=2, sort_keys=True, default=str))
        for name, data in exports.items():
            archive.writestr(f"{name}.csv", to_csv(data))
        archive.writestr("README.txt", "The personal information this site holds about you, in answer to request "
                         f"{request_id}.\ndata.json holds all of it; each .csv file holds one source's part.\n")
    return buffer.getvalue()


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """The webhook's signature: HMAC-SHA256 of ``timestamp.body`` under the shared secret."""
    return "sha256=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class WebhookError(Exception):
    pass


class WebhookSource:
    """A service provider told through a webhook: each operation POSTs
    ``{"event": "delete", "request_id": ..., "subject": {...}}`` with the headers
    ``X-Consentkit-Timestamp`` and ``X-Consentkit-Signature`` (see ``signature``);
    any 2xx is success, anything else is retried ``tries`` times, then recorded as a
    failure. The provider checks the signature and the timestamp's age."""

    def __init__(self, name: str, url: str, secret: str, *, operations: tuple[Operation, ...] = ("delete",),
                 timeout: float = 5.0, tries: int = 3, backoff: float = 0.5) -> None:
        if not url.startswith(("https://", "http://")):
            raise ValueError(f"webhook URL {url!r} must be http(s)")
        if len(secret) < 16:
            raise ValueError("a webhook secret must be at least 16 characters long")
        self.name, self.url, self._secret = name, url, secret.encode()
        self.operations, self.timeout, self.tries, self.backoff = operations, timeout, tries, backoff

    def source(self) -> Source:
        hooks: dict[str, Any] = {}
        for operation in self.operations:
            if operation == "correct":
                hooks["correct"] = self._correct
            else:
                hooks[operation] = self._hook(operation)
        return Source(self.name, service_provider=True, **hooks)

    def _hook(self, operation: Operation) -> Callable[[Subject], Awaitable[Any]]:
        async def call(subject: Subject) -> Any:
            return await self.post(operation, subject, {})

        return call

    async def _correct(self, subject: Subject, correction: str) -> Any:
        return await self.post("correct", subject, {"correction": correction})

    async def post(self, event: str, subject: Subject, extra: Mapping[str, Any]) -> Mapping[str, Any]:
        body = json.dumps({"event": event, "request_id": subject.request_id,
                           "subject": {"email": subject.email, "visitor_id": subject.visitor_id}, **extra},
                          sort_keys=True).encode()
        return await post_signed(self.url, self._secret, body, name=self.name, timeout=self.timeout,
                                 tries=self.tries, backoff=self.backoff)


async def post_signed(url: str, secret: bytes, body: bytes, *, name: str, timeout: float = 5.0, tries: int = 3,
                      backoff: float = 0.5) -> Mapping[str, Any]:
    """POST ``body`` (JSON) to ``url`` with the headers ``X-Consentkit-Timestamp`` and
    ``X-Consentkit-Signature`` (see ``signature``); any 2xx is success, anything else is
    retried ``tries`` times with exponential backoff, then a WebhookError. Shared by the
    service providers' webhooks and the opt-out hook (``consentkit.optouts``)."""
    last = ""
    for attempt in range(tries):
        timestamp = str(int(time.time()))
        status = await asyncio.to_thread(_send, url, secret, body, timestamp, timeout)
        if 200 <= status < 300:
            return {"status": status, "attempts": attempt + 1}
        last = f"HTTP {status}" if status else "unreachable"
        if attempt + 1 < tries:
            await asyncio.sleep(backoff * (2 ** attempt))
    raise WebhookError(f"{name}: {last} after {tries} attempts")


def _send(url: str, secret: bytes, body: bytes, timestamp: str, timeout: float) -> int:
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "X-Consentkit-Timestamp": timestamp,
        "X-Consentkit-Signature": signature(secret, timestamp, body)})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (urllib.error.URLError, OSError, ValueError):
        return 0


__all__ = ["OPERATIONS", "Operation", "Source", "Sources", "Subject", "WebhookError", "WebhookSource", "package",
           "post_signed", "run", "signature", "to_csv"]
