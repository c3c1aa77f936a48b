"""Whole runs: console script, SIGKILL mid-run, rate limits, secrets in output."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from sandbox.feishu import FeishuSandbox
from tests.target.conftest import (
    APP_ID,
    APP_SECRET,
    Feishu,
    run_target,
    singer,
)
from tests.target.helpers import TICKET_SCHEMA, by_order, ticket, ticket_row

TARGET = str(Path(sys.executable).parent / "target-feishu")
TABLE = "影票销售明细"


def write_config(tmp_path: Path, config: dict) -> Path:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


def test_console_script_loads_and_prints_state(feishu: Feishu, tmp_path: Path) -> None:
    records = [ticket("A", "2026-12-01"), ticket("B", "2026-12-02")]
    state = {"bookmarks": {"t": {"replication_key_value": "2026-12-02"}}}
    text = singer("t", TICKET_SCHEMA, records, state=state)

    done = subprocess.run(
        [TARGET, "--config", str(write_config(tmp_path, feishu.config()))],
        input=text,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert [json.loads(line) for line in done.stdout.splitlines()] == [state]
    assert by_order(feishu.sandbox.rows(feishu.app_token, TABLE)) == [
        ticket_row("A", "2026-12-01"),
        ticket_row("B", "2026-12-02"),
    ]
    assert APP_SECRET not in done.stderr


def test_sigkill_mid_run_then_rerun_loses_and_duplicates_nothing(
    tmp_path: Path,
) -> None:
    fs = FeishuSandbox(
        db_path=None, apps={APP_ID: APP_SECRET}, rate_limits=False, latency_ms=40
    )
    base_url = fs.start()
    try:
        app_token = fs.create_base("影院经营", collaborators=[APP_ID])
        feishu = Feishu(fs, base_url, app_token)
        days = ["2026-12-01", "2026-12-02", "2026-12-03"]
        old = [ticket(f"OLD{d}{n:04d}", d) for d in days for n in range(1500)]
        run_target(feishu.config(), singer("t", TICKET_SCHEMA, old))
        new = [ticket(f"NEW{d}{n:04d}", d, price=50) for d in days for n in range(1500)]
        text = singer("t", TICKET_SCHEMA, new)
        config = write_config(tmp_path, feishu.config(batch_size_rows=1000))
        writes_before = fs.calls["batch_create"]

        process = subprocess.Popen(
            [TARGET, "--config", str(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        feeder = threading.Thread(target=_feed, args=(process, text))
        feeder.start()
        deadline = time.monotonic() + 60
        while fs.calls["batch_create"] < writes_before + 3:
            assert time.monotonic() < deadline, "the target never wrote"
            time.sleep(0.005)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        feeder.join(timeout=30)
        assert process.returncode == -signal.SIGKILL
        interrupted = len(fs.rows(app_token, TABLE))
        assert interrupted > len(old)  # new rows landed before the old were deleted

        run_target(feishu.config(), text)

        rows = fs.rows(app_token, TABLE)
        assert len(rows) == len(new)
        assert by_order(rows) == by_order(
            [
                ticket_row(f"NEW{d}{n:04d}", d, price=50)
                for d in days
                for n in range(1500)
            ]
        )
    finally:
        fs.stop()


def _feed(process: subprocess.Popen, text: str) -> None:
    try:
        assert process.stdin is not None
        process.stdin.write(text)
        process.stdin.close()
    except (BrokenPipeError, OSError):
        pass


def test_rate_limited_load_of_20000_rows_retries_every_429() -> None:
    fs = FeishuSandbox(
        db_path=None, apps={APP_ID: APP_SECRET}, rate_limits=True, latency_ms=0
    )
    base_url = fs.start()
    try:
        app_token = fs.create_base("影院经营", collaborators=[APP_ID])
        feishu = Feishu(fs, base_url, app_token)
        # Two targets of the same app at once: together above the 50/s limit.
        errors: list[BaseException] = []

        def load(cinema: str) -> None:
            records = [
                ticket(f"{cinema}-{n:05d}", "2026-12-01", cinema) for n in range(10_000)
            ]
            try:
                run_target(
                    feishu.config(
                        batch_size=100, table_name_template="{name} {cinema}"
                    ),
                    singer("t", TICKET_SCHEMA, records),
                    capture=False,
                )
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=load, args=(c,)) for c in ("1001", "1002")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert errors == []
        for cinema in ("1001", "1002"):
            rows = fs.rows(app_token, f"{TABLE} {cinema}")
            assert len(rows) == 10_000
            assert len({row["订单号"] for row in rows}) == 10_000
        limited = [n for n, call in enumerate(fs.call_log) if call.http_status == 429]
        assert limited, "the two targets should have hit the limit"
        for index in limited:
            call = fs.call_log[index]
            later = fs.call_log[index + 1 :]
            assert any(
                c.endpoint == call.endpoint and c.http_status == 200 and c.code == 0
                for c in later
            )
    finally:
        fs.stop()


def test_no_secret_or_token_in_logs_state_or_errors(
    feishu: Feishu, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = requests.post(
        f"{feishu.base_url}/open-apis/auth/v3/tenant_access_token/internal",
        json={"app_id": APP_ID, "app_secret": APP_SECRET},
        timeout=5,
    ).json()["tenant_access_token"]
    fs = feishu.sandbox
    fs.faults.token_expired = 1
    fs.faults.server_errors = 2
    records = [ticket(f"S{n}", "2026-12-01") for n in range(20)]
    states = run_target(
        feishu.config(), singer("t", TICKET_SCHEMA, records, state={"bookmarks": {}})
    )
    fs.faults.server_errors = 50
    with pytest.raises(Exception) as caught:  # noqa: PT011 - any failure will do
        run_target(feishu.config(), singer("t", TICKET_SCHEMA, records))

    captured = capsys.readouterr()
    text = "\n".join(
        [caplog.text, captured.out, captured.err, json.dumps(states), str(caught.value)]
        + [str(r.args) for r in caplog.records]
    )
    assert fs.faults.injected["token_expired"] == 1
    assert "tenant token expired" in caplog.text
    assert APP_SECRET not in text
    assert token not in text
    assert "Bearer" not in text


def test_console_script_failure_exits_non_zero_naming_the_fix(
    feishu: Feishu, tmp_path: Path
) -> None:
    config = feishu.config(app_secret="definitely-wrong-secret")
    text = singer("t", TICKET_SCHEMA, [ticket("A", "2026-12-01")])

    done = subprocess.run(
        [TARGET, "--config", str(write_config(tmp_path, config))],
        input=text,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 1
    assert "code 10014" in done.stderr
    assert "check the app_id and app_secret settings" in done.stderr
    assert "definitely-wrong-secret" not in done.stderr + done.stdout
    assert done.stdout == ""
