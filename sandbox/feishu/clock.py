"""The emulator clock: wall time plus an offset that tests may advance or freeze."""

from __future__ import annotations

import threading
import time


class Clock:
    """Seconds since the epoch as the emulated service sees them."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._frozen_at: float | None = None
        self._lock = threading.Lock()

    def now(self) -> float:
        """The current emulated time in seconds."""
        with self._lock:
            base = self._frozen_at if self._frozen_at is not None else time.time()
            return base + self._offset

    def now_ms(self) -> int:
        """The current emulated time in milliseconds."""
        return int(self.now() * 1000)

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` (never backward)."""
        if seconds < 0:
            msg = f"advance_clock: seconds must be >= 0, got {seconds}"
            raise ValueError(msg)
        with self._lock:
            self._offset += seconds

    def freeze(self, frozen: bool = True) -> None:
        """Stop (or restart) the wall-time part of the clock at its current value."""
        with self._lock:
            if frozen and self._frozen_at is None:
                self._frozen_at = time.time()
            elif not frozen and self._frozen_at is not None:
                self._offset += self._frozen_at - time.time()
                self._frozen_at = None
