"""STATE messages come only at file boundaries, never inside one business day."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sandbox.yuekeyun import YuekeyunSandbox
from tap_yuekeyun.streams import CategoryStream
from tests.tap.conftest import business_today, run_tap, tap_config


def message_runs(messages: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    """Consecutive RECORDs of one (date, cinema) as one entry; STATEs as-is."""
    runs: list[tuple[str, ...]] = []
    for message in messages:
        if message["type"] == "RECORD":
            record = message["record"]
            entry = ("RECORD", record["_business_date"], record["_cinema_link_id"])
        elif message["type"] == "STATE":
            entry = ("STATE",)
        else:
            continue
        if entry[0] == "STATE" or not runs or runs[-1] != entry:
            runs.append(entry)
    return runs


def test_state_only_between_day_files_even_below_the_sdk_frequency(
    gateway: YuekeyunSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every day file holds more rows than this threshold: the SDK's own
    # counter would write a STATE inside each file.
    monkeypatch.setattr(CategoryStream, "STATE_MSG_FREQUENCY", 5)
    today = business_today()
    yesterday = today - dt.timedelta(days=1)

    run = run_tap(tap_config(gateway), streams=("ticket_orders",))

    counts = {
        day: len(
            [r for r in run.records["ticket_orders"] if r["_business_date"] == day]
        )
        for day in (yesterday.isoformat(), today.isoformat())
    }
    assert min(counts.values()) > 5, counts
    assert message_runs(run.messages) == [
        ("RECORD", yesterday.isoformat(), "1001"),
        ("STATE",),
        ("RECORD", today.isoformat(), "1001"),
        ("STATE",),
        ("STATE",),  # the SDK's final, finalized state
    ]


def test_the_default_frequency_never_fires_inside_a_file() -> None:
    assert CategoryStream.STATE_MSG_FREQUENCY >= 2**31
