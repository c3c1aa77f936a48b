"""Bad-input corpus, file side: every malformed download the tap can be handed.

Each entry is a file under ``files/`` (GBK bytes, CRLF, as the file host sends
them), read with the tap's own functions. The outcome is exact: the records that
arrive, or a ``FileFormatError`` naming the file (and row, column, setting).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tap_yuekeyun.csvfile import decode_file, read_table
from tap_yuekeyun.exceptions import FileFormatError
from tap_yuekeyun.records import RecordBuilder
from tap_yuekeyun.registry import load_registry

FILES = Path(__file__).with_name("files")
CODE = "C21"  # 欠款核销明细: a date-time, a number and five string columns
LINK_ID = "1001"
NAME = "悦刻示范影城"


def _record(
    moment: str, order: str, amount: float | None, kind: str, status: str, **extra: Any
) -> dict[str, Any]:
    return {
        "核销时间": moment,
        "影城名称": NAME,
        "影城编码": "33010001",
        "订单号": order,
        "核销金额": amount,
        "核销类型": kind,
        "核销状态": status,
        **extra,
        "_business_date": "2026-11-30",
        "_cinema_link_id": LINK_ID,
        "_cinema_name": NAME,
    }


ROW_1 = _record("2026-11-30T10:15:00+08:00", "A0001", 12.5, "欠款,核销", "已核销")
ROW_2 = _record("2026-11-30T23:59:59+08:00", "A0002", 0.0, '说"明"', "已核销")
# 05:59:59 on 1 December still belongs to business day 30 November.
ROW_3 = _record("2026-12-01T05:59:59+08:00", "007", 100.0, "整单", "未核销")


def read_records(
    name: str,
    on_unknown_column: str = "keep",
    business_date: dt.date | None = None,
) -> list[dict[str, Any]]:
    """Read one corpus file with the tap's functions and return its records."""
    category = load_registry()[CODE]
    builder = RecordBuilder(
        category,
        timezone=ZoneInfo("Asia/Shanghai"),
        business_day_start=dt.time(6, 0),
        on_unknown_column=on_unknown_column,
        logger=logging.getLogger("tests.badinput"),
    )
    text = decode_file((FILES / name).read_bytes(), name)
    table = read_table(text, name)

    return list(
        builder.records(
            table,
            business_date=business_date,
            cinema_link_id=LINK_ID,
            cinema_name=NAME,
        )
    )


def test_good_file_gives_exactly_its_rows() -> None:
    assert read_records("good.csv") == [ROW_1, ROW_2, ROW_3]


def test_quoted_newline_survives_inside_its_cell() -> None:
    first = _record(
        "2026-11-30T11:00:00+08:00", "A0003", 5.5, "第一行\r\n第二行", "已核销"
    )
    assert read_records("quoted_newline.csv") == [first, ROW_3]


def test_header_only_file_is_an_empty_day() -> None:
    # Documented tolerance: a header without rows is a day without data.
    assert read_records("header_only.csv") == []


def test_utf8_bom_file_is_read_as_utf8() -> None:
    # Documented tolerance: a UTF-8 BOM switches the file to UTF-8.
    assert read_records("utf8_bom.csv") == [ROW_1, ROW_3]


def test_row_starting_with_hash_after_the_header_is_data() -> None:
    records = read_records("hash_data_row.csv")
    assert [record["订单号"] for record in records] == ["#A0010"]


def test_new_column_is_kept_as_string_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="tests.badinput"):
        records = read_records("new_column.csv")

    assert records == [
        _record(*_args(ROW_1), 备注="首单"),
        _record(*_args(ROW_3), 备注=None),
    ]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "'备注'" in warnings[0]
    assert "new_column.csv" in warnings[0]
    assert "on_unknown_column" in warnings[0]


def _args(row: dict[str, Any]) -> tuple[Any, ...]:
    return (
        row["核销时间"],
        row["订单号"],
        row["核销金额"],
        row["核销类型"],
        row["核销状态"],
    )


def test_new_column_stops_the_run_when_on_unknown_column_is_fail() -> None:
    with pytest.raises(FileFormatError) as caught:
        read_records("new_column.csv", on_unknown_column="fail")

    message = str(caught.value)
    assert "new_column.csv" in message
    assert "'备注'" in message
    assert "on_unknown_column" in message
    assert "categories_file" in message


@pytest.mark.parametrize(
    ("name", "fragments"),
    [
        ("invalid_gbk.csv", ["invalid_gbk.csv", "invalid GB18030 bytes", "ff fe"]),
        ("empty.csv", ["empty.csv", "no title line"]),
        ("comments_only.csv", ["comments_only.csv", "no title line"]),
        ("no_header.csv", ["no_header.csv", "no header line"]),
        ("ragged_short.csv", ["ragged_short.csv", "row 2 has 6 cells, expected 7"]),
        ("ragged_long.csv", ["ragged_long.csv", "row 2 has 8 cells, expected 7"]),
        ("bad_number.csv", ["bad_number.csv", "row 2", "'核销金额'", "'12.5元'"]),
        (
            "bad_datetime.csv",
            ["bad_datetime.csv", "row 1", "'核销时间'", "'2026-13-01 10:00:00'"],
        ),
        (
            "missing_time_column.csv",
            ["missing_time_column.csv", "'核销时间'", "missing from the header"],
        ),
        ("duplicate_header.csv", ["duplicate_header.csv", "['订单号']"]),
        ("unterminated_quote.csv", ["unterminated_quote.csv", "malformed CSV"]),
    ],
)
def test_malformed_file_stops_with_an_error_naming_it(
    name: str, fragments: list[str]
) -> None:
    with pytest.raises(FileFormatError) as caught:
        read_records(name)

    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message
