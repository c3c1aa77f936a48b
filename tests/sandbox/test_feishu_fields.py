"""Fields: list with paging, create, full-overwrite update, delete, properties."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from sandbox.feishu import FeishuSandbox
from tests.sandbox.test_feishu_support import Api, api, base, fs

__all__ = ["api", "base", "fs"]


@pytest.fixture
def table(api: Api, base: str) -> str:
    return api.table(base, "t", [{"field_name": "名称", "type": 1}])


def fields_path(base: str, table: str) -> str:
    return f"/apps/{base}/tables/{table}/fields"


def test_create_field_answers_the_field(
    fs: FeishuSandbox, api: Api, base: str, table: str
) -> None:
    body = {"field_name": "金额", "type": 2, "property": {"formatter": "0.00"}}
    field = api.ok("POST", fields_path(base, table), json=body)["field"]
    assert field["field_id"].startswith("fld")
    assert (field["field_name"], field["type"], field["ui_type"]) == (
        "金额",
        2,
        "Number",
    )
    assert field["property"] == {"formatter": "0.00"}
    assert field["is_primary"] is False
    assert fs.fields(base, "t") == [("名称", 1), ("金额", 2)]


def test_duplicate_field_name_answers_1254014(api: Api, base: str, table: str) -> None:
    body = {"field_name": "名称", "type": 2}
    assert api.fail("POST", fields_path(base, table), json=body)[:2] == (400, 1254014)


def test_field_names_must_not_be_empty(api: Api, base: str, table: str) -> None:
    body = {"field_name": " ", "type": 1}
    assert api.fail("POST", fields_path(base, table), json=body)[:2] == (400, 1254028)
    body = {"field_name": "x" * 101, "type": 1}
    assert api.fail("POST", fields_path(base, table), json=body)[:2] == (400, 1254029)


def test_known_types_are_accepted(api: Api, base: str, table: str) -> None:
    linked = api.table(base, "linked", [{"field_name": "k", "type": 1}])
    properties: dict[int, Any] = {
        18: {"table_id": linked},
        20: {"formula_expression": "1+1"},
        21: {"table_id": linked, "back_field_name": "back"},
    }
    for kind in (
        1,
        2,
        3,
        4,
        5,
        7,
        11,
        13,
        15,
        17,
        18,
        20,
        21,
        22,
        23,
        1001,
        1002,
        1003,
        1004,
        1005,
    ):
        body = {
            "field_name": f"f{kind}",
            "type": kind,
            "property": properties.get(kind),
        }
        assert (
            api.ok("POST", fields_path(base, table), json=body)["field"]["type"] == kind
        )
    for kind in (6, 19, 24, 3001, "1"):
        body = {"field_name": f"bad{kind}", "type": kind}
        assert api.fail("POST", fields_path(base, table), json=body)[:2] == (
            400,
            99992402,
        )


@pytest.mark.parametrize(
    ("kind", "ui_type", "prop", "code"),
    [
        (1, None, {"formatter": "0"}, 1254080),
        (2, None, {"formatter": "0.00000"}, 1254081),
        (2, "Currency", {"formatter": "0.00", "currency_code": "rmb"}, 1254081),
        (2, "Rating", {"formatter": "0", "min": 0, "max": 11}, 1254081),
        (2, "Progress", {"formatter": "0.0.0"}, 1254081),
        (3, None, {"options": [{"name": "a"}, {"name": "a"}]}, 1254082),
        (3, None, {"options": [{"name": ""}]}, 1254026),
        (4, None, {"options": [{"name": "a", "color": 55}]}, 1254083),
        (4, None, {"options": "a"}, 1254083),
        (5, None, {"date_formatter": "dd.MM.yyyy"}, 1254084),
        (5, None, {"auto_fill": "yes"}, 1254084),
        (7, None, {"x": 1}, 1254085),
        (13, None, {"x": 1}, 1254087),
        (15, None, {"x": 1}, 1254088),
        (1, "Number", None, 99992402),
    ],
)
def test_bad_properties_answer_the_type_code(
    api: Api,
    base: str,
    table: str,
    kind: int,
    ui_type: str | None,
    prop: Any,
    code: int,
) -> None:
    body = {"field_name": "f", "type": kind, "ui_type": ui_type, "property": prop}
    assert api.fail("POST", fields_path(base, table), json=body)[:2] == (400, code)


def test_good_properties_are_stored(api: Api, base: str, table: str) -> None:
    cases = [
        (2, "Currency", {"formatter": "0.00", "currency_code": "CNY"}),
        (
            2,
            "Progress",
            {"formatter": "0%", "min": 0, "max": 1, "range_customize": True},
        ),
        (
            2,
            "Rating",
            {"formatter": "0", "min": 1, "max": 5, "rating": {"symbol": "star"}},
        ),
        (5, "DateTime", {"date_formatter": "yyyy-MM-dd HH:mm", "auto_fill": False}),
    ]
    for index, (kind, ui_type, prop) in enumerate(cases):
        body = {
            "field_name": f"f{index}",
            "type": kind,
            "ui_type": ui_type,
            "property": prop,
        }
        field = api.ok("POST", fields_path(base, table), json=body)["field"]
        assert (field["ui_type"], field["property"]) == (ui_type, prop)
    body = {"field_name": "选", "type": 3, "property": {"options": [{"name": "甲"}]}}
    options = api.ok("POST", fields_path(base, table), json=body)["field"]["property"]
    assert [o["name"] for o in options["options"]] == ["甲"]
    assert options["options"][0]["id"].startswith("opt")


def test_fields_list_pages_through_150_fields(api: Api, base: str) -> None:
    fields = [{"field_name": f"f{i:03d}", "type": 1} for i in range(150)]
    table = api.table(base, "wide", fields)
    names, params = [], {"page_size": 100}
    pages = 0
    while True:
        data = api.ok("GET", fields_path(base, table), params=params)
        names += [f["field_name"] for f in data["items"]]
        pages += 1
        if not data["has_more"]:
            break
        params["page_token"] = data["page_token"]
    assert (names, pages, data["total"]) == ([f["field_name"] for f in fields], 2, 150)
    assert len(api.ok("GET", fields_path(base, table))["items"]) == 20
    assert (
        api.fail("GET", fields_path(base, table), params={"page_size": 101})[0] == 400
    )


def test_300_field_cap_answers_1254105(api: Api, base: str) -> None:
    fields = [{"field_name": f"f{i}", "type": 1} for i in range(300)]
    table = api.table(base, "full", fields)
    body = {"field_name": "one more", "type": 1}
    assert api.fail("POST", fields_path(base, table), json=body)[:2] == (200, 1254105)


def test_create_field_replays_its_client_token(
    fs: FeishuSandbox, api: Api, base: str, table: str
) -> None:
    token = str(uuid.uuid4())
    body = {"field_name": "金额", "type": 2}
    first = api.ok(
        "POST", fields_path(base, table), params={"client_token": token}, json=body
    )
    again = api.ok(
        "POST", fields_path(base, table), params={"client_token": token}, json=body
    )
    assert again == first
    assert fs.fields(base, "t") == [("名称", 1), ("金额", 2)]
    other = {"field_name": "票数", "type": 2}
    status, code, _ = api.fail(
        "POST", fields_path(base, table), params={"client_token": token}, json=other
    )
    assert (status, code) == (400, 1255006)
    bad = {"client_token": "not-a-uuid"}
    assert api.fail("POST", fields_path(base, table), params=bad, json=other)[:2] == (
        400,
        1254037,
    )


def test_update_is_a_full_overwrite(
    fs: FeishuSandbox, api: Api, base: str, table: str
) -> None:
    body = {
        "field_name": "状态",
        "type": 3,
        "property": {"options": [{"name": "a"}, {"name": "b"}]},
    }
    field = api.ok("POST", fields_path(base, table), json=body)["field"]
    api.create(base, table, [{"名称": "1", "状态": "a"}, {"名称": "2", "状态": "b"}])
    kept = [o for o in field["property"]["options"] if o["name"] == "b"]

    update = {"field_name": "阶段", "type": 3, "property": {"options": kept}}
    path = f"{fields_path(base, table)}/{field['field_id']}"
    updated = api.ok("PUT", path, json=update)["field"]
    assert updated["field_name"] == "阶段"
    assert updated["property"]["options"] == kept
    assert fs.rows(base, "t") == [{"名称": "1"}, {"名称": "2", "阶段": "b"}]

    missing_type = {"field_name": "阶段"}
    assert api.fail("PUT", path, json=missing_type)[:2] == (400, 99992402)
    duplicate = {"field_name": "名称", "type": 3}
    assert api.fail("PUT", path, json=duplicate)[:2] == (400, 1254014)


def test_update_type_converts_or_clears_cells(
    fs: FeishuSandbox, api: Api, base: str, table: str
) -> None:
    body = {"field_name": "数", "type": 2}
    field = api.ok("POST", fields_path(base, table), json=body)["field"]
    api.create(base, table, [{"名称": "1", "数": 12}])
    path = f"{fields_path(base, table)}/{field['field_id']}"
    api.ok("PUT", path, json={"field_name": "数", "type": 1})
    assert fs.rows(base, "t") == [{"名称": "1", "数": "12"}]
    api.ok("PUT", path, json={"field_name": "数", "type": 5})
    assert fs.rows(base, "t") == [{"名称": "1"}]


def test_primary_field_type_stays_allowed(api: Api, base: str, table: str) -> None:
    primary = api.ok("GET", fields_path(base, table))["items"][0]
    path = f"{fields_path(base, table)}/{primary['field_id']}"
    assert api.fail("PUT", path, json={"field_name": "名称", "type": 7})[:2] == (
        400,
        99992402,
    )
    assert api.ok("PUT", path, json={"field_name": "编号", "type": 2})["field"][
        "is_primary"
    ]


def test_delete_field_but_not_the_primary(
    fs: FeishuSandbox, api: Api, base: str, table: str
) -> None:
    field = api.ok(
        "POST", fields_path(base, table), json={"field_name": "x", "type": 1}
    )["field"]
    path = f"{fields_path(base, table)}/{field['field_id']}"
    assert api.ok("DELETE", path) == {"field_id": field["field_id"], "deleted": True}
    assert fs.fields(base, "t") == [("名称", 1)]
    assert api.fail("DELETE", path)[:2] == (200, 1254044)
    primary = api.ok("GET", fields_path(base, table))["items"][0]["field_id"]
    assert api.fail("DELETE", f"{fields_path(base, table)}/{primary}")[:2] == (
        200,
        1254301,
    )
