"""The tap's Singer message writer: msgspec serialisation, flushed at checkpoints."""

from __future__ import annotations

import sys

from singer_sdk import singerlib as singer
from singer_sdk.contrib.msgspec import MsgSpecWriter


class CheckpointFlushingWriter(MsgSpecWriter):
    """Writes RECORD lines through stdout's buffer; flushes on every other message.

    The SDK's writer flushes after each message, a system call per record. Here
    records wait in the buffer and go out, in order, with the next SCHEMA or STATE
    message, so a STATE line never reaches the target before the records it covers.
    """

    def write_message(self, message: singer.Message) -> None:
        """Write one message; flush unless it is a RECORD."""
        sys.stdout.buffer.write(self.format_message(message))
        if not isinstance(message, singer.RecordMessage):
            sys.stdout.flush()
