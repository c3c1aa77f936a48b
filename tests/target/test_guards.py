"""Input and settings refused before any write: date typos, table clashes, numbers."""

from __future__ import annotations

import json

import pytest
from singer_sdk.exceptions import ConfigValidationError, FatalAPIError

from tests.target.conftest import Feishu, run_target, singer
from tests.target.helpers import TICKET_SCHEMA, ticket, ticket_row

TABLE = "影票销售明细"
PROPERTIES = "['_business_date', '_cinema_link_id', '数量', '票价', '订单号']"
PLAIN = {"type": "object", "properties": {"id": {"type": "integer"}}}


def assert_nothing_written(feishu: Feishu) -> None:
    assert feishu.sandbox.calls["batch_create"] == 0
    assert feishu.sandbox.table_names(feishu.app_token) == []


# F1: a date_property the schema lacks


def test_global_date_property_typo_stops_before_any_write(feishu: Feishu) -> None:
    with pytest.raises(ConfigValidationError) as caught:
        run_target(
            feishu.config(date_property="_bussiness_date"),
            singer("t", TICKET_SCHEMA, [ticket("A", "2026-12-01")]),
        )

    assert str(caught.value) == (
        "stream 't': date_property is '_bussiness_date' but the schema has no "
        f"property '_bussiness_date' (its properties: {PROPERTIES}); set "
        "date_property to the stream's date property"
    )
    assert_nothing_written(feishu)


def test_stream_date_property_typo_names_the_stream_setting(feishu: Feishu) -> None:
    config = feishu.config(streams={"t": {"date_property": "business_date"}})

    with pytest.raises(ConfigValidationError) as caught:
        run_target(config, singer("t", TICKET_SCHEMA, [ticket("A", "2026-12-01")]))

    assert str(caught.value) == (
        "stream 't': streams.t.date_property is 'business_date' but the schema has "
        f"no property 'business_date' (its properties: {PROPERTIES}); set "
        "streams.t.date_property to the stream's date property"
    )
    assert_nothing_written(feishu)


def test_replace_without_the_default_date_property_lists_the_properties(
    feishu: Feishu,
) -> None:
    with pytest.raises(ConfigValidationError) as caught:
        run_target(
            feishu.config(load_method="replace"), singer("plain", PLAIN, [{"id": 1}])
        )

    assert str(caught.value) == (
        "stream 'plain': load_method is 'replace' but the schema has no property "
        "'_business_date' (its properties: ['id']); set date_property to the "
        "stream's date property, or choose another load_method"
    )
    assert_nothing_written(feishu)


# F2: two streams, one table


def test_static_table_clash_stops_before_the_first_stream_writes(
    feishu: Feishu,
) -> None:
    text = singer("a", TICKET_SCHEMA, [ticket("A", "2026-12-01")])
    text += singer("b", TICKET_SCHEMA, [ticket("B", "2026-12-01")])

    with pytest.raises(ConfigValidationError) as caught:
        run_target(feishu.config(), text)

    assert str(caught.value) == (
        f"streams 'a' and 'b' both write table {TABLE!r}; set "
        "streams.<stream>.table_name (or streams.<stream>.table_name_template) so "
        "each stream has its own table"
    )
    assert_nothing_written(feishu)


def test_dynamic_table_name_clashing_with_a_static_one_writes_nothing(
    feishu: Feishu,
) -> None:
    config = feishu.config(
        streams={
            "fixed": {"table_name": "影票 2026"},
            "yearly": {"table_name": "影票", "table_name_template": "{name} {year}"},
        }
    )
    schema_only = json.dumps({"type": "SCHEMA", "stream": "fixed", "schema": PLAIN})
    text = (
        schema_only
        + "\n"
        + singer("yearly", TICKET_SCHEMA, [ticket("Y", "2026-12-01")])
    )

    with pytest.raises(ConfigValidationError) as caught:
        run_target(config, text)

    assert str(caught.value).startswith(
        "streams 'fixed' and 'yearly' both write table '影票 2026'; "
    )
    assert_nothing_written(feishu)


# F13: numbers Feishu's doubles cannot hold


