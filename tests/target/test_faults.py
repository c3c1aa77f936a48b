"""Every sandbox fault, with the exact outcome: rows once, errors that name the fix."""

from __future__ import annotations

import logging
import time

import pytest
from singer_sdk.exceptions import ConfigValidationError, FatalAPIError

from tests.target.conftest import APP_ID, APP_SECRET, Feishu, run_target, singer
from tests.target.helpers import TICKET_SCHEMA, by_order, ticket, ticket_row

TABLE = "影票销售明细"
RECORDS = [ticket(f"R{n:03d}", "2026-12-01") for n in range(30)]
ROWS = by_order([ticket_row(f"R{n:03d}", "2026-12-01") for n in range(30)])
TEXT = singer("ticket_orders", TICKET_SCHEMA, RECORDS)


@pytest.mark.parametrize(
    ("fault", "endpoints"),
    [
        ("rate_limited_429", {"batch_create"}),
        ("rate_limited_1254290", {"batch_create"}),
        ("write_conflicts", {"batch_create"}),
        ("data_not_ready", {"batch_create"}),
        ("commit_then_timeout", {"batch_create"}),
        ("html_502", {"batch_create"}),
        ("server_errors", {"batch_create"}),
        ("token_expired", {"batch_create"}),
        ("rate_limited_429", {"tables_list"}),
        ("server_errors", {"tables_create"}),
        ("html_502", {"token"}),
    ],
)
def test_transient_fault_is_retried_to_exactly_one_copy(
    feishu: Feishu, fault: str, endpoints: set[str]
) -> None:
    fs = feishu.sandbox
    fs.faults.endpoints = endpoints
    # An expired token is refreshed and the request replayed once (see below).
    setattr(fs.faults, fault, 1 if fault == "token_expired" else 2)

    run_target(feishu.config(), TEXT)

    # A replayed client_token is answered from the first commit: no second fault.
    expected = 1 if fault in {"commit_then_timeout", "token_expired"} else 2
    assert fs.faults.injected[fault] == expected
    assert by_order(fs.rows(feishu.app_token, TABLE)) == ROWS
    assert fs.table_names(feishu.app_token) == [TABLE]


def test_commit_then_dropped_connection_writes_one_copy(feishu: Feishu) -> None:
    fs = feishu.sandbox
    fs.faults.endpoints = {"batch_create"}
    fs.faults.commit_then_timeout = 1
    fs.faults.commit_then_drop = True

    run_target(feishu.config(), TEXT)

    assert fs.faults.injected["commit_then_timeout"] == 1
    assert by_order(fs.rows(feishu.app_token, TABLE)) == ROWS


def test_replay_answered_with_1254608_counts_as_written(feishu: Feishu) -> None:
    fs = feishu.sandbox
    fs.faults.endpoints = {"batch_create"}
    fs.faults.commit_then_timeout = 1
    fs.faults.replay_answers_1254608 = True

    run_target(feishu.config(), TEXT)

    assert by_order(fs.rows(feishu.app_token, TABLE)) == ROWS


def test_token_expiry_mid_run_refreshes_and_replays(feishu: Feishu) -> None:
    fs = feishu.sandbox
    run_target(feishu.config(), TEXT)
    fs.expire_tokens()
    fs.faults.token_error_http_status = 200

    run_target(feishu.config(), TEXT)

    assert by_order(fs.rows(feishu.app_token, TABLE)) == ROWS


def test_token_refused_again_after_refresh_fails(feishu: Feishu) -> None:
    fs = feishu.sandbox
    fs.faults.endpoints = {"batch_create"}
    fs.faults.token_expired = 2

    with pytest.raises(FatalAPIError) as caught:
        run_target(feishu.config(), TEXT)

    assert "code 99991663: the tenant token was refused again" in str(caught.value)
    assert fs.faults.injected["token_expired"] == 2
    assert fs.calls["token"] == 2


def test_persistent_server_errors_fail_naming_the_endpoint(feishu: Feishu) -> None:
    fs = feishu.sandbox
    fs.faults.endpoints = {"batch_create"}
    fs.faults.server_errors = 100

    with pytest.raises(FatalAPIError) as caught:
        run_target(feishu.config(), TEXT)

    assert "records/batch_create failed after 8 tries" in str(caught.value)
    assert fs.faults.injected["server_errors"] == 8
    assert fs.rows(feishu.app_token, TABLE) == []


