"""Fault knobs of the gateway sandbox, consumed thread-safely."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

COUNTED_FAULTS = (
    "gateway_errors",
    "gateway_busy",
    "gateway_throttle",
    "gateway_html_502",
    "expired_urls",
    "truncated_files",
    "bad_ciphertext_length",
    "bad_ciphertext_padding",
    "garbage_url",
    "foreign_host_url",
    "invalid_gbk_files",
    "ragged_row_files",
)
GATEWAY_FAULTS = COUNTED_FAULTS[:4]
URL_FAULTS = COUNTED_FAULTS[6:10]


@dataclass
class GatewayFaults:
    """Mutable knobs; each int means "the next N occurrences".

    Set them directly (``sandbox.faults.gateway_busy = 2``). ``data_types``
    restricts every fault to those categories (``None``: all). ``injected``
    counts the faults actually delivered, per knob name.
    """

    gateway_errors: int = 0
    gateway_busy: int = 0
    gateway_throttle: int = 0
    gateway_html_502: int = 0
    expired_urls: int = 0
    truncated_files: int = 0
    bad_ciphertext_length: int = 0
    bad_ciphertext_padding: int = 0
    garbage_url: int = 0
    foreign_host_url: int = 0
    invalid_gbk_files: int = 0
    ragged_row_files: int = 0
    unknown_column: str | None = None
    utf8_bom: bool = False
    empty_as_header_only: bool = False
    data_types: set[str] | None = None
    injected: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(
        default_factory=threading.Lock, repr=False, compare=False
    )

    def applies_to(self, data_type: str) -> bool:
        """Whether faults may hit category ``data_type``."""
        return self.data_types is None or data_type in self.data_types

    def extra_column(self, data_type: str) -> str | None:
        """The ``unknown_column`` header files of ``data_type`` gain, if any."""
        return self.unknown_column if self.applies_to(data_type) else None

    def header_only(self, data_type: str) -> bool:
        """Whether an empty day of ``data_type`` is a header-only file."""
        return self.empty_as_header_only and self.applies_to(data_type)

    def consume(self, kind: str, data_type: str) -> bool:
        """Take one occurrence of fault ``kind`` if armed for ``data_type``.

        Returns:
            True when the caller must deliver the fault now.
        """
        if kind not in COUNTED_FAULTS:
            msg = f"unknown fault kind {kind!r}; known: {', '.join(COUNTED_FAULTS)}"
            raise ValueError(msg)
        with self._lock:
            if not self.applies_to(data_type) or getattr(self, kind) <= 0:
                return False
            setattr(self, kind, getattr(self, kind) - 1)
            self.injected[kind] += 1

        return True

    def first_gateway_fault(self, data_type: str) -> str | None:
        """Consume and name the first armed gateway-level fault, if any."""
        for kind in GATEWAY_FAULTS:
            if self.consume(kind, data_type):
                return kind

        return None

    def note(self, kind: str) -> None:
        """Count a delivered persistent fault (``unknown_column``, BOM, …)."""
        with self._lock:
            self.injected[kind] += 1

    def clear(self) -> None:
        """Disarm every knob and zero the ``injected`` counters."""
        with self._lock:
            for kind in COUNTED_FAULTS:
                setattr(self, kind, 0)
            self.unknown_column = None
            self.utf8_bom = False
            self.empty_as_header_only = False
            self.data_types = None
            self.injected.clear()
