"""A bound on how fast one client can make the ledger grow (issue 13, L5).

Every decision is kept 24 months, so a client that makes decisions without keeping
its cookie (a new visitor each time) could fill the ledger. Each client (its
address, as the server sees it in ``scope["client"]``) gets a bucket of records
that refills at a steady rate. The address is never stored: the bucket is found by
a keyed hash under a random key that lives only in this process's memory.

A loopback client is not limited: it is the developer, a test run, or a proxy on
the same machine that forwards every visitor (limiting it would limit the whole
site). Behind a proxy, run the server so that it takes the client's address from
the proxy's header (uvicorn: ``--proxy-headers --forwarded-allow-ips=...``): then
each visitor has a bucket of their own. A proxy on another machine whose address
is not replaced that way shares one bucket among all visitors: raise the limit or
set ``kit.record_limit = None``.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable

__all__ = ["RecordLimit", "RecordLimitExceeded"]


class RecordLimitExceeded(Exception):
    """This client made more decisions than ``RecordLimit`` allows for now."""


class RecordLimit:
    """At most ``burst`` records at once per client, then ``per_minute`` a minute.

    ``size`` clients are remembered (the least recent go first), so memory stays bounded.
    """

    def __init__(self, per_minute: float = 60, burst: int = 60, *, size: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute <= 0 or burst < 1:
            raise ValueError("RecordLimit needs per_minute > 0 and burst >= 1")
        self.rate = per_minute / 60.0
        self.burst = burst
        self.size = size
        self.clock = clock
        self._key = secrets.token_bytes(32)
        self._buckets: OrderedDict[bytes, tuple[float, float]] = OrderedDict()

    def _bucket_of(self, client: str) -> bytes:
        return hmac.new(self._key, client.encode("utf-8", "replace"), hashlib.sha256).digest()[:16]

    def allow(self, client: str | None, cost: int = 1) -> bool:
        """Take ``cost`` records from this client's bucket; False (and nothing taken)
        when it has not that many left."""
        if client is not None and _loopback(client):
            return True
        key = self._bucket_of(client or "")
        now = self.clock()
        tokens, then = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - then) * self.rate)
        if tokens < cost:
            self._buckets[key] = (tokens, now)
            self._buckets.move_to_end(key)
            return False
        self._buckets[key] = (tokens - cost, now)
        self._buckets.move_to_end(key)
        while len(self._buckets) > self.size:
            self._buckets.popitem(last=False)
        return True


def _loopback(client: str) -> bool:
    try:
        return ipaddress.ip_address(client).is_loopback
    except ValueError:
        return False