def raw_ticket_line(order: str, price: str, count: str) -> str:
    return (
        '{"type": "RECORD", "stream": "t", "record": {"订单号": "' + order + '", '
        '"票价": ' + price + ', "数量": ' + count + ', "_business_date": '
        '"2026-12-01", "_cinema_link_id": "1001"}}\n'
    )


def test_number_beyond_double_range_is_rejected_naming_field_and_row(
    feishu: Feishu,
) -> None:
    text = singer("t", TICKET_SCHEMA, [])
    text += raw_ticket_line("BIG", "1e400", "1")

    with pytest.raises(FatalAPIError) as caught:
        run_target(feishu.config(), text)

    message = str(caught.value)
    assert message.startswith(
        f"table {TABLE!r} field '票价': row rejected: 1E+400 is outside the range "
        "of Feishu's number fields (doubles); send it as a string to keep it; row "
        "values: "
    )
    assert "'订单号': 'BIG'" in message
    assert "skip_rejected_rows" in message
    assert feishu.sandbox.calls["batch_create"] == 0


def test_out_of_range_numbers_are_skipped_when_allowed(feishu: Feishu) -> None:
    text = singer("t", TICKET_SCHEMA, [])
    text += raw_ticket_line("HUGE", "40", str(10**400))
    text += raw_ticket_line("TINY", "1e-400", "1")
    text += raw_ticket_line("ABOVE", "40", str(2**53 + 1))
    text += raw_ticket_line("EDGE", "40", str(2**53))
    text += raw_ticket_line("OK", "40", "1")
    text += json.dumps({"type": "STATE", "value": {"bookmarks": {}}}) + "\n"

    run_target(feishu.config(skip_rejected_rows=True), text)

    edge = ticket_row("EDGE", "2026-12-01") | {"数量": 2**53}
    assert feishu.sandbox.rows(feishu.app_token, TABLE) == [
        edge,
        ticket_row("OK", "2026-12-01"),
    ]


def test_integer_beyond_2_53_names_the_reason(feishu: Feishu) -> None:
    text = singer("t", TICKET_SCHEMA, [])
    text += raw_ticket_line("ABOVE", "40", str(2**53 + 1))

    with pytest.raises(FatalAPIError) as caught:
        run_target(feishu.config(), text)

    assert str(caught.value).startswith(
        f"table {TABLE!r} field '数量': row rejected: {2**53 + 1} is beyond 2**53, "
        "which Feishu's number fields (doubles) cannot hold exactly; send it as a "
        "string to keep every digit; row values: "
    )
    assert feishu.sandbox.calls["batch_create"] == 0


# F14: a cell over Feishu's size limit


def test_too_large_cell_is_bisected_and_skipped_when_allowed(
    feishu: Feishu, caplog: pytest.LogCaptureFixture
) -> None:
    records = [ticket(f"R{n}", "2026-12-01") for n in range(8)]
    records[5]["订单号"] = "x" * 100_001

    run_target(
        feishu.config(skip_rejected_rows=True), singer("t", TICKET_SCHEMA, records)
    )

    rows = feishu.sandbox.rows(feishu.app_token, TABLE)
    assert sorted(row["订单号"] for row in rows) == [
        f"R{n}" for n in range(8) if n != 5
    ]
    skipped = [
        r.getMessage() for r in caplog.records if "Skipping a row" in r.getMessage()
    ]
    assert len(skipped) == 1
    assert "code 1254130" in skipped[0]
    assert f"table {TABLE!r} field '订单号': row rejected" in skipped[0]


def test_too_large_cell_fails_naming_table_and_field(feishu: Feishu) -> None:
    records = [ticket(f"R{n}", "2026-12-01") for n in range(4)]
    records[2]["订单号"] = "x" * 100_001

    with pytest.raises(FatalAPIError) as caught:
        run_target(feishu.config(), singer("t", TICKET_SCHEMA, records))

    message = str(caught.value)
    assert message.startswith(f"table {TABLE!r} field '订单号': row rejected: ")
    assert "code 1254130" in message
    assert "TooLargeCell: 100001 characters, max 100000" in message
    # 4 -> 2 -> 1: the good rows before the bad one were written.
    assert sorted(
        row["订单号"] for row in feishu.sandbox.rows(feishu.app_token, TABLE)
    ) == ["R0", "R1"]
