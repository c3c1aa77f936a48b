"""Token buckets that keep each Feishu endpoint under its documented rate limit."""

from __future__ import annotations

import threading
import time

# Documented per-app, per-endpoint limits (requests per second), see the Feishu
# frequency-control page.
ENDPOINT_RATES: dict[str, float] = {
    "token": 20.0,
    "get_node": 100.0 / 60.0,
    "tables_list": 20.0,
    "fields_list": 20.0,
    "tables_create": 10.0,
    "fields_create": 10.0,
    "batch_create": 50.0,
    "batch_update": 50.0,
    "batch_delete": 50.0,
    "search": 20.0,
}

# Fraction of each limit we aim for: leaves room for clock skew between windows.
SAFETY_FACTOR = 0.92


class TokenBucket:
    """A thread-safe token bucket: ``rate`` tokens per second, burst of one."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self._next_free = time.monotonic()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, sleeping until it is available; return the wait."""
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_free)
            self._next_free = start + self.interval
        wait = start - now
        if wait > 0:
            time.sleep(wait)

        return wait


class Pacer:
    """One bucket per endpoint family, shared by every thread of the target."""

    def __init__(self, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self._buckets = {
            name: TokenBucket(rate * SAFETY_FACTOR)
            for name, rate in ENDPOINT_RATES.items()
        }

    def wait(self, bucket: str) -> float:
        """Block until a request of ``bucket`` may go out."""
        if not self.enabled or bucket not in self._buckets:
            return 0.0

        return self._buckets[bucket].acquire()
