"""The Singer input reader: msgspec decoding that stops cleanly on a signal."""

from __future__ import annotations

import os
import sys
import typing as t
from collections import Counter

from singer_sdk.contrib.msgspec import MsgSpecReader

if t.TYPE_CHECKING:
    from collections.abc import Callable, Iterator

SIGNAL_EXIT_BASE = 128  # the shell convention: 143 after SIGTERM, 130 after SIGINT


class _StopReadingError(Exception):
    """Raised in the main thread to stop reading after SIGTERM/SIGINT."""


class StoppableReader(MsgSpecReader):
    """Reads Singer lines until end of input or until a termination signal.

    A signal handler must not drain (it may interrupt the main thread inside a
    logging call or while it holds a table lock; a drain there can deadlock).
    :meth:`stop` therefore only records the signal: a blocking read is
    interrupted, a message being processed is finished, and reading ends before
    the next line. The target then drains as at end of input and exits with
    128 + the signal number. A second signal exits at once.
    """

    def __init__(self) -> None:
        super().__init__()
        self.stop_signal: int | None = None
        self._reading = False

    def stop(self, signum: int) -> None:
        """Handle SIGTERM/SIGINT (called from the signal handler)."""
        if self.stop_signal is not None:
            os.write(2, f"Received signal {signum} again; exiting now\n".encode())
            os._exit(SIGNAL_EXIT_BASE + signum)
        self.stop_signal = signum
        if self._reading:
            raise _StopReadingError

    def process_lines(
        self,
        file_input: t.IO[str] | None,
        callbacks: dict[str, Callable[[dict[str, t.Any]], None]],
    ) -> Counter[str]:
        """Process lines until end of input, or until :meth:`stop` was called."""
        source = file_input if file_input is not None else sys.stdin
        try:
            return super().process_lines(
                t.cast("t.IO[str]", self._lines(source)), callbacks
            )
        except _StopReadingError:
            return Counter()

    def _lines(self, file_input: t.IO[str]) -> Iterator[str]:
        source = iter(file_input)
        while True:
            if self.stop_signal is not None:
                raise _StopReadingError
            self._reading = True
            try:
                line = next(source, None)
            finally:
                self._reading = False
            if line is None:
                return
            yield line
