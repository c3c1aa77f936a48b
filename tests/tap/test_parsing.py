"""Type converters, file decoding, CSV layout and typed records."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

import pytest

from tap_yuekeyun.converters import DateTimeConverter, to_date, to_integer, to_number
from tap_yuekeyun.csvfile import decode_file, read_table
from tap_yuekeyun.exceptions import FileFormatError
from tap_yuekeyun.records import RecordBuilder
from tap_yuekeyun.registry import Category, Column

SHANGHAI = ZoneInfo("Asia/Shanghai")
LABEL = ".../C99/abc/2026-11-30.csv"
CATEGORY = Category(
    code="C99",
    stream="test_rows",
    title="测试明细",
    verified=False,
    selected_by_default=False,
    time_column="销售时间",
    columns=(
        Column("销售时间", "date-time"),
        Column("票数", "integer"),
        Column("金额", "number"),
        Column("放映日期", "date"),
        Column("备注", "string"),
    ),
    primary_key=None,
    primary_key_reason="test",
)
HEADER = "销售时间,票数,金额,放映日期,备注"


def builder(on_unknown_column: str = "keep") -> RecordBuilder:
    return RecordBuilder(
        CATEGORY,
        timezone=SHANGHAI,
        business_day_start=dt.time(6, 0),
        on_unknown_column=on_unknown_column,
        logger=logging.getLogger("tap-yuekeyun-test"),
    )


def records_of(text: str, business_date: dt.date | None = None, **kwargs: str) -> list:
    table = read_table(text, LABEL)
    return list(
        builder(**kwargs).records(
            table,
            business_date=business_date,
            cinema_link_id="1001",
            cinema_name="一号店",
        )
    )


def test_date_time_gets_the_zone_offset() -> None:
    convert = DateTimeConverter(SHANGHAI)
    assert convert("2026-11-30 14:23:01") == "2026-11-30T14:23:01+08:00"


def test_date_time_offset_follows_dst_in_other_zones() -> None:
    convert = DateTimeConverter(ZoneInfo("Europe/Berlin"))
    assert convert("2026-07-01 10:00:00") == "2026-07-01T10:00:00+02:00"
    assert convert("2026-12-01 10:00:00") == "2026-12-01T10:00:00+01:00"


@pytest.mark.parametrize(
    "text",
    ["2026-11-30", "2026-13-01 00:00:00", "2026/11/30 14:23:01", "2026-02-30 10:00:00"],
)
def test_date_time_rejects_other_shapes(text: str) -> None:
    with pytest.raises(ValueError, match="not a"):
        DateTimeConverter(SHANGHAI)(text)


def test_integer_and_number_parsing() -> None:
    assert to_integer("-12") == -12
    assert to_number("35.50") == 35.5
    assert to_number("-0.01") == -0.01
    for bad in ("1_000", "1.5", " 3", "+4", "三"):
        with pytest.raises(ValueError, match="integer"):
            to_integer(bad)
    for bad in ("nan", "inf", "1,234.5", "1_0", " 5", "abc"):
        with pytest.raises(ValueError, match="number"):
            to_number(bad)


def test_date_parsing() -> None:
    assert to_date("2024-02-29") == "2024-02-29"
    for bad in ("2023-02-29", "2026-11-31", "20261130", "2026-11-30 00:00:00"):
        with pytest.raises(ValueError, match="date"):
            to_date(bad)


def test_decode_gbk_and_gb18030() -> None:
    assert decode_file("影票,券".encode("gbk"), LABEL) == "影票,券"
    assert decode_file("𠀀".encode("gb18030"), LABEL) == "𠀀"


def test_decode_utf8_bom_file_as_utf8() -> None:
    assert decode_file(b"\xef\xbb\xbf" + "影票".encode(), LABEL) == "影票"


def test_decode_bom_then_gbk_bytes_as_gb18030() -> None:
    text = "# 导出\r\n影票销售明细\r\n影院名称,销售时间,票价\r\n"
    assert decode_file(b"\xef\xbb\xbf" + text.encode("gbk"), LABEL) == text


def test_decode_invalid_bytes_names_file_and_offset() -> None:
    with pytest.raises(FileFormatError) as caught:
        decode_file("影票".encode("gbk") + b"\x80\xff", LABEL)
    assert str(caught.value) == (
        f"File {LABEL}: invalid GB18030 bytes at byte offset 4 (80 ff)"
    )


def test_comments_title_header_and_quoted_cells() -> None:
    text = (
        "# exported 2026-12-01\r\n#second comment\r\n影票销售明细\r\n"
        "备注,销售时间,票数,金额,放映日期\r\n"
        '"a, b ""q""\r\nline 2",2026-11-30 14:23:01,2,1234.5,2026-11-30\r\n'
        "#hash is data,2026-12-01 05:59:59,,0,\r\n"
    )
    assert records_of(text, dt.date(2026, 11, 30)) == [
        {
            "备注": 'a, b "q"\r\nline 2',
            "销售时间": "2026-11-30T14:23:01+08:00",
            "票数": 2,
            "金额": 1234.5,
            "放映日期": "2026-11-30",
            "_business_date": "2026-11-30",
            "_cinema_link_id": "1001",
            "_cinema_name": "一号店",
        },
        {
            "备注": "#hash is data",
            "销售时间": "2026-12-01T05:59:59+08:00",
            "票数": None,
            "金额": 0.0,
            "放映日期": None,
            "_business_date": "2026-11-30",
            "_cinema_link_id": "1001",
            "_cinema_name": "一号店",
        },
    ]


def test_business_date_from_time_column_uses_six_o_clock_rule() -> None:
    text = (
        f"title\r\n{HEADER}\r\n"
        "2026-12-01 05:59:59,1,1,,\r\n2026-12-01 06:00:00,1,1,,\r\n"
    )
    dates = [record["_business_date"] for record in records_of(text)]
    assert dates == ["2026-11-30", "2026-12-01"]


def test_header_only_file_has_no_rows() -> None:
    assert records_of(f"# c\r\n标题\r\n{HEADER}\r\n") == []


def test_file_without_header_is_an_error() -> None:
    with pytest.raises(FileFormatError) as caught:
        read_table("# only comment\r\n标题\r\n", LABEL)
    assert str(caught.value) == f"File {LABEL}: no header line after the title (line 3)"


def test_empty_file_is_an_error() -> None:
    with pytest.raises(FileFormatError) as caught:
        read_table("", LABEL)
    assert str(caught.value) == (
        f"File {LABEL}: no title line (empty file or only comments)"
    )


def test_ragged_row_names_row_counts_and_sample() -> None:
    text = f"t\r\n{HEADER}\r\n2026-11-30 10:00:00,1,1,,ok\r\n2026-11-30 10:00:00,1\r\n"
    with pytest.raises(FileFormatError) as caught:
        records_of(text)
    assert str(caught.value) == (
        f"File {LABEL}: row 2 has 2 cells, expected 5 (sample: '2026-11-30 10:00:00,1')"
    )


def test_long_row_is_an_error_not_truncated() -> None:
    text = f"t\r\n{HEADER}\r\n2026-11-30 10:00:00,1,1,,x,extra\r\n"
    with pytest.raises(FileFormatError, match="row 1 has 6 cells, expected 5"):
        records_of(text)


def test_bad_value_names_row_column_and_value() -> None:
    text = f"t\r\n{HEADER}\r\n2026-11-30 10:00:00,two,1,,x\r\n"
    with pytest.raises(FileFormatError) as caught:
        records_of(text)
    assert str(caught.value) == (
        f"File {LABEL}: row 1, column '票数': 'two' is not a valid integer"
    )


def test_unterminated_quote_is_an_error() -> None:
    text = f't\r\n{HEADER}\r\n2026-11-30 10:00:00,1,1,,"open\r\n'
    with pytest.raises(FileFormatError, match="malformed CSV"):
        records_of(text)


def test_unknown_column_kept_as_string_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    text = f"t\r\n{HEADER},新列\r\n2026-11-30 10:00:00,1,1,,x,007\r\n"
    rows = records_of(text)
    assert rows[0]["新列"] == "007"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [w.getMessage() for w in warnings] == [
        f"Stream test_rows: file {LABEL} has column '新列' not in the registry; "
        "kept as string (on_unknown_column=keep)"
    ]


def test_unknown_column_fails_when_configured() -> None:
    text = f"t\r\n{HEADER},新列\r\n"
    with pytest.raises(FileFormatError) as caught:
        records_of(text, on_unknown_column="fail")
    assert str(caught.value) == (
        f"File {LABEL}: unknown columns ['新列'] for C99; add them to "
        "categories_file or set on_unknown_column to 'keep'"
    )


def test_duplicate_header_is_an_error() -> None:
    with pytest.raises(FileFormatError, match=r"duplicate header columns \['票数'\]"):
        records_of(f"t\r\n{HEADER},票数\r\n")


def test_blank_lines_between_rows_are_not_rows() -> None:
    text = f"t\r\n{HEADER}\r\n\r\n2026-11-30 10:00:00,1,1,,x\r\n\r\n"
    assert len(records_of(text)) == 1
