"""Tenant tokens: issue, the 30-minute reuse rule, expiry and token errors."""

from __future__ import annotations

import requests

from sandbox.feishu import FeishuSandbox
from tests.sandbox.test_feishu_support import (
    APP_ID,
    APP_SECRET,
    TOKEN_PATH,
    Api,
    api,
    base,
    fs,
)

__all__ = ["api", "base", "fs"]


def ask_token(
    fs: FeishuSandbox, app_id: str = APP_ID, secret: str = APP_SECRET
) -> dict:
    response = requests.post(
        fs.base_url + TOKEN_PATH,
        json={"app_id": app_id, "app_secret": secret},
        timeout=10,
    )
    assert response.status_code == 200
    return dict(response.json())


def test_token_is_issued_at_top_level_with_2h_expiry(fs: FeishuSandbox) -> None:
    reply = ask_token(fs)
    assert set(reply) == {"code", "msg", "tenant_access_token", "expire"}
    assert reply["code"] == 0
    assert reply["expire"] == 7200
    assert reply["tenant_access_token"].startswith("t-")
    assert len(reply["tenant_access_token"]) == 42


def test_same_token_while_30_minutes_or_more_remain(fs: FeishuSandbox) -> None:
    fs.freeze_clock()
    first = ask_token(fs)
    fs.advance_clock(5400)  # exactly 1800 s left
    second = ask_token(fs)
    assert second["tenant_access_token"] == first["tenant_access_token"]
    assert second["expire"] == 1800


def test_new_token_in_last_30_minutes_and_old_stays_valid(
    fs: FeishuSandbox, base: str
) -> None:
    fs.freeze_clock()
    first = ask_token(fs)
    fs.advance_clock(5401)
    second = ask_token(fs)
    assert second["tenant_access_token"] != first["tenant_access_token"]
    assert second["expire"] == 7200

    url = f"{fs.base_url}/open-apis/bitable/v1/apps/{base}/tables"
    for token in (first, second):
        headers = {"Authorization": f"Bearer {token['tenant_access_token']}"}
        assert requests.get(url, headers=headers, timeout=10).json()["code"] == 0

    fs.advance_clock(1799)  # the first token's own expiry
    old = {"Authorization": f"Bearer {first['tenant_access_token']}"}
    reply = requests.get(url, headers=old, timeout=10)
    assert (reply.status_code, reply.json()["code"]) == (400, 99991663)
    new = {"Authorization": f"Bearer {second['tenant_access_token']}"}
    assert requests.get(url, headers=new, timeout=10).json()["code"] == 0


def test_unknown_app_id_answers_10003(fs: FeishuSandbox) -> None:
    reply = ask_token(fs, app_id="cli_nobody")
    assert reply == {"code": 10003, "msg": "invalid param"}


def test_wrong_secret_answers_10014(fs: FeishuSandbox) -> None:
    reply = ask_token(fs, secret="wrong")
    assert reply == {"code": 10014, "msg": "app secret invalid"}


def test_missing_authorization_answers_99991661(fs: FeishuSandbox, base: str) -> None:
    url = f"{fs.base_url}/open-apis/bitable/v1/apps/{base}/tables"
    reply = requests.get(url, timeout=10)
    assert (reply.status_code, reply.json()["code"]) == (400, 99991661)


def test_unknown_token_answers_99991663(fs: FeishuSandbox, base: str) -> None:
    url = f"{fs.base_url}/open-apis/bitable/v1/apps/{base}/tables"
    reply = requests.get(url, headers={"Authorization": "Bearer t-forged"}, timeout=10)
    assert (reply.status_code, reply.json()["code"]) == (400, 99991663)


def test_expire_tokens_invalidates_and_reissues(api: Api, base: str) -> None:
    api.fs.expire_tokens()
    assert api.fail("GET", f"/apps/{base}/tables")[:2] == (400, 99991663)
    fresh = Api(api.fs)
    assert fresh.token != api.token
    assert fresh.ok("GET", f"/apps/{base}/tables")["items"] == []


def test_token_errors_can_come_with_http_200(api: Api, base: str) -> None:
    api.fs.faults.token_error_http_status = 200
    api.fs.expire_tokens()
    assert api.fail("GET", f"/apps/{base}/tables")[:2] == (200, 99991663)


def test_every_answer_has_a_log_id_and_envelope(api: Api, base: str) -> None:
    response = api.call("GET", f"/apps/{base}/tables")
    assert response.headers["X-Tt-Logid"]
    assert set(response.json()) == {"code", "msg", "data"}
    assert response.headers["Content-Type"].startswith("application/json")


def test_calls_and_call_log_record_each_request(api: Api, base: str) -> None:
    api.call("GET", f"/apps/{base}/tables")
    api.call("GET", "/apps/nope/tables/x/unknown")
    assert api.fs.calls["token"] == 1
    assert api.fs.calls["tables_list"] == 1
    assert api.fs.calls["unknown"] == 1
    last = api.fs.call_log[-1]
    assert (last.endpoint, last.http_status, last.code) == ("unknown", 404, 99991201)
