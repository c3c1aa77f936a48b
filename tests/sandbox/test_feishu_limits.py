"""Rate limits, the per-table write lock, and every fault knob."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest
import requests

from sandbox.feishu import FeishuSandbox
from tests.sandbox.test_feishu_support import (
    TOKEN_PATH,
    Api,
    api,
    base,
    fs,
    start_sandbox,
)

__all__ = ["api", "base", "fs"]


@pytest.fixture
def limited() -> Any:
    sandbox = start_sandbox(rate_limits=True)
    sandbox.freeze_clock()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def table(api: Api, base: str) -> str:
    return api.table(base, "t", [{"field_name": "名称", "type": 1}])


def create_body(count: int = 2) -> dict[str, Any]:
    return {"records": [{"fields": {"名称": f"r{i}"}} for i in range(count)]}


def create(
    api: Api, base: str, table: str, token: str | None = None
) -> requests.Response:
    return api.call(
        "POST",
        f"/apps/{base}/tables/{table}/records/batch_create",
        params={"client_token": token or str(uuid.uuid4())},
        json=create_body(),
    )


def test_search_limit_is_20_per_second_with_headers(limited: FeishuSandbox) -> None:
    api = Api(limited)
    base = limited.create_base("b")
    table = api.table(base, "t", [{"field_name": "名称", "type": 1}])
    path = f"/apps/{base}/tables/{table}/records/search"
    for _ in range(20):
        api.ok("POST", path, json={})
    response = api.call("POST", path, json={})
    assert (response.status_code, response.json()["code"]) == (429, 99991400)
    assert response.headers["x-ogw-ratelimit-limit"] == "20"
    assert response.headers["x-ogw-ratelimit-reset"] == "1"
    limited.advance_clock(1.0)
    api.ok("POST", path, json={})


@pytest.mark.parametrize(
    ("endpoint_limit", "window"),
    [
        (("batch_create", 50), 1.0),
        (("tables_list", 20), 1.0),
        (("tables_create", 10), 1.0),
        (("fields_create", 10), 1.0),
        (("get_node", 100), 60.0),
    ],
)
def test_documented_limits(
    limited: FeishuSandbox, endpoint_limit: tuple[str, int], window: float
) -> None:
    endpoint, limit = endpoint_limit
    api = Api(limited)
    base = limited.create_base("b")
    node = limited.create_wiki_node(base)
    table = api.table(base, "t", [{"field_name": "名称", "type": 1}])

    created = iter(range(1000))
    limited.advance_clock(window)  # forget the setup calls

    def send() -> requests.Response:
        if endpoint == "batch_create":
            return create(api, base, table)
        if endpoint == "tables_create":
            body = {"table": {"name": f"t{next(created)}"}}
            return api.call("POST", f"/apps/{base}/tables", json=body)
        if endpoint == "fields_create":
            body = {"field_name": f"f{next(created)}", "type": 1}
            return api.call("POST", f"/apps/{base}/tables/{table}/fields", json=body)
        if endpoint == "tables_list":
            return api.call("GET", f"/apps/{base}/tables")
        return api.call(
            "GET", "/open-apis/wiki/v2/spaces/get_node", params={"token": node}
        )

    assert [send().status_code for _ in range(limit)] == [200] * limit
    over = send()
    assert (over.status_code, over.json()["code"]) == (429, 99991400)
    assert over.headers["x-ogw-ratelimit-limit"] == str(limit)
    assert over.headers["x-ogw-ratelimit-reset"] == str(int(window))
    limited.advance_clock(window)
    assert send().status_code == 200
    assert len(limited.rows(base, "t")) == (
        2 * (limit + 1) if endpoint == "batch_create" else 0
    )


def test_limits_are_per_app_and_token_is_unlimited(limited: FeishuSandbox) -> None:
    base = limited.create_base("b", collaborators=["cli_sandbox", "cli_other"])
    first, second = Api(limited), Api(limited, "cli_other")
    for _ in range(20):
        first.ok("GET", f"/apps/{base}/tables")
    assert first.call("GET", f"/apps/{base}/tables").status_code == 429
    assert second.call("GET", f"/apps/{base}/tables").status_code == 200
    for _ in range(60):
        reply = requests.post(
            limited.base_url + TOKEN_PATH,
            json={"app_id": "cli_sandbox", "app_secret": "sandbox-app-secret"},
            timeout=10,
        )
        assert reply.json()["code"] == 0


def test_limits_are_off_by_default(api: Api, base: str) -> None:
    for _ in range(30):
        api.ok("GET", f"/apps/{base}/tables")


def test_concurrent_writers_on_one_table_conflict(
    fs: FeishuSandbox, api: Api, base: str, table: str
) -> None:
    fs.faults.write_hold_ms = 2000
    answers: list[requests.Response] = []
    writer = threading.Thread(
        target=lambda: answers.append(create(Api(fs), base, table))
    )
    writer.start()
    for _ in range(500):
        if fs.writes_in_flight():
            break
        time.sleep(0.01)
    assert fs.writes_in_flight() == 1

    fs.faults.write_hold_ms = 0
    second = create(api, base, table)
    assert (second.status_code, second.json()["code"]) == (200, 1254291)
    other = api.table(base, "other", [{"field_name": "名称", "type": 1}])
    assert create(api, base, other).json()["code"] == 0  # the lock is per table
    writer.join()
    assert answers[0].json()["code"] == 0
    assert fs.rows(base, "t") == [{"名称": "r0"}, {"名称": "r1"}]


@pytest.mark.parametrize(
    ("fault", "status", "code"),
    [
        ("rate_limited_429", 429, 99991400),
        ("rate_limited_1254290", 200, 1254290),
        ("write_conflicts", 200, 1254291),
        ("data_not_ready", 400, 1254607),
        ("server_errors", 500, 1255001),
        ("token_expired", 400, 99991663),
    ],
)
def test_counted_faults_hit_the_next_n_calls_then_stop(
    fs: FeishuSandbox,
    api: Api,
    base: str,
    table: str,
    fault: str,
    status: int,
    code: int,
) -> None:
    setattr(fs.faults, fault, 2)
    for _ in range(2):
        response = create(api, base, table)
        assert (response.status_code, response.json()["code"]) == (status, code)
    assert create(api, base, table).json()["code"] == 0
    assert fs.faults.injected[fault] == 2
    assert getattr(fs.faults, fault) == 0
    assert len(fs.rows(base, "t")) == 2
    if fault == "rate_limited_429":
        assert response.headers["x-ogw-ratelimit-limit"] == "50"


def test_fault_endpoint_filter(
    fs: FeishuSandbox, api: Api, base: str, table: str
) -> None:
    fs.faults.server_errors = 1
    fs.faults.endpoints = {"search"}
    assert create(api, base, table).json()["code"] == 0
    path = f"/apps/{base}/tables/{table}/records/search"
    assert api.fail("POST", path, json={})[:2] == (500, 1255001)
    assert api.ok("POST", path, json={})["total"] == 2


def test_write_faults_do_not_hit_reads(
    fs: FeishuSandbox, api: Api, base: str, table: str
) -> None:
    fs.faults.write_conflicts = 1
    fs.faults.commit_then_timeout = 1
    api.ok("POST", f"/apps/{base}/tables/{table}/records/search", json={})
    api.ok("GET", f"/apps/{base}/tables")
    assert fs.faults.injected == {}


def test_commit_then_timeout_then_retry_leaves_one_copy(
    fs: FeishuSandbox, api: Api, base: str, table: str
) -> None:
    fs.faults.commit_then_timeout = 1
    token = str(uuid.uuid4())
    first = create(api, base, table, token)
    assert (first.status_code, first.json()["code"]) == (504, 1255040)
    assert len(fs.rows(base, "t")) == 2
    retry = create(api, base, table, token)
    assert retry.json()["code"] == 0
    assert fs.rows(base, "t") == [{"名称": "r0"}, {"名称": "r1"}]
    ids = [r["record_id"] for r in retry.json()["data"]["records"]]
    search = api.ok("POST", f"/apps/{base}/tables/{table}/records/search", json={})
    assert [i["record_id"] for i in search["items"]] == ids


def test_commit_then_drop_closes_without_answer(
    fs: FeishuSandbox, api: Api, base: str, table: str
) -> None:
    fs.faults.commit_then_timeout = 1
    fs.faults.commit_then_drop = True
    token = str(uuid.uuid4())
    with pytest.raises(requests.ConnectionError):
        create(api, base, table, token)
    assert len(fs.rows(base, "t")) == 2
    assert create(api, base, table, token).json()["code"] == 0
    assert len(fs.rows(base, "t")) == 2
    assert fs.call_log[-2].endpoint == "batch_create"


def test_html_502_is_not_json(
    fs: FeishuSandbox, api: Api, base: str, table: str
) -> None:
    fs.faults.html_502 = 1
    response = create(api, base, table)
    assert response.status_code == 502
    assert response.headers["Content-Type"] == "text/html"
    assert response.text.startswith("<html>")
    assert fs.rows(base, "t") == []


def test_data_not_ready_after_schema_change_is_one_shot(
    fs: FeishuSandbox, api: Api, base: str
) -> None:
    fs.faults.data_not_ready_after_schema_change = True
    table = api.table(base, "t", [{"field_name": "名称", "type": 1}])
    first = create(api, base, table)
    assert (first.status_code, first.json()["code"]) == (400, 1254607)
    assert create(api, base, table).json()["code"] == 0
    api.ok(
        "POST",
        f"/apps/{base}/tables/{table}/fields",
        json={"field_name": "x", "type": 2},
    )
    assert create(api, base, table).json()["code"] == 1254607
    assert create(api, base, table).json()["code"] == 0
    assert len(fs.rows(base, "t")) == 4


def test_monthly_quota_exhausted(fs: FeishuSandbox, api: Api, base: str) -> None:
    fs.faults.monthly_quota_exhausted = True
    assert api.fail("GET", f"/apps/{base}/tables")[:2] == (400, 99991403)
    fs.faults.monthly_quota_exhausted = False
    api.ok("GET", f"/apps/{base}/tables")
