"""Login attempts, limited: a name is locked for a while after repeated wrong
passwords (whoever tries them), and one client may try only so often. Kept in
memory by the console of one kit; client addresses are never logged."""

from __future__ import annotations

import threading
from collections import deque

# Attempts one client may make in a window, whatever the names tried.
CLIENT_ATTEMPTS = 20
CLIENT_WINDOW = 600.0
_MAX_KEYS = 10_000  # bounded memory under a flood of names or addresses


class LoginThrottle:
    """Failures per name (a lockout) and attempts per client (a rate)."""

    def __init__(self, *, max_failures: int, lockout_seconds: float) -> None:
        self.max_failures = max_failures
        self.lockout_seconds = lockout_seconds
        self._lock = threading.Lock()
        self._failures: dict[str, deque[float]] = {}
        self._attempts: dict[str, deque[float]] = {}

    def _recent(self, table: dict[str, deque[float]], key: str, now: float, window: float) -> deque[float]:
        times = table.get(key)
        if times is None:
            if len(table) >= _MAX_KEYS:
                table.pop(next(iter(table)))
            times = table[key] = deque()
        while times and times[0] <= now - window:
            times.popleft()
        return times

    def client_allowed(self, client: str, now: float) -> bool:
        """Count an attempt from ``client``; False once it has made too many lately."""
        with self._lock:
            times = self._recent(self._attempts, client, now, CLIENT_WINDOW)
            if len(times) >= CLIENT_ATTEMPTS:
                return False
            times.append(now)
            return True

    def locked(self, name: str, now: float) -> bool:
        """Whether ``name`` is locked out (too many failures within the lockout time)."""
        with self._lock:
            return len(self._recent(self._failures, name, now, self.lockout_seconds)) >= self.max_failures

    def failed(self, name: str, now: float) -> None:
        with self._lock:
            self._recent(self._failures, name, now, self.lockout_seconds).append(now)

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name, None)
