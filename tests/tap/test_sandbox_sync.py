"""Syncs against the gateway sandbox: output, records, bookmarks, cinemas."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import jsonschema
import pytest

from sandbox.yuekeyun import YuekeyunSandbox
from tap_yuekeyun.registry import load_registry
from tests.tap.conftest import (
    APP_KEY,
    CHANNEL,
    SECRET_KEY,
    bookmarks,
    business_today,
    make_cinema,
    run_tap,
    tap_config,
)

REGISTRY = load_registry()
DEFAULT_STREAMS = sorted(c.stream for c in REGISTRY.values() if c.selected_by_default)
CODES = {c.stream: c.code for c in REGISTRY.values()}


def format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def is_date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        parsed = dt.datetime.fromisoformat(value)
        return parsed.tzinfo is not None and value[10] == "T"

    return checker


def expected_record(row: dict[str, str], code: str) -> dict[str, Any]:
    """What the tap must emit for one sandbox row (types from the registry)."""
    types = REGISTRY[code].column_types
    record: dict[str, Any] = {}
    for name, text in row.items():
        kind = types.get(name, "string")
        if not text:
            record[name] = None
        elif kind == "integer":
            record[name] = int(text)
        elif kind == "number":
            record[name] = float(text)
        elif kind == "date-time":
            record[name] = text.replace(" ", "T") + "+08:00"
        else:
            record[name] = text
    return record


def test_every_default_stream_emits_valid_singer_output(
    gateway: YuekeyunSandbox,
) -> None:
    run = run_tap(tap_config(gateway))

    assert sorted(run.schemas) == DEFAULT_STREAMS
    checker = format_checker()
    for stream, records in run.records.items():
        schema = run.schemas[stream]["schema"]
        assert schema["title"] == REGISTRY[CODES[stream]].title
        validator = jsonschema.Draft202012Validator(schema, format_checker=checker)
        for record in records:
            validator.validate(record)
    counts = {stream: len(records) for stream, records in run.records.items()}
    assert counts["ticket_orders"] > 0
    assert counts["screenings"] > 0


def test_ticket_records_equal_the_sandbox_rows(gateway: YuekeyunSandbox) -> None:
    run = run_tap(tap_config(gateway), streams=("ticket_orders",))
    today = business_today()

    expected = []
    for day in (today - dt.timedelta(days=1), today):
        for row in gateway.expected_rows("democs", "C01", day):
            record = expected_record(row, "C01")
            record["_business_date"] = day.isoformat()
            record["_cinema_link_id"] = "1001"
            record["_cinema_name"] = "悦影一号店"
            expected.append(record)
    assert run.records["ticket_orders"] == expected
    assert len(expected) > 0


def test_calls_are_day_queries_through_today_and_screenings_ahead(
    gateway: YuekeyunSandbox,
) -> None:
    run_tap(tap_config(gateway), streams=("ticket_orders", "screenings"))
    today = business_today()

    calls = Counter(
        (c.data_type, c.search_date_type, c.search_date) for c in gateway.calls
    )
    days = [today + dt.timedelta(days=offset) for offset in (-1, 0, 1)]
    assert calls == Counter(
        [("C01", "day", d.isoformat()) for d in days[:2]]
        + [("C18", "day", d.isoformat()) for d in days]
    )


def test_month_queries_for_old_whole_months(gateway: YuekeyunSandbox) -> None:
    today = business_today()
    first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    config = tap_config(gateway, start_date=first.isoformat(), lookback_days=0)
    if today.day == 1:
        pytest.skip("no whole month before a lookback window starting on the 1st")

    run = run_tap(config, streams=("goods_inventory",))

    months = [c for c in gateway.calls if c.search_date_type == "month"]
    assert [(c.search_date, c.status) for c in months] == [
        (first.strftime("%Y-%m"), 200)
    ]
    dates = [record["_business_date"] for record in run.records["goods_inventory"]]
    assert dates == sorted(dates)
    assert dates[0] == first.isoformat()


def test_second_run_refetches_only_the_lookback_window(
    gateway: YuekeyunSandbox,
) -> None:
    config = tap_config(
        gateway,
        start_date=(business_today() - dt.timedelta(days=6)).isoformat(),
        lookback_days=2,
    )
    streams = ("ticket_orders", "screenings", "card_refunds")
    first = run_tap(config, streams=streams)
    first_calls = Counter(c.data_type for c in gateway.calls)
    assert first_calls == Counter({"C01": 7, "C12": 7, "C18": 8})

    gateway.reset_counters()
    second = run_tap(config, state=first.final_state, streams=streams)

    today = business_today()
    calls = sorted((c.data_type, c.search_date) for c in gateway.calls)
    window = [(today + dt.timedelta(days=d)).isoformat() for d in (-2, -1, 0)]
    assert calls == sorted(
        [("C01", day) for day in window]
        + [("C12", day) for day in window]
        + [
            ("C18", day)
            for day in [*window, (today + dt.timedelta(days=1)).isoformat()]
        ]
    )
    for stream in streams:
        assert bookmarks(second.final_state, stream) == {"1001": today.isoformat()}


def test_screenings_bookmark_never_passes_today(gateway: YuekeyunSandbox) -> None:
    run = run_tap(tap_config(gateway, screening_days_ahead=5), streams=("screenings",))

    today = business_today()
    dates = {record["_business_date"] for record in run.records["screenings"]}
    assert max(dates) == (today + dt.timedelta(days=4)).isoformat()
    assert bookmarks(run.final_state, "screenings") == {"1001": today.isoformat()}


def test_two_cinemas_keep_separate_bookmarks() -> None:
    chain = [
        make_cinema("democs", "1001", "一号店"),
        make_cinema("bj-0042", "2002", "二号店"),
    ]
    with YuekeyunSandbox(
        app_key=APP_KEY, secret_key=SECRET_KEY, channel_code=CHANNEL, cinemas=chain
    ) as gateway:
        cinemas = [
            {"lease_code": "democs", "cinema_link_id": "1001", "name": "一号店"},
            {"lease_code": "bj-0042", "cinema_link_id": "2002", "name": "二号店"},
        ]
        today = business_today()
        start = (today - dt.timedelta(days=5)).isoformat()
        config = tap_config(gateway, cinemas=cinemas, lookback_days=0, start_date=start)
        del config["lease_code"], config["cinema_link_id"], config["cinema_name"]
        state = {
            "bookmarks": {
                "ticket_orders": {
                    "partitions": [
                        {
                            "context": {"cinema_link_id": "1001"},
                            "replication_key": "_business_date",
                            "replication_key_value": (
                                today - dt.timedelta(days=3)
                            ).isoformat(),
                        }
                    ]
                }
            }
        }
        run = run_tap(config, state=state, streams=("ticket_orders",))

        per_cinema = Counter(c.cinema_link_id for c in gateway.calls)
        assert per_cinema == Counter({"1001": 4, "2002": 6})
        assert bookmarks(run.final_state, "ticket_orders") == {
            "1001": today.isoformat(),
            "2002": today.isoformat(),
        }
        names = {
            (r["_cinema_link_id"], r["_cinema_name"])
            for r in run.records["ticket_orders"]
        }
        assert names == {("1001", "一号店"), ("2002", "二号店")}
        for record in run.records["ticket_orders"]:
            assert set(record) >= {"_business_date", "_cinema_link_id", "_cinema_name"}
            assert "cinema_link_id" not in record


def test_first_run_without_start_date_names_the_setting(
    gateway: YuekeyunSandbox,
) -> None:
    config = tap_config(gateway)
    del config["start_date"]
    run = run_tap(config, streams=("ticket_orders",), expect_error=True)

    assert str(run.error) == (
        "Stream ticket_orders, cinema 1001: no bookmark in the state and no "
        "start_date; set start_date for a first run"
    )
    assert gateway.calls == []


def test_bad_bookmark_in_state_is_a_clear_error(gateway: YuekeyunSandbox) -> None:
    state = {
        "bookmarks": {
            "ticket_orders": {
                "partitions": [
                    {
                        "context": {"cinema_link_id": "1001"},
                        "replication_key": "_business_date",
                        "replication_key_value": "yesterday",
                    }
                ]
            }
        }
    }
    run = run_tap(
        tap_config(gateway), state=state, streams=("ticket_orders",), expect_error=True
    )

    assert str(run.error) == (
        "Stream ticket_orders, cinema 1001: bookmark 'yesterday' in the state is not "
        "a YYYY-MM-DD date; fix or remove it from the state"
    )
    assert gateway.calls == []
