"""batch_create / batch_delete limits, client_token replays and record ids."""

from __future__ import annotations

import uuid

import pytest

from sandbox.feishu import FeishuSandbox
from tests.sandbox.test_feishu_support import Api, api, base, fs, start_sandbox

__all__ = ["api", "base", "fs"]


@pytest.fixture
def table(api: Api, base: str) -> str:
    return api.table(
        base, "t", [{"field_name": "名称", "type": 1}, {"field_name": "n", "type": 2}]
    )


def rows(count: int, start: int = 0) -> list[dict[str, object]]:
    return [{"名称": f"r{i}", "n": i} for i in range(start, start + count)]


def post_create(api: Api, base: str, table: str, count: int, token: str | None) -> dict:
    params = {"client_token": token} if token else {}
    response = api.call(
        "POST",
        f"/apps/{base}/tables/{table}/records/batch_create",
        params=params,
        json={"records": [{"fields": row} for row in rows(count)]},
    )
    return {"status": response.status_code, **response.json()}


def test_batch_create_answers_records_in_request_order(
    fs: FeishuSandbox, api: Api, base: str, table: str
) -> None:
    records = api.create(base, table, rows(1000))
    assert [r["fields"]["n"] for r in records] == list(range(1000))
    assert len({r["record_id"] for r in records}) == 1000
    assert all(r["record_id"] == r["id"] for r in records)
    assert fs.rows(base, "t") == rows(1000)


def test_more_than_max_batch_records_answers_1254104(
    fs: FeishuSandbox, api: Api, base: str, table: str
) -> None:
    answer = post_create(api, base, table, 1001, str(uuid.uuid4()))
    assert (answer["status"], answer["code"]) == (200, 1254104)
    assert fs.rows(base, "t") == []


def test_max_batch_records_knob_lowers_the_limit() -> None:
    fs = start_sandbox(max_batch_records=500)
    try:
        api = Api(fs)
        base = fs.create_base("b")
        table = api.table(
            base,
            "t",
            [{"field_name": "名称", "type": 1}, {"field_name": "n", "type": 2}],
        )
        assert post_create(api, base, table, 501, None)["code"] == 1254104
        assert post_create(api, base, table, 500, None)["code"] == 0
    finally:
        fs.stop()


def test_empty_or_malformed_records_answer_1254001(
    api: Api, base: str, table: str
) -> None:
    path = f"/apps/{base}/tables/{table}/records/batch_create"
    for body in ({"records": []}, {}, {"records": {"fields": {}}}, {"records": [1]}):
        assert api.fail("POST", path, json=body)[:2] == (200, 1254001)


def test_client_token_must_be_uuid4(api: Api, base: str, table: str) -> None:
    for token in ("abc", str(uuid.uuid1()), "00000000-0000-0000-0000-000000000000"):
        answer = post_create(api, base, table, 1, token)
        assert (answer["status"], answer["code"]) == (400, 1254037)


def test_replay_with_same_body_returns_original_data_and_writes_nothing(
    fs: FeishuSandbox, api: Api, base: str, table: str
) -> None:
    token = str(uuid.uuid4())
    first = post_create(api, base, table, 3, token)
    again = post_create(api, base, table, 3, token)
    assert again == first
    assert len(fs.rows(base, "t")) == 3


def test_replay_knob_answers_1254608(
    fs: FeishuSandbox, api: Api, base: str, table: str
) -> None:
    fs.faults.replay_answers_1254608 = True
    token = str(uuid.uuid4())
    assert post_create(api, base, table, 3, token)["code"] == 0
    again = post_create(api, base, table, 3, token)
    assert (again["status"], again["code"]) == (403, 1254608)
    assert len(fs.rows(base, "t")) == 3


def test_same_token_different_body_answers_1255006(
    fs: FeishuSandbox, api: Api, base: str, table: str
) -> None:
    token = str(uuid.uuid4())
    assert post_create(api, base, table, 3, token)["code"] == 0
    other = post_create(api, base, table, 4, token)
    assert (other["status"], other["code"]) == (400, 1255006)
    assert len(fs.rows(base, "t")) == 3


def test_replay_memory_lasts_24_hours(
    fs: FeishuSandbox, api: Api, base: str, table: str
) -> None:
    token = str(uuid.uuid4())
    post_create(api, base, table, 2, token)
    fs.advance_clock(24 * 3600 + 1)
    api = Api(fs)
    assert post_create(api, base, table, 2, token)["code"] == 0
    assert len(fs.rows(base, "t")) == 4


def test_batch_delete_removes_records(
    fs: FeishuSandbox, api: Api, base: str, table: str
) -> None:
    ids = [r["record_id"] for r in api.create(base, table, rows(5))]
    data = api.ok(
        "POST",
        f"/apps/{base}/tables/{table}/records/batch_delete",
        json={"records": ids[1:3]},
    )
    assert data == {"records": [{"deleted": True, "record_id": i} for i in ids[1:3]]}
    assert [r["n"] for r in fs.rows(base, "t")] == [0, 3, 4]


def test_batch_delete_unknown_id_deletes_nothing(
    fs: FeishuSandbox, api: Api, base: str, table: str
) -> None:
    ids = [r["record_id"] for r in api.create(base, table, rows(2))]
    path = f"/apps/{base}/tables/{table}/records/batch_delete"
    status, code, msg = api.fail(
        "POST", path, json={"records": [ids[0], "recMissing1"]}
    )
    assert (status, code) == (200, 1254043)
    assert "recMissing1" in msg
    api.ok("POST", path, json={"records": ids[1:]})
    assert api.fail("POST", path, json={"records": ids[1:]})[:2] == (200, 1254043)
    assert fs.rows(base, "t") == rows(1)


def test_batch_delete_accepts_500_ids_at_most(
    fs: FeishuSandbox, api: Api, base: str, table: str
) -> None:
    ids = [r["record_id"] for r in api.create(base, table, rows(501))]
    path = f"/apps/{base}/tables/{table}/records/batch_delete"
    assert api.fail("POST", path, json={"records": ids})[:2] == (200, 1254104)
    api.ok("POST", path, json={"records": ids[:500]})
    assert fs.rows(base, "t") == rows(1, start=500)


def test_record_ids_of_another_table_are_not_found(
    api: Api, base: str, table: str
) -> None:
    other = api.table(base, "other", [{"field_name": "名称", "type": 1}])
    ids = [r["record_id"] for r in api.create(base, other, [{"名称": "x"}])]
    path = f"/apps/{base}/tables/{table}/records/batch_delete"
    assert api.fail("POST", path, json={"records": ids})[:2] == (200, 1254043)
