"""Loading .singer files: tables, field types, rows, and replace semantics."""

from __future__ import annotations

from tests.target.conftest import DATA, Feishu, run_target, singer
from tests.target.helpers import (
    TICKET_SCHEMA,
    by_order,
    day_ms,
    moment_ms,
    ticket,
    ticket_row,
)

TICKETS = (DATA / "tickets.singer").read_text(encoding="utf-8")
REDELIVERY = (DATA / "tickets_redelivery.singer").read_text(encoding="utf-8")
TABLE = "影票销售明细"


def expected_first_load() -> list[dict]:
    wanda = {"_cinema_link_id": "1001", "_cinema_name": "万达影城"}
    return [
        {
            "订单号": "T0001",
            "影片": "流浪地球3",
            "票价": 45.5,
            "数量": 2,
            "放映时间": moment_ms("2026-12-01T10:30:00+08:00"),
            "_business_date": day_ms("2026-12-01"),
            **wanda,
        },
        {
            "订单号": "T0002",
            "影片": "哪吒之魔童闹海, 加长版",
            "票价": 38,
            "数量": 1,
            "放映时间": moment_ms("2026-12-01T23:50:00+08:00"),
            "_business_date": day_ms("2026-12-01"),
            **wanda,
        },
        {
            "订单号": "T0003",
            "_business_date": day_ms("2026-12-02"),
            "_cinema_link_id": "1001",
        },
        {
            "订单号": "T0004",
            "影片": "封神第二部",
            "票价": 60.25,
            "数量": 3,
            "放映时间": moment_ms("2026-12-03T01:15:00+08:00"),
            "_business_date": day_ms("2026-12-02"),
            **wanda,
        },
        {
            "订单号": "T0005",
            "影片": '"引号" 电影',
            "票价": 0,
            "数量": 0,
            "放映时间": moment_ms("2026-12-01T12:00:00+08:00"),
            "_business_date": day_ms("2026-12-01"),
            "_cinema_link_id": "1002",
            "_cinema_name": "星美国际",
        },
    ]


def test_singer_file_creates_typed_table_with_exact_rows(feishu: Feishu) -> None:
    states = run_target(feishu.config(), TICKETS)

    fs = feishu.sandbox
    assert fs.table_names(feishu.app_token) == [TABLE]
    assert fs.fields(feishu.app_token, TABLE) == [
        ("订单号", 1),
        ("影片", 1),
        ("票价", 2),
        ("数量", 2),
        ("放映时间", 5),
        ("_business_date", 5),
        ("_cinema_link_id", 1),
        ("_cinema_name", 1),
    ]
    assert by_order(fs.rows(feishu.app_token, TABLE)) == expected_first_load()
    assert states == [
        {
            "bookmarks": {
                "ticket_orders": {
                    "replication_key": "_business_date",
                    "replication_key_value": "2026-12-02",
                }
            }
        }
    ]
    # A table created by this run needs no search for old rows.
    assert fs.calls["search"] == 0
    assert fs.calls["batch_create"] == 1


def test_same_input_twice_leaves_one_copy(feishu: Feishu) -> None:
    run_target(feishu.config(), TICKETS)
    run_target(feishu.config(), TICKETS)

    rows = feishu.sandbox.rows(feishu.app_token, TABLE)
    assert by_order(rows) == expected_first_load()
    assert feishu.sandbox.calls["tables_create"] == 1


def test_redelivery_drops_vanished_rows_and_empties_a_vanished_date(
    feishu: Feishu,
) -> None:
    run_target(feishu.config(), TICKETS)
    run_target(feishu.config(), REDELIVERY)

    rows = by_order(feishu.sandbox.rows(feishu.app_token, TABLE))
    wanda = {"_cinema_link_id": "1001", "_cinema_name": "万达影城"}
    assert rows == [
        {
            "订单号": "T0001",
            "影片": "流浪地球3",
            "票价": 46,
            "数量": 2,
            "放映时间": moment_ms("2026-12-01T10:30:00+08:00"),
            "_business_date": day_ms("2026-12-01"),
            **wanda,
        },
        expected_first_load()[4],  # cinema 1002 was not delivered: untouched
        {
            "订单号": "T0006",
            "影片": "新片",
            "票价": 50,
            "数量": 1,
            "放映时间": moment_ms("2026-12-03T15:00:00+08:00"),
            "_business_date": day_ms("2026-12-03"),
            **wanda,
        },
    ]


def test_old_rows_survive_until_their_date_is_complete(feishu: Feishu) -> None:
    first = [ticket(f"A{n}", "2026-12-01") for n in range(3)]
    first += [ticket(f"B{n}", "2026-12-02") for n in range(3)]
    run_target(feishu.config(), singer("t", TICKET_SCHEMA, first))

    # Second run: batches of 2 records, so 12-01 is drained before 12-02 arrives.
    second = [ticket(f"C{n}", "2026-12-01") for n in range(3)]
    second += [ticket(f"D{n}", "2026-12-02") for n in range(3)]
    run_target(feishu.config(batch_size_rows=2), singer("t", TICKET_SCHEMA, second))

    rows = by_order(feishu.sandbox.rows(feishu.app_token, "影票销售明细"))
    assert rows == [ticket_row(f"C{n}", "2026-12-01") for n in range(3)] + [
        ticket_row(f"D{n}", "2026-12-02") for n in range(3)
    ]
    # Each date's old rows go only after all its new rows are in: 12-01 once
    # 12-02 starts (second drain), 12-02 at the end of input.
    writes = [
        call.endpoint
        for call in feishu.sandbox.call_log
        if call.endpoint in {"batch_create", "batch_delete"}
    ]
    assert writes == [
        "batch_create",  # first run
        "batch_create",
        "batch_create",
        "batch_delete",
        "batch_create",
        "batch_delete",
    ]


def test_interleaved_tables_use_full_batches_only(feishu: Feishu) -> None:
    days = ["2026-12-01", "2026-12-02", "2026-12-03"]
    records = [
        ticket(f"{cinema}-{day}-{n:02d}", day, cinema)
        for day in days
        for n in range(20)
        for cinema in ("1001", "1002")
    ]
    config = feishu.config(
        table_name_template="{name} {cinema}", batch_size=10, batch_size_rows=30
    )
    run_target(config, singer("t", TICKET_SCHEMA, records))
    writes_first_run = feishu.sandbox.calls["batch_create"]

    run_target(config, singer("t", TICKET_SCHEMA, records))

    fs = feishu.sandbox
    # 60 rows per table in batches of 10: six calls per table and run, no partial
    # batch although every drain of 30 records held 15 rows of each table.
    assert writes_first_run == 12
    assert fs.calls["batch_create"] == 24
    for cinema in ("1001", "1002"):
        rows = by_order(fs.rows(feishu.app_token, f"{TABLE} {cinema}"))
        assert rows == by_order(
            [
                ticket_row(f"{cinema}-{d}-{n:02d}", d, cinema)
                for d in days
                for n in range(20)
            ]
        )
