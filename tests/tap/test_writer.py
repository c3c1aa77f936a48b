"""The tap's writer keeps message order and flushes only at SCHEMA and STATE."""

from __future__ import annotations

import io
import json

import pytest
from singer_sdk import singerlib as singer

from tap_yuekeyun.writer import CheckpointFlushingWriter


class RecordingStdout:
    """A stand-in for ``sys.stdout`` that notes what had been written at each flush."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.flushed_at: list[int] = []

    def flush(self) -> None:
        self.flushed_at.append(len(self.buffer.getvalue().splitlines()))


def test_records_wait_for_the_next_state_and_keep_their_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stdout = RecordingStdout()
    monkeypatch.setattr("sys.stdout", stdout)
    writer = CheckpointFlushingWriter()

    writer.write_message(singer.SchemaMessage("s", {"properties": {}}, []))
    writer.write_message(singer.RecordMessage("s", {"n": 1}))
    writer.write_message(singer.RecordMessage("s", {"n": 2}))
    writer.write_message(singer.StateMessage({"bookmarks": {"s": {"v": 2}}}))
    writer.write_message(singer.RecordMessage("s", {"n": 3}))

    lines = [json.loads(line) for line in stdout.buffer.getvalue().splitlines()]
    assert [line["type"] for line in lines] == [
        "SCHEMA",
        "RECORD",
        "RECORD",
        "STATE",
        "RECORD",
    ]
    assert [line["record"]["n"] for line in lines if line["type"] == "RECORD"] == [
        1,
        2,
        3,
    ]
    assert stdout.flushed_at == [1, 4]
