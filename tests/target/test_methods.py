"""Load methods other than replace, retention, and rejected rows."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from singer_sdk.exceptions import ConfigValidationError, FatalAPIError

from tests.target.conftest import Feishu, create_table, run_target, singer
from tests.target.helpers import TICKET_SCHEMA, by_order, ticket, ticket_row

TABLE = "影票销售明细"


def test_append_only_keeps_every_copy(feishu: Feishu) -> None:
    text = singer("t", TICKET_SCHEMA, [ticket("A", "2026-12-01")])

    run_target(feishu.config(load_method="append-only"), text)
    run_target(feishu.config(load_method="append-only"), text)

    rows = feishu.sandbox.rows(feishu.app_token, TABLE)
    assert rows == [ticket_row("A", "2026-12-01")] * 2


def test_append_only_is_the_default_without_a_date_property(feishu: Feishu) -> None:
    schema = {"type": "object", "properties": {"id": {"type": "integer"}}}
    text = singer("plain", schema, [{"id": 1}, {"id": 2}])

    run_target(feishu.config(), text)
    run_target(feishu.config(), text)

    rows = feishu.sandbox.rows(feishu.app_token, "plain")
    assert sorted(row["id"] for row in rows) == [1, 1, 2, 2]


def test_upsert_replaces_rows_with_the_same_key(feishu: Feishu) -> None:
    keys = ["订单号"]
    first = [ticket("A", "2026-12-01", price=10), ticket("B", "2026-12-01")]
    second = [ticket("A", "2026-12-02", price=99), ticket("C", "2026-12-02")]
    config = feishu.config(load_method="upsert")

    run_target(config, singer("t", TICKET_SCHEMA, first, key_properties=keys))
    run_target(config, singer("t", TICKET_SCHEMA, second, key_properties=keys))

    assert by_order(feishu.sandbox.rows(feishu.app_token, TABLE)) == [
        ticket_row("A", "2026-12-02", price=99),
        ticket_row("B", "2026-12-01"),
        ticket_row("C", "2026-12-02"),
    ]


def test_upsert_without_key_properties_names_the_setting(feishu: Feishu) -> None:
    with pytest.raises(ConfigValidationError) as caught:
        run_target(
            feishu.config(streams={"t": {"load_method": "upsert"}}),
            singer("t", TICKET_SCHEMA, [ticket("A", "2026-12-01")]),
        )

    assert "streams.t.load_method is 'upsert'" in str(caught.value)


def test_overwrite_leaves_exactly_this_runs_rows(feishu: Feishu) -> None:
    config = feishu.config(load_method="overwrite")
    run_target(config, singer("t", TICKET_SCHEMA, [ticket("A", "2026-11-01")]))

    run_target(config, singer("t", TICKET_SCHEMA, [ticket("B", "2026-12-01")]))

    assert feishu.sandbox.rows(feishu.app_token, TABLE) == [
        ticket_row("B", "2026-12-01")
    ]


def test_retention_days_deletes_rows_older_than_the_window(feishu: Feishu) -> None:
    today = datetime.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    old = (today - datetime.timedelta(days=31)).isoformat()
    edge = (today - datetime.timedelta(days=30)).isoformat()
    recent = (today - datetime.timedelta(days=1)).isoformat()
    records = [ticket("OLD", old), ticket("EDGE", edge), ticket("NEW", recent)]

    run_target(
        feishu.config(load_method="append-only", retention_days=30),
        singer("t", TICKET_SCHEMA, records),
    )

    assert by_order(feishu.sandbox.rows(feishu.app_token, TABLE)) == [
        ticket_row("EDGE", edge),
        ticket_row("NEW", recent),
    ]


def phone_table(feishu: Feishu) -> None:
    create_table(
        feishu,
        TABLE,
        [
            ("订单号", 13),
            ("票价", 2),
            ("数量", 2),
            ("_business_date", 5),
            ("_cinema_link_id", 1),
        ],
    )


def test_rejected_row_is_found_by_bisection_and_fails(feishu: Feishu) -> None:
    phone_table(feishu)
    records = [ticket(f"1380000{n:04d}", "2026-12-01") for n in range(16)]
    records[11]["订单号"] = "not-a-phone"

    with pytest.raises(FatalAPIError) as caught:
        run_target(feishu.config(), singer("t", TICKET_SCHEMA, records))

    message = str(caught.value)
    assert f"table {TABLE!r} field '订单号': row rejected" in message
    assert "'not-a-phone'" in message
    assert "skip_rejected_rows" in message
    # 16 -> 8 -> 4 -> 2 -> 1: the good halves before the bad row were written.
    assert len(feishu.sandbox.rows(feishu.app_token, TABLE)) == 11


def test_rejected_row_is_skipped_when_allowed(feishu: Feishu, caplog) -> None:
    phone_table(feishu)
    records = [ticket(f"1380000{n:04d}", "2026-12-01") for n in range(16)]
    records[11]["订单号"] = "not-a-phone"

    run_target(
        feishu.config(skip_rejected_rows=True), singer("t", TICKET_SCHEMA, records)
    )

    rows = feishu.sandbox.rows(feishu.app_token, TABLE)
    assert sorted(row["订单号"] for row in rows) == sorted(
        f"1380000{n:04d}" for n in range(16) if n != 11
    )
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("Skipping a row" in w and "not-a-phone" in w for w in warnings)
    summaries = [
        r.getMessage() for r in caplog.records if "Summary for table" in r.getMessage()
    ]
    assert len(summaries) == 1
    assert summaries[0].startswith(
        f"Summary for table {TABLE!r}: 15 rows inserted, 0 deleted, 1 rejected, "
    )


def test_value_the_field_cannot_hold_is_rejected_before_sending(feishu: Feishu) -> None:
    create_table(feishu, TABLE, [("订单号", 1), ("票价", 7), ("_business_date", 5)])

    with pytest.raises(FatalAPIError) as caught:
        run_target(
            feishu.config(), singer("t", TICKET_SCHEMA, [ticket("A", "2026-12-01")])
        )

    assert "field '票价': row rejected: 40 is not a boolean" in str(caught.value)
