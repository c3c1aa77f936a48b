"""The synthetic cinema: determinism, formats, links and parser-hostile values."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from sandbox.cinema import ROW_CACHE_SIZE, SyntheticCinema

DAY = date(2026, 11, 30)
CODES = tuple(f"C{n:02d}" for n in range(1, 26))
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
MONEY = re.compile(r"^-?\d+\.\d{2}$")


def column(cinema: SyntheticCinema, code: str, name: str, day: date = DAY) -> list[str]:
    index = cinema.header(code).index(name)
    return [row[index] for row in cinema.rows(code, day)]


def test_categories_titles_and_verified_headers() -> None:
    cinema = SyntheticCinema()

    assert cinema.data_types == CODES
    assert cinema.title("C01") == "影票订单数据"
    assert cinema.title("C18") == "场次放映明细数据"
    counts = {
        code: len(cinema.header(code))
        for code in ("C01", "C02", "C03", "C04", "C05", "C06", "C07", "C18")
    }
    assert counts == {
        "C01": 67,
        "C02": 62,
        "C03": 31,
        "C04": 31,
        "C05": 27,
        "C06": 50,
        "C07": 45,
        "C18": 38,
    }
    assert cinema.header("C01")[-2:] == ["子渠道名称", "券ID"]
    assert cinema.header("C15") == [
        "操作时间",
        "影城名称",
        "影城八位编码",
        "调入/调出影城编码",
        "调入/调出影城名称",
        "调拨出库单号",
        "入库单号",
    ]
    assert [cinema.time_column(c) for c in ("C01", "C02", "C06", "C07", "C18")] == [
        "销售时间",
        "销售时间",
        "回兑时间",
        "时间",
        "放映日期",
    ]


def test_same_date_same_rows_whatever_the_order() -> None:
    forward, backward = SyntheticCinema(), SyntheticCinema()
    days = [DAY - timedelta(days=n) for n in range(3)]

    first = {(c, d): forward.rows(c, d) for c in ("C01", "C02", "C18") for d in days}
    second = {
        (c, d): backward.rows(c, d) for c in ("C18", "C02", "C01") for d in days[::-1]
    }

    assert first == second
    assert forward.rows("C01", DAY) != forward.rows("C01", DAY - timedelta(days=1))


def test_seed_and_lease_code_change_the_rows() -> None:
    base = SyntheticCinema().rows("C01", DAY)

    assert SyntheticCinema(seed=2).rows("C01", DAY) != base
    assert SyntheticCinema(lease_code="other").rows("C01", DAY) != base


@pytest.mark.parametrize("code", CODES)
def test_every_row_fits_its_header_and_gbk(code: str) -> None:
    cinema = SyntheticCinema()
    header = cinema.header(code)
    rows = cinema.rows(code, DAY)

    assert all(len(row) == len(header) for row in rows)
    assert all(isinstance(cell, str) for row in rows for cell in row)
    "".join(cell for row in rows for cell in row).encode("gbk")


@pytest.mark.parametrize("code", [c for c in CODES if c not in ("C18", "C20")])
def test_time_column_lies_in_the_business_day(code: str) -> None:
    times = column(SyntheticCinema(), code, SyntheticCinema().time_column(code))

    assert all(STAMP.match(value) for value in times)
    assert all(
        "2026-11-30 06:00:00" <= value <= "2026-12-01 05:59:59" for value in times
    )
    assert times == sorted(times)


def test_ticket_volume_and_sales_after_midnight() -> None:
    cinema = SyntheticCinema(tickets_per_day=2000)
    times = column(cinema, "C01", "销售时间")

    assert len(times) == 2000
    assert any(value.startswith("2026-12-01 0") for value in times)
    assert len(SyntheticCinema(tickets_per_day=150).rows("C01", DAY)) == 150


def test_tickets_refer_to_planned_screenings() -> None:
    cinema = SyntheticCinema(tickets_per_day=1000)
    header = cinema.header("C01")
    planned = {}
    for ahead in range(3):
        for row in cinema.rows("C18", DAY + timedelta(days=ahead)):
            planned[row[32]] = (row[1], row[4], row[6], row[7])
    keys = [
        header.index(n)
        for n in ("场次号", "影片名称", "影厅名称", "放映日期", "放映时间")
    ]

    for row in cinema.rows("C01", DAY):
        number, *identity = (row[k] for k in keys)
        assert planned[number] == tuple(identity)
        assert row[header.index("销售时间")] < row[header.index("放映时间")]


def test_screenings_are_dated_by_their_business_day_also_in_the_future() -> None:
    cinema = SyntheticCinema()
    future = DAY + timedelta(days=200)

    assert set(column(cinema, "C18", "放映日期", future)) == {future.isoformat()}
    assert len(cinema.rows("C18", future)) >= 40


def test_formats_of_money_counts_cards_and_phones() -> None:
    cinema = SyntheticCinema(tickets_per_day=2000)

    for name in ("票价", "服务费", "支付金额", "优惠金额", "退票手续费金额"):
        assert all(MONEY.match(v) for v in column(cinema, "C01", name))
    assert set(column(cinema, "C01", "影票数")) == {"1", "-1"}
    cards = [v for v in column(cinema, "C01", "会员卡卡号") if v]
    assert all(re.fullmatch(r"\d{12}", v) for v in cards)
    assert any(v.startswith("0") for v in cards)
    phones = [v for v in column(cinema, "C01", "手机号") if v]
    assert phones
    assert all(re.fullmatch(r"1\d{2}\*{4}\d{4}", v) for v in phones)
    assert all(re.fullmatch(r"\d{15}", v) for v in column(cinema, "C01", "售订单号"))
    assert all(
        re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) for v in column(cinema, "C18", "放映日期")
    )


def test_refunds_have_negative_amounts() -> None:
    cinema = SyntheticCinema(tickets_per_day=2000)
    header = cinema.header("C01")
    refunds = [
        r for r in cinema.rows("C01", DAY) if r[header.index("销售类型")] == "退票"
    ]

    assert refunds
    for row in refunds:
        assert row[header.index("支付金额")].startswith("-")
        assert row[header.index("影票数")] == "-1"
        assert row[header.index("退订单号")] == "R" + row[header.index("售订单号")]


def test_parser_hostile_values_are_present() -> None:
    cinema = SyntheticCinema(tickets_per_day=2000)
    cells = [
        cell
        for code in ("C01", "C02")
        for row in cinema.rows(code, DAY)
        for cell in row
    ]

    assert "满2张,减5元" in column(cinema, "C01", "优惠信息")
    assert any('"' in cell for cell in cells)
    combos = column(cinema, "C02", "套餐内容")
    assert any("\r\n" in v for v in combos)
    assert any("\n#" in v for v in combos)

    def outside_gb2312(text: str) -> bool:
        try:
            text.encode("gb2312")
        except UnicodeEncodeError:
            return True
        return False

    assert any(outside_gb2312(cell) for cell in column(cinema, "C01", "影片名称"))
    hostile = [cell for cell in cells if "," in cell or '"' in cell or "\n" in cell]
    assert 0 < len(hostile) < len(cells) // 10


def test_no_rows_before_opening() -> None:
    cinema = SyntheticCinema()

    assert cinema.rows("C01", date(2023, 12, 31)) == []
    assert cinema.rows("C18", date(2023, 12, 31)) == []
    assert len(cinema.rows("C01", date(2024, 1, 1))) == 400


def test_row_cache_is_bounded_and_rows_are_copies_of_the_list() -> None:
    cinema = SyntheticCinema(tickets_per_day=5)
    for n in range(ROW_CACHE_SIZE + 20):
        cinema.rows("C01", DAY - timedelta(days=n))

    assert len(cinema._cache) == ROW_CACHE_SIZE
    rows = cinema.rows("C01", DAY)
    rows.clear()
    assert len(cinema.rows("C01", DAY)) == 5


def test_unknown_category_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="C26"):
        SyntheticCinema().rows("C26", DAY)


@pytest.mark.parametrize("code", CODES)
def test_row_count_predicts_the_rows(code: str) -> None:
    cinema = SyntheticCinema(tickets_per_day=300)
    days = [date(2026, 11, 28) + timedelta(days=n) for n in range(4)]

    assert [cinema.row_count(code, d) for d in days] == [
        len(cinema.rows(code, d)) for d in days
    ]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"tickets_per_day": -1}, "tickets_per_day must be 0 or more, got -1"),
        ({"lease_code": ""}, "lease_code and cinema_link_id must not be empty"),
    ],
)
def test_bad_cinema_arguments_are_rejected(
    arguments: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        SyntheticCinema(**arguments)


def test_a_cinema_without_tickets_has_no_ticket_rows() -> None:
    cinema = SyntheticCinema(tickets_per_day=0)

    assert cinema.rows("C01", DAY) == []
    assert cinema.row_count("C02", DAY) == 0
    assert len(cinema.rows("C18", DAY)) >= 40