def test_app_not_a_collaborator_names_the_menu(feishu: Feishu) -> None:
    other = feishu.sandbox.create_base("别人的表", collaborators=[])

    with pytest.raises(FatalAPIError) as caught:
        run_target(feishu.config(app_token=other), TEXT)

    message = str(caught.value)
    assert f"the app {APP_ID} is not a collaborator" in message
    assert "添加文档应用" in message


def test_bad_secret_names_the_settings(feishu: Feishu) -> None:
    with pytest.raises(FatalAPIError) as caught:
        run_target(feishu.config(app_secret="wrong-secret-value"), TEXT)

    assert "code 10014" in str(caught.value)
    assert "check the app_id and app_secret settings" in str(caught.value)
    assert "wrong-secret-value" not in str(caught.value)


def test_bad_app_id_names_the_settings(feishu: Feishu) -> None:
    with pytest.raises(FatalAPIError) as caught:
        run_target(feishu.config(app_id="cli_nobody"), TEXT)

    assert "code 10003" in str(caught.value)
    assert "check the app_id and app_secret settings" in str(caught.value)


def test_wiki_node_resolves_to_its_base(feishu: Feishu) -> None:
    node = feishu.sandbox.create_wiki_node(feishu.app_token)

    run_target(feishu.config(app_token=None, wiki_node_token=node), TEXT)

    assert by_order(feishu.sandbox.rows(feishu.app_token, TABLE)) == ROWS
    assert feishu.sandbox.calls["get_node"] == 1


def test_wiki_node_that_is_not_a_base_names_the_setting(feishu: Feishu) -> None:
    node = feishu.sandbox.create_wiki_node(feishu.app_token, obj_type="docx")

    with pytest.raises(ConfigValidationError) as caught:
        run_target(feishu.config(app_token=None, wiki_node_token=node), TEXT)

    assert f"wiki_node_token {node!r} points to a docx node" in str(caught.value)


def test_both_destinations_is_a_config_error(feishu: Feishu) -> None:
    with pytest.raises(ConfigValidationError) as caught:
        run_target(feishu.config(wiki_node_token="wikX"), TEXT)

    assert "set exactly one of app_token and wiki_node_token" in str(caught.value)


def test_data_not_ready_after_schema_change_is_retried(feishu: Feishu) -> None:
    fs = feishu.sandbox
    fs.faults.data_not_ready_after_schema_change = True

    run_target(feishu.config(), TEXT)

    assert fs.faults.injected["data_not_ready_after_schema_change"] >= 1
    assert by_order(fs.rows(feishu.app_token, TABLE)) == ROWS


def test_monthly_quota_exhausted_is_fatal_and_named(feishu: Feishu) -> None:
    fs = feishu.sandbox
    fs.faults.monthly_quota_exhausted = True

    with pytest.raises(FatalAPIError) as caught:
        run_target(feishu.config(), TEXT)

    assert "code 99991403" in str(caught.value)
    assert "monthly API quota is exhausted" in str(caught.value)


def test_token_is_refreshed_five_minutes_before_expiry(feishu: Feishu) -> None:
    from target_feishu.client import FeishuClient

    client = FeishuClient(
        base_url=feishu.base_url,
        app_id=APP_ID,
        app_secret=APP_SECRET,
        timeout=5,
        logger=logging.getLogger("test"),
    )
    first = client.tenant_token()
    assert client.tenant_token() == first
    assert feishu.sandbox.calls["token"] == 1

    # Pretend only 200 s are left: the next call asks Feishu again.
    client._token_expires_at = time.monotonic() + 200
    client.tenant_token()

    assert feishu.sandbox.calls["token"] == 2


def test_batch_size_over_1000_is_a_config_error(feishu: Feishu) -> None:
    with pytest.raises(ConfigValidationError) as caught:
        run_target(feishu.config(batch_size=1001), TEXT)

    assert "batch_size 1001 must be 1..1000" in str(caught.value)
