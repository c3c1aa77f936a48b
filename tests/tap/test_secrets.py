"""No secret reaches stdout, stderr, logs, state or exception texts."""

from __future__ import annotations

import logging
import re

import pytest

from sandbox.yuekeyun import YuekeyunSandbox
from tests.tap.conftest import SECRET_KEY, run_tap, tap_config

LEAKS = re.compile(
    r"_aop_signature=[0-9A-Fa-f]{8}|Signature=(?!<redacted>)|OSSAccessKeyId=(?!<redacted>)"
    r"|Expires=(?!<redacted>)\d"
)


def assert_clean(text: str, gateway: YuekeyunSandbox) -> None:
    assert SECRET_KEY not in text
    assert gateway.oss_access_key_id not in text
    assert LEAKS.search(text) is None, LEAKS.search(text)


def test_debug_run_with_faults_leaks_no_secret(
    gateway: YuekeyunSandbox,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    gateway.faults.gateway_errors = 1
    gateway.faults.expired_urls = 1
    gateway.faults.truncated_files = 1
    run = run_tap(tap_config(gateway), streams=("ticket_orders", "screenings"))
    captured = capfd.readouterr()

    logs = "\n".join(record.getMessage() for record in caplog.records)
    assert "GET file .../C01/" in logs
    assert "retrying in" in logs
    assert "_aop_signature=<redacted>" in logs  # urllib3's request lines, redacted
    for text in (run.stdout, captured.out, captured.err, logs):
        assert_clean(text, gateway)


@pytest.mark.parametrize(
    "fault", ["invalid_gbk_files", "foreign_host_url", "ragged_row_files"]
)
def test_error_messages_leak_no_secret(
    gateway: YuekeyunSandbox,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    fault: str,
) -> None:
    setattr(gateway.faults, fault, 1)
    run = run_tap(tap_config(gateway), streams=("ticket_orders",), expect_error=True)
    captured = capfd.readouterr()

    logs = "\n".join(record.getMessage() for record in caplog.records)
    for text in (str(run.error), repr(run.error), run.stdout, captured.err, logs):
        assert_clean(text, gateway)


def test_connection_failure_message_has_no_signed_url(
    gateway: YuekeyunSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    gateway.stop()
    run = run_tap(tap_config(gateway), streams=("ticket_orders",), expect_error=True)

    assert str(run.error).endswith(
        "ConnectionError talking to the gateway (gave up after 4 tries)"
    )
    assert run.error is not None
    assert run.error.__cause__ is None
    logs = "\n".join(record.getMessage() for record in caplog.records)
    for text in (str(run.error), logs):
        assert_clean(text, gateway)
