"""Write values validated per field type, read shapes, atomic batches, options."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from sandbox.feishu import FeishuSandbox
from tests.sandbox.test_feishu_support import DEC_1_SHANGHAI_MS, Api, api, base, fs

__all__ = ["api", "base", "fs"]
FIELDS = [
    {"field_name": "文本", "type": 1},
    {"field_name": "数字", "type": 2},
    {"field_name": "单选", "type": 3},
    {"field_name": "多选", "type": 4},
    {"field_name": "日期", "type": 5},
    {"field_name": "勾选", "type": 7},
    {"field_name": "人员", "type": 11},
    {"field_name": "电话", "type": 13},
    {"field_name": "链接", "type": 15},
    {"field_name": "附件", "type": 17},
    {"field_name": "位置", "type": 22},
    {"field_name": "群组", "type": 23},
    {"field_name": "创建时间", "type": 1001},
    {"field_name": "编号", "type": 1005},
]


@pytest.fixture
def table(api: Api, base: str) -> str:
    table_id = api.table(base, "t", FIELDS[:1])
    for field in FIELDS[1:]:
        if field["type"] != 17:
            api.ok("POST", f"/apps/{base}/tables/{table_id}/fields", json=field)
    api.ok("POST", f"/apps/{base}/tables/{table_id}/fields", json=FIELDS[9])
    return table_id


def batch_create(api: Api, base: str, table: str, rows: list[dict[str, Any]]) -> Any:
    return api.call(
        "POST",
        f"/apps/{base}/tables/{table}/records/batch_create",
        params={"client_token": str(uuid.uuid4())},
        json={"records": [{"fields": row} for row in rows]},
    )


GOOD = {
    "文本": "影票 A",
    "数字": 35.5,
    "单选": "美团",
    "多选": ["IMAX", "3D"],
    "日期": DEC_1_SHANGHAI_MS,
    "勾选": True,
    "人员": [{"id": "ou_1"}],
    "电话": "+8613800000000",
    "链接": {"text": "官网", "link": "https://example.invalid/"},
    "附件": [{"file_token": "boxcn1"}],
    "位置": "116.397,39.909",
    "群组": [{"id": "oc_1"}],
}


def test_good_values_store_in_write_shape_and_read_in_read_shape(
    fs: FeishuSandbox, api: Api, base: str, table: str
) -> None:
    fs.freeze_clock()
    records = api.create(base, table, [GOOD])
    assert records[0]["record_id"].startswith("rec")
    read = records[0]["fields"]
    assert read["文本"] == [{"type": "text", "text": "影票 A"}]
    assert read["数字"] == 35.5
    assert read["单选"] == "美团"
    assert read["多选"] == ["IMAX", "3D"]
    assert read["日期"] == DEC_1_SHANGHAI_MS
    assert read["勾选"] is True
    assert read["链接"] == {"text": "官网", "link": "https://example.invalid/"}
    assert read["位置"]["location"] == "116.397,39.909"
    assert read["创建时间"] == fs.clock.now_ms()
    assert read["编号"] == "1"
    assert fs.rows(base, "t") == [GOOD]


def test_null_and_empty_values_are_omitted(
    fs: FeishuSandbox, api: Api, base: str, table: str
) -> None:
    records = api.create(
        base, table, [{"文本": None, "数字": None, "多选": [], "电话": ""}]
    )
    assert set(records[0]["fields"]) == {"创建时间", "编号"}
    assert fs.rows(base, "t") == [{}]


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("文本", ["a"], 1254060),
        ("文本", [{"type": "text", "text": "a"}], 1254060),
        ("文本", 12, 1254060),
        ("数字", "12", 1254061),
        ("数字", True, 1254061),
        ("数字", 10**400, 1254061),
        ("数字", -(10**309), 1254061),
        ("单选", ["a"], 1254062),
        ("多选", "a", 1254063),
        ("多选", [1], 1254063),
        ("日期", "2026-12-01", 1254064),
        ("日期", 1796054400000.5, 1254064),
        ("日期", True, 1254064),
        ("勾选", "true", 1254065),
        ("勾选", 1, 1254065),
        ("人员", "ou_1", 1254066),
        ("电话", "138-0000", 1254072),
        ("电话", "1" * 65, 1254072),
        ("链接", "https://example.invalid/", 1254068),
        ("链接", {"url": "x"}, 1254068),
        ("附件", [{"token": "x"}], 1254069),
        ("创建时间", 1, 1254015),
    ],
)
def test_bad_values_reject_the_whole_batch(
    fs: FeishuSandbox,
    api: Api,
    base: str,
    table: str,
    field: str,
    value: Any,
    code: int,
) -> None:
    response = batch_create(api, base, table, [{"文本": "ok"}, {field: value}])
    body = response.json()
    expected_status = 400 if code == 1254015 else 200
    assert (response.status_code, body["code"]) == (expected_status, code)
    assert field in body["msg"]
    assert "records[1]" in body["msg"]
    assert fs.rows(base, "t") == []


def test_unknown_field_name_answers_1254045(
    fs: FeishuSandbox, api: Api, base: str, table: str
) -> None:
    body = batch_create(api, base, table, [{"文本": "a", "不存在": 1}]).json()
    assert body["code"] == 1254045
    assert "不存在" in body["msg"]
    assert fs.rows(base, "t") == []


def test_nan_is_not_json(api: Api, base: str, table: str) -> None:
    response = api.call(
        "POST",
        f"/apps/{base}/tables/{table}/records/batch_create",
        data=b'{"records": [{"fields": {"\\u6570\\u5b57": NaN}}]}',
        headers={"Content-Type": "application/json"},
    )
    assert response.json()["code"] == 1254000


def test_number_beyond_double_range_is_a_conversion_error(
    fs: FeishuSandbox, api: Api, base: str, table: str
) -> None:
    response = api.call(
        "POST",
        f"/apps/{base}/tables/{table}/records/batch_create",
        data=b'{"records": [{"fields": {"\\u6570\\u5b57": 1e400}}]}',
        headers={"Content-Type": "application/json"},
    )
    assert (response.status_code, response.json()["code"]) == (200, 1254061)
    assert fs.rows(base, "t") == []


def test_select_values_create_options(api: Api, base: str, table: str) -> None:
    api.create(
        base,
        table,
        [{"单选": "美团", "多选": ["A", "B"]}, {"单选": "淘票票", "多选": ["B", "C"]}],
    )
    fields = {
        f["field_name"]: f
        for f in api.ok(
            "GET", f"/apps/{base}/tables/{table}/fields", params={"page_size": 100}
        )["items"]
    }
    assert [o["name"] for o in fields["单选"]["property"]["options"]] == [
        "美团",
        "淘票票",
    ]
    assert [o["name"] for o in fields["多选"]["property"]["options"]] == ["A", "B", "C"]


def test_batch_update_merges_and_null_clears(
    fs: FeishuSandbox, api: Api, base: str, table: str
) -> None:
    records = api.create(
        base, table, [{"文本": "a", "数字": 1}, {"文本": "b", "数字": 2}]
    )
    first = records[0]["record_id"]
    data = api.ok(
        "POST",
        f"/apps/{base}/tables/{table}/records/batch_update",
        json={
            "records": [{"record_id": first, "fields": {"数字": None, "勾选": False}}]
        },
    )
    assert data["records"][0]["record_id"] == first
    assert data["records"][0]["fields"]["文本"] == [{"type": "text", "text": "a"}]
    assert "数字" not in data["records"][0]["fields"]
    assert fs.rows(base, "t") == [
        {"文本": "a", "勾选": False},
        {"文本": "b", "数字": 2},
    ]

    status, code, _ = api.fail(
        "POST",
        f"/apps/{base}/tables/{table}/records/batch_update",
        json={"records": [{"record_id": "recNotThere", "fields": {"数字": 3}}]},
    )
    assert (status, code) == (200, 1254043)
    bad_value = {"records": [{"record_id": first, "fields": {"数字": "3"}}]}
    assert api.fail(
        "POST", f"/apps/{base}/tables/{table}/records/batch_update", json=bad_value
    )[:2] == (200, 1254061)
    assert fs.rows(base, "t")[0] == {"文本": "a", "勾选": False}
