"""Rate limits, per-table write locks and the fault knobs of the Feishu sandbox."""

from __future__ import annotations

import logging
import math
import threading
from collections import Counter, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sandbox.feishu.clock import Clock
from sandbox.feishu.errors import ApiError

LOGGER = logging.getLogger("sandbox.feishu")
RECORD_WRITES = frozenset({"batch_create", "batch_update", "batch_delete"})
TABLE_WRITES = RECORD_WRITES | {"fields_create", "fields_update", "fields_delete"}
WRITES = TABLE_WRITES | {"tables_create", "tables_delete"}
BITABLE = WRITES | {"tables_list", "fields_list", "search"}
AUTHENTICATED = BITABLE | {"get_node"}
ALL_ENDPOINTS = AUTHENTICATED | {"token"}

# (requests, window seconds) per app and endpoint, reference §5.1.
RATE_LIMITS: dict[str, tuple[int, float]] = {
    "batch_create": (50, 1.0),
    "batch_update": (50, 1.0),
    "batch_delete": (50, 1.0),
    "search": (20, 1.0),
    "tables_list": (20, 1.0),
    "tables_create": (10, 1.0),
    "tables_delete": (10, 1.0),
    "fields_list": (20, 1.0),
    "fields_create": (10, 1.0),
    "fields_update": (10, 1.0),
    "fields_delete": (10, 1.0),
    "get_node": (100, 60.0),
}

# Which endpoints each counted fault can hit.
FAULT_ENDPOINTS: dict[str, frozenset[str]] = {
    "rate_limited_429": AUTHENTICATED,
    "rate_limited_1254290": BITABLE,
    "write_conflicts": TABLE_WRITES,
    "data_not_ready": RECORD_WRITES | {"search"},
    "commit_then_timeout": WRITES,
    "html_502": ALL_ENDPOINTS,
    "server_errors": AUTHENTICATED,
    "token_expired": AUTHENTICATED,
}


@dataclass
class FeishuFaults:
    """Mutable fault knobs; each int is the number of next occurrences to hit.

    A counted fault hits only the endpoints of its kind (``FAULT_ENDPOINTS``) and,
    when ``endpoints`` is set, only those endpoint names. ``injected`` counts what
    was delivered, by fault name.
    """

    rate_limited_429: int = 0
    rate_limited_1254290: int = 0
    write_conflicts: int = 0
    data_not_ready: int = 0
    commit_then_timeout: int = 0
    html_502: int = 0
    server_errors: int = 0
    token_expired: int = 0
    commit_then_drop: bool = False
    data_not_ready_after_schema_change: bool = False
    monthly_quota_exhausted: bool = False
    replay_answers_1254608: bool = False
    token_error_http_status: int = 400
    write_hold_ms: float = 0.0
    endpoints: set[str] | None = None
    injected: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(
        default_factory=threading.Lock, repr=False, compare=False
    )

    def take(self, fault: str, endpoint: str) -> bool:
        """Consume one occurrence of ``fault`` for ``endpoint`` if one is due."""
        if endpoint not in FAULT_ENDPOINTS[fault]:
            return False
        with self._lock:
            if self.endpoints is not None and endpoint not in self.endpoints:
                return False
            remaining = getattr(self, fault)
            if remaining <= 0:
                return False
            setattr(self, fault, remaining - 1)
            self.injected[fault] += 1
        LOGGER.info(
            "injected fault %s on %s (%s more due)", fault, endpoint, remaining - 1
        )
        return True

    def record(self, fault: str) -> None:
        """Count a delivered boolean fault."""
        with self._lock:
            self.injected[fault] += 1
        LOGGER.info("injected fault %s", fault)

    def applies_to(self, endpoint: str) -> bool:
        """Whether the ``endpoints`` filter lets boolean faults hit ``endpoint``."""
        with self._lock:
            return self.endpoints is None or endpoint in self.endpoints


def rate_limit_error(limit: int, reset_s: int) -> ApiError:
    """The gateway's HTTP 429 frequency-limit answer."""
    headers = {
        "x-ogw-ratelimit-limit": str(limit),
        "x-ogw-ratelimit-reset": str(reset_s),
    }
    return ApiError(99991400, "request trigger frequency limit", headers=headers)


class RateLimiter:
    """Sliding-window request limits per app and endpoint on the emulator clock."""

    def __init__(self, clock: Clock, enabled: bool) -> None:
        self.enabled = enabled
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, str], deque[float]] = {}

    def admit(self, app_id: str, endpoint: str) -> None:
        """Count one request, or raise the 429 error when over the limit."""
        if not self.enabled or endpoint not in RATE_LIMITS:
            return
        limit, window_s = RATE_LIMITS[endpoint]
        now = self._clock.now()
        with self._lock:
            window = self._windows.setdefault((app_id, endpoint), deque())
            while window and window[0] <= now - window_s:
                window.popleft()
            if len(window) >= limit:
                reset_s = max(1, math.ceil(window[0] + window_s - now))
                raise rate_limit_error(limit, reset_s)
            window.append(now)


class WriteLocks:
    """One write in flight per table; a second concurrent write gets 1254291."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._busy: set[str] = set()

    @contextmanager
    def hold(self, table_id: str) -> Iterator[None]:
        """Hold the write lock of ``table_id`` or raise the write-conflict error."""
        with self._lock:
            if table_id in self._busy:
                msg = f"Write conflict: another write to table {table_id} is in flight"
                raise ApiError(1254291, msg)
            self._busy.add(table_id)
        try:
            yield
        finally:
            with self._lock:
                self._busy.discard(table_id)

    def in_flight(self) -> int:
        """How many tables have a write in flight."""
        with self._lock:
            return len(self._busy)
