"""Table names (three styles, New Year split), field types and legacy text tables."""

from __future__ import annotations

import pytest
from singer_sdk.exceptions import ConfigValidationError

from tests.target.conftest import Feishu, create_table, run_target, singer
from tests.target.helpers import TICKET_SCHEMA, by_order, day_ms, ticket, ticket_row


def test_name_year_template_splits_a_run_across_new_year(feishu: Feishu) -> None:
    schema = TICKET_SCHEMA | {"title": "卖品销售明细"}
    records = [ticket("A", "2026-12-31"), ticket("B", "2027-01-01")]

    run_target(
        feishu.config(table_name_template="{name} {year}"),
        singer("concessions", schema, records),
    )

    fs = feishu.sandbox
    assert sorted(fs.table_names(feishu.app_token)) == [
        "卖品销售明细 2026",
        "卖品销售明细 2027",
    ]
    assert fs.rows(feishu.app_token, "卖品销售明细 2026") == [
        ticket_row("A", "2026-12-31")
    ]
    assert fs.rows(feishu.app_token, "卖品销售明细 2027") == [
        ticket_row("B", "2027-01-01")
    ]


def test_quarter_and_month_templates(feishu: Feishu) -> None:
    schema = TICKET_SCHEMA | {"title": "货品进销存汇明细"}
    records = [ticket("A", "2026-10-05"), ticket("B", "2026-12-20")]

    run_target(
        feishu.config(
            table_name_template="{name} Q{quarter} {year}",
            streams={
                "monthly": {
                    "table_name": "月报",
                    "table_name_template": "{name} {year}-{month}",
                }
            },
        ),
        singer("inventory", schema, records) + singer("monthly", schema, records),
    )

    assert sorted(feishu.sandbox.table_names(feishu.app_token)) == [
        "月报 2026-10",
        "月报 2026-12",
        "货品进销存汇明细 Q4 2026",
    ]
    rows = feishu.sandbox.rows(feishu.app_token, "货品进销存汇明细 Q4 2026")
    assert by_order(rows) == [
        ticket_row("A", "2026-10-05"),
        ticket_row("B", "2026-12-20"),
    ]


def test_cinema_template_writes_a_table_per_cinema(feishu: Feishu) -> None:
    records = [ticket("A", "2026-12-01", "1001"), ticket("B", "2026-12-01", "1002")]

    run_target(
        feishu.config(table_name_template="{name}-{cinema}"),
        singer("tickets", TICKET_SCHEMA, records),
    )

    assert sorted(feishu.sandbox.table_names(feishu.app_token)) == [
        "影票销售明细-1001",
        "影票销售明细-1002",
    ]


def test_name_with_forbidden_character_names_stream_and_setting(
    feishu: Feishu,
) -> None:
    schema = TICKET_SCHEMA | {"title": "票房/日报"}

    with pytest.raises(ConfigValidationError) as caught:
        run_target(
            feishu.config(), singer("box_office", schema, [ticket("A", "2026-12-01")])
        )

    message = str(caught.value)
    assert "stream 'box_office'" in message
    assert "table_name_template '{name}'" in message
    assert "contains '/'" in message
    assert feishu.sandbox.table_names(feishu.app_token) == []


def test_name_over_100_characters_is_refused(feishu: Feishu) -> None:
    schema = TICKET_SCHEMA | {"title": "长" * 101}

    with pytest.raises(ConfigValidationError) as caught:
        run_target(feishu.config(), singer("long", schema, [ticket("A", "2026-12-01")]))

    assert "has 101 characters (Feishu allows 100)" in str(caught.value)


def test_unknown_placeholder_is_a_config_error(feishu: Feishu) -> None:
    with pytest.raises(ConfigValidationError) as caught:
        run_target(feishu.config(table_name_template="{name} {week}"), "")

    assert "uses {week}" in str(caught.value)


def test_existing_text_table_keeps_its_types(feishu: Feishu) -> None:
    create_table(
        feishu,
        "影票销售明细",
        [
            ("订单号", 1),
            ("票价", 1),
            ("数量", 1),
            ("_business_date", 1),
            ("_cinema_link_id", 1),
        ],
    )
    records = [ticket("A", "2026-12-01", price=45.5), ticket("B", "2026-12-01")]

    run_target(feishu.config(), singer("tickets", TICKET_SCHEMA, records))
    run_target(feishu.config(), singer("tickets", TICKET_SCHEMA, records))

    fs = feishu.sandbox
    assert [ftype for _, ftype in fs.fields(feishu.app_token, "影票销售明细")] == [
        1,
        1,
        1,
        1,
        1,
    ]
    assert by_order(fs.rows(feishu.app_token, "影票销售明细")) == [
        {
            "订单号": "A",
            "票价": "45.5",
            "数量": "1",
            "_business_date": "2026-12-01",
            "_cinema_link_id": "1001",
        },
        {
            "订单号": "B",
            "票价": "40",
            "数量": "1",
            "_business_date": "2026-12-01",
            "_cinema_link_id": "1001",
        },
    ]


def test_missing_fields_and_unknown_keys_are_added(feishu: Feishu) -> None:
    create_table(feishu, "影票销售明细", [("订单号", 1), ("_business_date", 5)])
    record = ticket("A", "2026-12-01") | {"新列": "x", "布尔": True}
    schema = {
        **TICKET_SCHEMA,
        "properties": {
            **TICKET_SCHEMA["properties"],
            "布尔": {"type": ["boolean", "null"]},
            "明细": {"type": ["object", "null"]},
        },
    }
    record["明细"] = {"座位": "5排6座", "价格": 40}

    run_target(feishu.config(), singer("tickets", schema, [record]))

    fs = feishu.sandbox
    assert fs.fields(feishu.app_token, "影票销售明细") == [
        ("订单号", 1),
        ("_business_date", 5),
        ("票价", 2),
        ("数量", 2),
        ("_cinema_link_id", 1),
        ("布尔", 7),
        ("明细", 1),
        ("新列", 1),
    ]
    assert fs.rows(feishu.app_token, "影票销售明细") == [
        {
            "订单号": "A",
            "_business_date": day_ms("2026-12-01"),
            "票价": 40,
            "数量": 1,
            "_cinema_link_id": "1001",
            "布尔": True,
            "明细": '{"座位": "5排6座", "价格": 40}',
            "新列": "x",
        }
    ]


def test_fields_are_read_across_all_pages(feishu: Feishu) -> None:
    properties = {f"列{n:03d}": {"type": ["string", "null"]} for n in range(150)}
    schema = {"type": "object", "title": "宽表", "properties": properties}
    text = singer("wide", schema, [dict.fromkeys(properties, "v")])

    run_target(feishu.config(), text)
    creates_after_first_run = feishu.sandbox.calls["fields_create"]
    run_target(feishu.config(), text)

    fs = feishu.sandbox
    assert len(fs.fields(feishu.app_token, "宽表")) == 150
    assert fs.calls["fields_create"] == creates_after_first_run == 0
    assert fs.rows(feishu.app_token, "宽表") == [dict.fromkeys(properties, "v")] * 2
