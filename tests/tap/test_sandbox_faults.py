"""Every gateway sandbox fault, with its exact outcome."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from singer_sdk.exceptions import FatalAPIError

from sandbox.yuekeyun import YuekeyunSandbox
from tap_yuekeyun.exceptions import DownloadUrlError, FileFormatError
from tests.tap.conftest import TapRun, business_today, run_tap, tap_config

STREAM = ("ticket_orders",)


@pytest.fixture
def baseline(gateway: YuekeyunSandbox) -> list[dict[str, Any]]:
    """C01 records of a fault-free run; counters reset afterwards."""
    records = run_tap(tap_config(gateway), streams=STREAM).records["ticket_orders"]
    gateway.reset_counters()
    gateway.faults.data_types = {"C01"}
    return records


def without_extraction_time(run: TapRun) -> list[dict[str, Any]]:
    return run.records.get("ticket_orders", [])


def yesterday() -> str:
    return (business_today() - dt.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("fault", "status", "code"),
    [
        ("gateway_errors", 500, "isp.InternalError"),
        ("gateway_busy", 503, "isp.ServiceBusy"),
        ("gateway_throttle", 429, "gw.QosAppFrequencyLimit"),
        ("gateway_html_502", 502, None),
    ],
)
def test_transient_gateway_faults_are_retried_to_success(
    gateway: YuekeyunSandbox,
    baseline: list[dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
    fault: str,
    status: int,
    code: str | None,
) -> None:
    setattr(gateway.faults, fault, 2)
    run = run_tap(tap_config(gateway), streams=STREAM)

    assert run.records["ticket_orders"] == baseline
    assert [(c.status, c.error_code) for c in gateway.calls] == [
        (status, code),
        (status, code),
        (200, None),
        (200, None),
    ]
    retries = [
        r.getMessage() for r in caplog.records if "retrying in" in r.getMessage()
    ]
    assert len(retries) == 2
    expected = (
        f"HTTP {status} {code}"
        if code
        else f"HTTP {status} -: non-JSON answer (text/html)"
    )
    assert all(expected in message for message in retries)


def test_persistent_gateway_errors_fail_after_four_tries(
    gateway: YuekeyunSandbox, baseline: list[dict[str, Any]]
) -> None:
    gateway.faults.gateway_errors = 10
    run = run_tap(tap_config(gateway), streams=STREAM, expect_error=True)

    assert isinstance(run.error, FatalAPIError)
    assert str(run.error) == (
        f"dme.lark.data.finance.getFinancialData (C01 day {yesterday()}, cinema 1001): "
        "HTTP 500 isp.InternalError: internal error, please retry "
        "(gave up after 4 tries)"
    )
    assert len(gateway.calls) == 4


def test_wrong_secret_names_the_setting(gateway: YuekeyunSandbox) -> None:
    config = tap_config(gateway, secret_key="not-the-secret")
    run = run_tap(config, streams=STREAM, expect_error=True)

    assert str(run.error) == (
        f"dme.lark.data.finance.getFinancialData (C01 day {yesterday()}, cinema 1001): "
        "HTTP 401 gw.SignatureInvalid: signature does not match the request "
        "parameters; check the secret_key setting"
    )
    assert len(gateway.calls) == 1


def test_unknown_app_key_names_the_setting(gateway: YuekeyunSandbox) -> None:
    run = run_tap(
        tap_config(gateway, app_key="nobody"), streams=STREAM, expect_error=True
    )

    assert "HTTP 401 gw.AppKeyNotExist" in str(run.error)
    assert str(run.error).endswith("; check the app_key setting")


def test_ungranted_cinema_is_fatal(gateway: YuekeyunSandbox) -> None:
    config = tap_config(gateway, cinema_link_id="9999")
    run = run_tap(config, streams=STREAM, expect_error=True)

    assert "HTTP 403 isv.PermissionDenied" in str(run.error)
    assert len(gateway.calls) == 1


def test_expired_url_asks_the_gateway_again_once(
    gateway: YuekeyunSandbox, baseline: list[dict[str, Any]]
) -> None:
    gateway.faults.expired_urls = 1
    run = run_tap(tap_config(gateway), streams=STREAM)

    assert run.records["ticket_orders"] == baseline
    assert [c.search_date for c in gateway.calls] == [
        yesterday(),
        yesterday(),
        business_today().isoformat(),
    ]
    assert [d.status for d in gateway.downloads] == [403, 200, 200]


def test_url_expired_twice_fails(
    gateway: YuekeyunSandbox, baseline: list[dict[str, Any]]
) -> None:
    gateway.faults.expired_urls = 2
    run = run_tap(tap_config(gateway), streams=STREAM, expect_error=True)

    assert str(run.error).endswith("HTTP 403 (expired) again with a fresh URL")
    assert str(run.error).startswith("File .../C01/")


def test_truncated_file_is_retried(
    gateway: YuekeyunSandbox, baseline: list[dict[str, Any]]
) -> None:
    gateway.faults.truncated_files = 2
    run = run_tap(tap_config(gateway), streams=STREAM)

    assert run.records["ticket_orders"] == baseline
    assert [d.fault for d in gateway.downloads] == [
        "truncated_files",
        "truncated_files",
        None,
        None,
    ]


@pytest.mark.parametrize(
    ("fault", "message_end"),
    [
        ("bad_ciphertext_length", "not a positive multiple of 16"),
        ("bad_ciphertext_padding", "has an invalid PKCS#7 pad (wrong key?)"),
        ("garbage_url", "decrypts to non-ASCII bytes (wrong key?)"),
    ],
)
def test_bad_ciphertexts_stop_the_run(
    gateway: YuekeyunSandbox,
    baseline: list[dict[str, Any]],
    fault: str,
    message_end: str,
) -> None:
    setattr(gateway.faults, fault, 1)
    run = run_tap(tap_config(gateway), streams=STREAM, expect_error=True)

    assert isinstance(run.error, DownloadUrlError)
    assert str(run.error).startswith(f"Download URL of C01 day {yesterday()} ")
    assert str(run.error).endswith(message_end)
    assert gateway.downloads == []
    assert "ticket_orders" not in run.records


def test_foreign_host_is_never_fetched(
    gateway: YuekeyunSandbox, baseline: list[dict[str, Any]]
) -> None:
    gateway.faults.foreign_host_url = 1
    run = run_tap(tap_config(gateway), streams=STREAM, expect_error=True)

    assert str(run.error) == (
        f"Download URL of C01 day {yesterday()} points at host 'evil.example.invalid', "
        "which no pattern of download_hosts ['127.0.0.1'] matches; refusing to fetch it"
    )
    assert gateway.downloads == []


def test_invalid_gbk_bytes_stop_the_run(
    gateway: YuekeyunSandbox, baseline: list[dict[str, Any]]
) -> None:
    gateway.faults.invalid_gbk_files = 1
    run = run_tap(tap_config(gateway), streams=STREAM, expect_error=True)

    assert isinstance(run.error, FileFormatError)
    message = str(run.error)
    assert message.startswith("File .../C01/")
    assert ": invalid GB18030 bytes at byte offset " in message
    assert "Signature" not in message
    assert "?" not in message


def test_ragged_row_stops_the_run(
    gateway: YuekeyunSandbox, baseline: list[dict[str, Any]]
) -> None:
    gateway.faults.ragged_row_files = 1
    run = run_tap(tap_config(gateway), streams=STREAM, expect_error=True)

    assert isinstance(run.error, FileFormatError)
    assert "cells, expected 67 (sample: " in str(run.error)
    assert run.records.get("ticket_orders", []) == []


def test_unknown_column_is_kept_with_one_warning(
    gateway: YuekeyunSandbox,
    baseline: list[dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    gateway.faults.unknown_column = "新增列"
    run = run_tap(tap_config(gateway), streams=STREAM)

    records = run.records["ticket_orders"]
    assert [{k: v for k, v in r.items() if k != "新增列"} for r in records] == baseline
    assert [r["新增列"] for r in records[:2]] == ["新增列-1", "新增列-2"]
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and "not in the registry" in r.getMessage()
    ]
    assert len(warnings) == 1
    assert "column '新增列'" in warnings[0]


def test_unknown_column_fails_when_asked(
    gateway: YuekeyunSandbox, baseline: list[dict[str, Any]]
) -> None:
    gateway.faults.unknown_column = "新增列"
    config = tap_config(gateway, on_unknown_column="fail")
    run = run_tap(config, streams=STREAM, expect_error=True)

    assert str(run.error).endswith(
        "unknown columns ['新增列'] for C01; add them to categories_file or set "
        "on_unknown_column to 'keep'"
    )


def test_utf8_bom_is_tolerated(
    gateway: YuekeyunSandbox, baseline: list[dict[str, Any]]
) -> None:
    gateway.faults.utf8_bom = True
    run = run_tap(tap_config(gateway), streams=STREAM)

    assert run.records["ticket_orders"] == baseline
    assert gateway.faults.injected["utf8_bom"] == 2


def test_header_only_files_give_no_rows(gateway: YuekeyunSandbox) -> None:
    gateway.faults.empty_as_header_only = True
    config = tap_config(gateway)
    run = run_tap(config, streams=("card_refunds", "ticket_orders"))

    refunds = run.records.get("card_refunds", [])
    expected = sum(
        len(
            gateway.expected_rows(
                "democs", "C12", business_today() - dt.timedelta(days=d)
            )
        )
        for d in (0, 1)
    )
    assert len(refunds) == expected
    assert len(gateway.downloads) >= 4
