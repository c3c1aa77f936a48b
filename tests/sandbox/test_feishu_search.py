"""Record search: paging, field_names, sort, filters and day-granular dates."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sandbox.feishu import FeishuSandbox
from tests.sandbox.test_feishu_support import (
    DAY_MS,
    DEC_1_SHANGHAI_MS,
    HOUR_MS,
    Api,
    api,
    base,
    fs,
    start_sandbox,
)

__all__ = ["api", "base", "fs"]
FIELDS = [
    {"field_name": "名称", "type": 1},
    {"field_name": "金额", "type": 2},
    {"field_name": "日期", "type": 5},
    {"field_name": "渠道", "type": 3},
    {"field_name": "标签", "type": 4},
    {"field_name": "勾", "type": 7},
    {"field_name": "人", "type": 11},
]
ROWS: list[dict[str, Any]] = [
    {
        "名称": "b-2026-12-01 00:00",
        "金额": 10,
        "日期": DEC_1_SHANGHAI_MS,
        "渠道": "美团",
        "标签": ["IMAX"],
        "勾": True,
    },
    {
        "名称": "a-2026-12-01 23:59",
        "金额": 2.5,
        "日期": DEC_1_SHANGHAI_MS + DAY_MS - 1,
        "渠道": "淘票票",
        "标签": ["IMAX", "3D"],
    },
    {
        "名称": "c-2026-12-02 00:00",
        "金额": 100,
        "日期": DEC_1_SHANGHAI_MS + DAY_MS,
        "渠道": "美团",
        "人": [{"id": "ou_a"}],
    },
    {
        "名称": "d-2026-11-30 23:59",
        "金额": -1,
        "日期": DEC_1_SHANGHAI_MS - 60_000,
        "勾": False,
    },
    {"名称": "e-empty"},
]


@pytest.fixture
def table(api: Api, base: str) -> str:
    table_id = api.table(base, "t", FIELDS)
    api.create(base, table_id, ROWS)
    return table_id


def search(api: Api, base: str, table: str, body: dict[str, Any], **params: Any) -> Any:
    return api.ok(
        "POST", f"/apps/{base}/tables/{table}/records/search", params=params, json=body
    )


def names(api: Api, base: str, table: str, body: dict[str, Any]) -> list[str]:
    items = api.search_all(base, table, body)
    return [item["fields"]["名称"][0]["text"] for item in items]


def where(*conditions: tuple[str, str, list[str]], conjunction: str = "and") -> dict:
    return {
        "filter": {
            "conjunction": conjunction,
            "conditions": [
                {"field_name": f, "operator": o, "value": v} for f, o, v in conditions
            ],
        }
    }


def test_empty_body_returns_all_in_insertion_order_with_read_shapes(
    api: Api, base: str, table: str
) -> None:
    data = search(api, base, table, {})
    assert (data["total"], data["has_more"]) == (5, False)
    assert [i["fields"]["名称"][0]["text"][0] for i in data["items"]] == list("bacde")
    assert data["items"][4]["fields"] == {"名称": [{"type": "text", "text": "e-empty"}]}
    assert data["items"][0]["fields"]["金额"] == 10
    assert "page_token" in data


def test_paging_through_more_than_500_rows(api: Api, base: str) -> None:
    table = api.table(base, "big", [{"field_name": "n", "type": 2}])
    for start in range(0, 1200, 600):
        api.create(base, table, [{"n": i} for i in range(start, start + 600)])
    first = search(api, base, table, {}, page_size=500)
    assert (len(first["items"]), first["has_more"], first["total"]) == (500, True, 1200)
    token = first["page_token"]
    assert base64.urlsafe_b64decode(token)
    items = api.search_all(base, table, {}, page_size=500)
    assert [i["fields"]["n"] for i in items] == list(range(1200))
    default = search(api, base, table, {})
    assert len(default["items"]) == 20
    sorted_items = api.search_all(
        base, table, {"sort": [{"field_name": "n", "desc": True}]}
    )
    assert [i["fields"]["n"] for i in sorted_items] == list(range(1199, -1, -1))


def test_page_size_above_500_answers_1254011(api: Api, base: str, table: str) -> None:
    path = f"/apps/{base}/tables/{table}/records/search"
    for size in ("501", "0", "abc"):
        assert api.fail("POST", path, params={"page_size": size}, json={})[:2] == (
            400,
            1254011,
        )


def test_page_token_of_another_query_answers_1254030(
    api: Api, base: str, table: str
) -> None:
    token = search(api, base, table, {}, page_size=2)["page_token"]
    path = f"/apps/{base}/tables/{table}/records/search"
    params = {"page_size": 2, "page_token": token}
    assert api.fail(
        "POST", path, params=params, json=where(("金额", "isGreater", ["0"]))
    )[:2] == (400, 1254030)
    params["page_token"] = "not base64!"
    assert api.fail("POST", path, params=params, json={})[:2] == (400, 1254030)


def test_field_names_limits_the_returned_fields(
    api: Api, base: str, table: str
) -> None:
    items = search(api, base, table, {"field_names": ["金额"]})["items"]
    assert [i["fields"] for i in items] == [
        {"金额": 10},
        {"金额": 2.5},
        {"金额": 100},
        {"金额": -1},
        {},
    ]
    path = f"/apps/{base}/tables/{table}/records/search"
    assert api.fail("POST", path, json={"field_names": ["不存在"]})[:2] == (
        200,
        1254045,
    )


def test_sort_text_lexicographic_numbers_numeric_dates_numeric(
    api: Api, base: str, table: str
) -> None:
    assert names(api, base, table, {"sort": [{"field_name": "名称"}]})[0][0] == "a"
    by_amount = names(
        api, base, table, {"sort": [{"field_name": "金额", "desc": True}]}
    )
    assert [n[0] for n in by_amount] == list("cbade")
    by_date = names(api, base, table, {"sort": [{"field_name": "日期", "desc": False}]})
    assert [n[0] for n in by_date] == list("dbace")
    path = f"/apps/{base}/tables/{table}/records/search"
    assert api.fail("POST", path, json={"sort": [{"field_name": "x"}]})[:2] == (
        400,
        1254016,
    )


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (("名称", "is", ["e-empty"]), "e"),
        (("名称", "isNot", ["e-empty"]), "bacd"),
        (("名称", "contains", ["12-01"]), "ba"),
        (("名称", "doesNotContain", ["12-01"]), "cde"),
        (("金额", "is", ["2.5"]), "a"),
        (("金额", "isGreater", ["2.5"]), "bc"),
        (("金额", "isGreaterEqual", ["2.5"]), "bac"),
        (("金额", "isLess", ["10"]), "ad"),
        (("金额", "isLessEqual", ["10"]), "bad"),
        (("金额", "isEmpty", []), "e"),
        (("金额", "isNotEmpty", []), "bacd"),
        (("渠道", "is", ["美团"]), "bc"),
        (("渠道", "isNot", ["美团"]), "ade"),
        (("渠道", "contains", ["美团", "淘票票"]), "bac"),
        (("渠道", "doesNotContain", ["淘票票"]), "bcde"),
        (("标签", "contains", ["3D"]), "a"),
        (("标签", "doesNotContain", ["3D"]), "bcde"),
        (("标签", "is", ["IMAX"]), "b"),
        (("标签", "isNot", ["IMAX"]), "acde"),
        (("标签", "isEmpty", []), "cde"),
        (("勾", "is", ["true"]), "b"),
        (("勾", "is", ["false"]), "acde"),
        (("人", "contains", ["ou_a"]), "c"),
    ],
)
def test_filter_operators(
    api: Api,
    base: str,
    table: str,
    condition: tuple[str, str, list[str]],
    expected: str,
) -> None:
    assert "".join(n[0] for n in names(api, base, table, where(condition))) == expected


def test_dates_compare_by_calendar_day_in_shanghai(
    api: Api, base: str, table: str
) -> None:
    noon = str(DEC_1_SHANGHAI_MS + 12 * HOUR_MS)
    cases = {"is": "ba", "isGreater": "c", "isLess": "d"}
    for operator, expected in cases.items():
        found = names(api, base, table, where(("日期", operator, ["ExactDate", noon])))
        assert "".join(n[0] for n in found) == expected, operator
    assert (
        "".join(n[0] for n in names(api, base, table, where(("日期", "isEmpty", []))))
        == "e"
    )


def test_dates_follow_the_configured_time_zone() -> None:
    fs = start_sandbox(timezone="UTC")
    try:
        api = Api(fs)
        base = fs.create_base("b")
        table = api.table(base, "t", FIELDS)
        api.create(base, table, ROWS)
        day = str(DEC_1_SHANGHAI_MS + 12 * HOUR_MS)  # 2026-12-01 04:00 UTC
        found = names(api, base, table, where(("日期", "is", ["ExactDate", day])))
        assert "".join(n[0] for n in found) == "ac"
    finally:
        fs.stop()


def test_relative_dates_use_the_emulator_clock(
    fs: FeishuSandbox, api: Api, base: str
) -> None:
    fs.freeze_clock()
    now = dt.datetime.fromtimestamp(fs.clock.now(), ZoneInfo("Asia/Shanghai"))
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    today_ms = int(midnight.timestamp() * 1000)
    table = api.table(base, "rel", FIELDS[:3])
    offsets = {"yesterday": -DAY_MS, "today": 0, "late": DAY_MS - 1, "tomorrow": DAY_MS}
    api.create(
        base, table, [{"名称": k, "日期": today_ms + v} for k, v in offsets.items()]
    )

    def found(word: str) -> list[str]:
        return names(api, base, table, where(("日期", "is", [word])))

    assert found("Today") == ["today", "late"]
    assert found("Tomorrow") == ["tomorrow"]
    assert found("Yesterday") == ["yesterday"]
    assert found("TheLastWeek") == ["yesterday", "today", "late"]


def test_date_operator_restrictions_answer_1254018(
    api: Api, base: str, table: str
) -> None:
    path = f"/apps/{base}/tables/{table}/records/search"
    day = str(DEC_1_SHANGHAI_MS)
    bad = [
        ("日期", "isGreaterEqual", ["ExactDate", day]),
        ("日期", "isLessEqual", ["ExactDate", day]),
        ("日期", "contains", ["ExactDate", day]),
        ("日期", "is", [day]),
        ("日期", "is", ["ExactDate", "2026-12-01"]),
        ("日期", "isGreater", ["CurrentMonth"]),
        ("名称", "isGreater", ["a"]),
        ("金额", "contains", ["1"]),
        ("金额", "is", ["ten"]),
        ("勾", "isNot", ["true"]),
        ("勾", "is", ["yes"]),
        ("不存在", "is", ["a"]),
        ("名称", "like", ["a"]),
        ("名称", "is", []),
        ("名称", "isEmpty", ["a"]),
    ]
    for condition in bad:
        assert api.fail("POST", path, json=where(condition))[:2] == (400, 1254018), (
            condition
        )


def test_or_conjunction_and_one_level_of_children(
    api: Api, base: str, table: str
) -> None:
    either = where(
        ("渠道", "is", ["淘票票"]), ("金额", "isLess", ["0"]), conjunction="or"
    )
    assert "".join(n[0] for n in names(api, base, table, either)) == "ad"
    nested = {
        "filter": {
            "conjunction": "and",
            "conditions": [
                {"field_name": "金额", "operator": "isNotEmpty", "value": []}
            ],
            "children": [
                {
                    "conjunction": "or",
                    "conditions": [
                        {"field_name": "渠道", "operator": "is", "value": ["美团"]},
                        {"field_name": "金额", "operator": "isLess", "value": ["0"]},
                    ],
                }
            ],
        }
    }
    assert "".join(n[0] for n in names(api, base, table, nested)) == "bcd"
    too_deep = {"filter": {"conjunction": "and", "children": [nested["filter"]]}}
    path = f"/apps/{base}/tables/{table}/records/search"
    assert api.fail("POST", path, json=too_deep)[:2] == (400, 1254018)


def test_at_most_50_conditions(api: Api, base: str, table: str) -> None:
    path = f"/apps/{base}/tables/{table}/records/search"
    fifty = where(*[("金额", "isNotEmpty", [])] * 50)
    assert search(api, base, table, fifty)["total"] == 4
    assert api.fail("POST", path, json=where(*[("金额", "isNotEmpty", [])] * 51))[
        :2
    ] == (
        400,
        1254018,
    )


def test_automatic_fields(fs: FeishuSandbox, api: Api, base: str) -> None:
    fs.freeze_clock()
    table = api.table(base, "auto", [{"field_name": "n", "type": 2}])
    api.create(base, table, [{"n": 1}])
    item = search(api, base, table, {"automatic_fields": True})["items"][0]
    assert item["created_time"] == item["last_modified_time"] == fs.clock.now_ms()
    assert item["created_by"]["id"] == "ou_cli_sandbox"
    plain = search(api, base, table, {})["items"][0]
    assert set(plain) == {"record_id", "fields"}


def test_total_follows_writes(api: Api, base: str, table: str) -> None:
    body = where(("渠道", "is", ["美团"]))
    assert search(api, base, table, body)["total"] == 2
    api.create(base, table, [{"名称": "f", "渠道": "美团"}])
    assert search(api, base, table, body)["total"] == 3
