"""Tables: list with paging, create with name and field rules, delete, access."""

from __future__ import annotations

import base64

from sandbox.feishu import FeishuSandbox
from tests.sandbox.test_feishu_support import Api, api, base, fs

__all__ = ["api", "base", "fs"]
TEXT = {"field_name": "名称", "type": 1}


def test_create_table_answers_ids_and_sets_the_schema(
    fs: FeishuSandbox, api: Api, base: str
) -> None:
    fields = [
        TEXT,
        {"field_name": "金额", "type": 2},
        {"field_name": "日期", "type": 5},
    ]
    data = api.ok(
        "POST",
        f"/apps/{base}/tables",
        json={
            "table": {
                "name": "  影票销售明细 ",
                "default_view_name": "全部",
                "fields": fields,
            }
        },
    )
    assert data["table_id"].startswith("tbl")
    assert data["default_view_id"].startswith("vew")
    assert len(data["field_id_list"]) == 3
    assert fs.table_names(base) == ["影票销售明细"]
    assert fs.fields(base, "影票销售明细") == [("名称", 1), ("金额", 2), ("日期", 5)]
    listed = api.ok("GET", f"/apps/{base}/tables/{data['table_id']}/fields")["items"]
    assert [f["field_id"] for f in listed] == data["field_id_list"]
    assert [f["is_primary"] for f in listed] == [True, False, False]


def test_create_table_without_fields_gets_a_text_primary(
    fs: FeishuSandbox, api: Api, base: str
) -> None:
    data = api.ok("POST", f"/apps/{base}/tables", json={"table": {"name": "t"}})
    assert len(data["field_id_list"]) == 1
    assert fs.fields(base, "t") == [("多行文本", 1)]


def test_table_names_are_validated(api: Api, base: str) -> None:
    for name in ("", "   ", "a" * 101, "a[b]", "x:y", "a/b", "a\\b", "why?", "st*r"):
        status, code, msg = api.fail(
            "POST",
            f"/apps/{base}/tables",
            json={"table": {"name": name, "fields": [TEXT]}},
        )
        assert (status, code) == (400, 99992402), name
        assert "table.name" in msg
    api.ok("POST", f"/apps/{base}/tables", json={"table": {"name": "a" * 100}})


def test_duplicate_table_name_answers_1254013(api: Api, base: str) -> None:
    api.table(base, "日报", [TEXT])
    status, code, _ = api.fail(
        "POST",
        f"/apps/{base}/tables",
        json={"table": {"name": " 日报", "fields": [TEXT]}},
    )
    assert (status, code) == (400, 1254013)


def test_primary_field_type_must_be_allowed(api: Api, base: str) -> None:
    body = {"table": {"name": "t", "fields": [{"field_name": "勾", "type": 7}, TEXT]}}
    status, code, msg = api.fail("POST", f"/apps/{base}/tables", json=body)
    assert (status, code) == (400, 99992402)
    assert "table.fields[0].type" in msg
    for allowed in (1, 2, 5, 13, 15):
        body = {
            "table": {
                "name": f"p{allowed}",
                "fields": [{"field_name": "k", "type": allowed}],
            }
        }
        api.ok("POST", f"/apps/{base}/tables", json=body)


def test_attachment_cannot_be_created_with_the_table(api: Api, base: str) -> None:
    body = {
        "table": {"name": "t", "fields": [TEXT, {"field_name": "附件", "type": 17}]}
    }
    assert api.fail("POST", f"/apps/{base}/tables", json=body)[:2] == (400, 99992402)


def test_field_count_rules_at_table_creation(api: Api, base: str) -> None:
    body = {"table": {"name": "t", "fields": []}}
    assert api.fail("POST", f"/apps/{base}/tables", json=body)[:2] == (400, 99992402)
    many = [{"field_name": f"f{i}", "type": 1} for i in range(301)]
    body = {"table": {"name": "t", "fields": many}}
    assert api.fail("POST", f"/apps/{base}/tables", json=body)[:2] == (200, 1254105)
    body = {"table": {"name": "t", "fields": many[:300]}}
    assert (
        len(api.ok("POST", f"/apps/{base}/tables", json=body)["field_id_list"]) == 300
    )
    body = {"table": {"name": "u", "fields": [TEXT, TEXT]}}
    assert api.fail("POST", f"/apps/{base}/tables", json=body)[:2] == (400, 1254014)


def test_list_tables_pages_through_100_tables(
    fs: FeishuSandbox, api: Api, base: str
) -> None:
    for index in range(100):
        api.ok(
            "POST", f"/apps/{base}/tables", json={"table": {"name": f"表{index:03d}"}}
        )
    status, code, _ = api.fail(
        "POST", f"/apps/{base}/tables", json={"table": {"name": "x"}}
    )
    assert (status, code) == (200, 1254100)

    first = api.ok("GET", f"/apps/{base}/tables")
    assert len(first["items"]) == 20
    assert first["has_more"] is True
    assert first["total"] == 100

    names, params = [], {"page_size": 30}
    while True:
        data = api.ok("GET", f"/apps/{base}/tables", params=params)
        names += [item["name"] for item in data["items"]]
        assert set(data["items"][0]) == {"table_id", "revision", "name"}
        if not data["has_more"]:
            break
        base64.urlsafe_b64decode(data["page_token"])
        params["page_token"] = data["page_token"]
    assert names == [f"表{index:03d}" for index in range(100)]
    assert "page_token" in data


def test_list_tables_page_size_bounds(api: Api, base: str) -> None:
    for size in ("0", "101", "x"):
        assert api.fail("GET", f"/apps/{base}/tables", params={"page_size": size})[
            :2
        ] == (
            400,
            99992402,
        )
    assert (
        api.ok("GET", f"/apps/{base}/tables", params={"page_size": 100})["items"] == []
    )


def test_delete_table_and_not_the_last_one(
    fs: FeishuSandbox, api: Api, base: str
) -> None:
    first = api.table(base, "a", [TEXT])
    second = api.table(base, "b", [TEXT])
    api.create(base, second, [{"名称": "x"}])
    assert api.ok("DELETE", f"/apps/{base}/tables/{second}") == {}
    assert fs.table_names(base) == ["a"]
    status, code, _ = api.fail("DELETE", f"/apps/{base}/tables/{first}")
    assert (status, code) == (403, 1254034)
    assert api.fail("DELETE", f"/apps/{base}/tables/{second}")[:2] == (200, 1254041)


def test_app_not_a_collaborator_answers_91403(fs: FeishuSandbox, api: Api) -> None:
    foreign = fs.create_base("Other", collaborators=["cli_other"])
    assert api.fail("GET", f"/apps/{foreign}/tables")[:2] == (403, 91403)
    body = {"table": {"name": "t"}}
    assert api.fail("POST", f"/apps/{foreign}/tables", json=body)[:2] == (403, 91403)
    assert Api(fs, "cli_other").ok("GET", f"/apps/{foreign}/tables")["total"] == 0


def test_read_only_base_answers_1254302_on_writes(fs: FeishuSandbox, api: Api) -> None:
    locked = fs.create_base("Locked", editable=False)
    assert api.ok("GET", f"/apps/{locked}/tables")["items"] == []
    body = {"table": {"name": "t"}}
    assert api.fail("POST", f"/apps/{locked}/tables", json=body)[:2] == (403, 1254302)


def test_unknown_base_answers_1254040(api: Api) -> None:
    assert api.fail("GET", "/apps/appUnknown/tables")[:2] == (200, 1254040)
