"""The harness's own parts: comparison, fault schedule, kills, failure reading."""

from __future__ import annotations

import random
import signal
import sys
from pathlib import Path

import pytest

from tests.chaos.compare import canonical_value, compare_rows
from tests.chaos.failures import explain, reason_key
from tests.chaos.faults import FEISHU_FAULTS, GATEWAY_FAULTS, apply_plan, draw_plan
from tests.chaos.process import Kill, run_job
from tests.chaos.sandboxes import count_retries

ROW = {"销售时间": "2026-11-30 10:15:00", "票价": "35.00", "票号": "007", "备注": ""}


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        ("2026-11-30 10:15:00", "1796004900000"),
        ("2026-11-30T10:15:00+08:00", "1796004900000"),
        ("2026-11-30T02:15:00Z", "1796004900000"),
        (1796004900000, "1796004900000"),
        ("2026-11-30", "1795968000000"),
        ("35.00", "35"),
        (35.0, "35"),
        (35, "35"),
        ("0.10", "0.1"),
        ("007", "007"),
        ("", None),
        (None, None),
        ("影厅 1", "影厅 1"),
    ],
)
def test_canonical_value(value: object, canonical: str | None) -> None:
    assert canonical_value(value) == canonical


def test_equal_rows_in_feishu_shape_compare_clean() -> None:
    feishu = {"销售时间": 1796004900000, "票价": 35, "票号": "007"}
    result = compare_rows("t", [ROW], [feishu])
    assert (result.missing, result.duplicated, result.wrong) == (0, 0, 0)
    assert (result.rows_expected, result.rows_actual) == (1, 1)


def test_missing_duplicated_and_wrong_rows_are_counted_apart() -> None:
    other = {**ROW, "票号": "008"}
    third = {**ROW, "票号": "009"}
    wrong = {**ROW, "票号": "009", "票价": 36}
    result = compare_rows("t", [ROW, other, third], [ROW, ROW, ROW, wrong])

    assert result.duplicated == 2  # ROW twice too many
    assert result.missing == 2  # other, and third (its copy is wrong)
    assert result.wrong == 1
    assert sorted(example.kind for example in result.examples) == [
        "duplicated",
        "missing",
        "missing",
        "wrong",
    ]


def test_a_code_that_lost_its_leading_zeros_is_wrong() -> None:
    result = compare_rows("t", [ROW], [{**ROW, "票号": 7}])
    assert (result.missing, result.wrong) == (1, 1)


def test_metadata_columns_are_ignored_only_when_named() -> None:
    feishu = {**ROW, "_business_date": 1795968000000}
    assert compare_rows("t", [ROW], [feishu], ignored=["_business_date"]).clean
    assert not compare_rows("t", [ROW], [feishu]).clean


def test_fault_plans_replay_from_the_seed() -> None:
    first = [draw_plan(random.Random(7), 10.0) for _ in range(3)]
    again = [draw_plan(random.Random(7), 10.0) for _ in range(3)]
    assert [plan.describe() for plan in first] == [plan.describe() for plan in again]


def test_fault_plans_name_only_known_knobs() -> None:
    rng = random.Random(3)
    plans = [draw_plan(rng, 10.0) for _ in range(200)]
    assert set().union(*(plan.gateway for plan in plans)) == set(GATEWAY_FAULTS)
    assert set().union(*(plan.feishu for plan in plans)) == set(FEISHU_FAULTS)
    kills = {plan.kill.name for plan in plans if plan.kill is not None}
    assert kills == {"SIGKILL", "SIGTERM"}


def test_apply_plan_resets_every_knob_first() -> None:
    class Knobs:
        pass

    gateway, feishu = Knobs(), Knobs()
    for name in GATEWAY_FAULTS:
        setattr(gateway, name, 9)
    plan = draw_plan(random.Random(1), 10.0)
    apply_plan(plan, gateway, feishu)

    assert {name: getattr(gateway, name) for name in GATEWAY_FAULTS} == {
        name: plan.gateway.get(name, 0) for name in GATEWAY_FAULTS
    }


def _sleeper(tmp_path: Path) -> list[str]:
    script = tmp_path / "sleeper.py"
    # The parent starts a child in its own group; both must die with the group.
    script.write_text(
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; "
        "time.sleep(60)'])\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(60)\n",
        encoding="utf-8",
    )
    return [sys.executable, str(script)]


@pytest.mark.parametrize("signal_number", [signal.SIGKILL, signal.SIGTERM])
def test_a_kill_reaches_the_whole_process_group(
    tmp_path: Path, signal_number: int
) -> None:
    result = run_job(
        _sleeper(tmp_path),
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin"},
        log_dir=tmp_path / "logs",
        kill=Kill(signal_number, 1.0),
        timeout_seconds=30,
    )
    child_pid = int(result.stdout.split()[0])

    assert result.killed_by == signal.Signals(signal_number).name
    assert result.returncode == -signal_number
    assert not Path(f"/proc/{child_pid}").exists() or _is_zombie(child_pid)


def _is_zombie(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status").read_text()
    return "State:\tZ" in status


def test_a_run_that_ends_before_its_kill_is_not_killed(tmp_path: Path) -> None:
    result = run_job(
        [sys.executable, "-c", "print('done')"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin"},
        log_dir=tmp_path / "logs",
        kill=Kill(signal.SIGKILL, 20.0),
    )
    assert (result.returncode, result.killed_by, result.stdout) == (0, None, "done\n")
    assert result.succeeded


def test_a_plugin_error_line_explains_the_failure() -> None:
    output = (
        "2026-12-03T23:10:23Z [error    ] target-feishu POST /open-apis/bitable/v1/"
        "apps/x/tables: HTTP 400, code 1254013: TableNameDuplicated "
        "plugin_exc_message='same' plugin_exc_type=FeishuAPIError\n"
        "2026-12-03T23:10:24Z [error    ] meltano      Loader failed\n"
    )
    explanation = explain(output)
    assert explanation == (
        "target-feishu: FeishuAPIError: POST /open-apis/bitable/v1/apps/x/tables: "
        "HTTP 400, code 1254013: TableNameDuplicated"
    )
    assert reason_key(explanation).startswith("target-feishu: FeishuAPIError: POST")


def test_meltano_lines_alone_do_not_explain_a_failure() -> None:
    output = (
        "2026-12-03T23:10:24Z [error    ] meltano      Loader failed\n"
        "2026-12-03T23:10:24Z [error    ] meltano      Block run completed\n"
    )
    assert explain(output) is None


def test_retries_are_repeats_after_a_failure_or_of_a_client_token() -> None:
    calls = [
        {"path": "/a", "status": 503},
        {"path": "/a", "status": 200},  # retry after a failure
        {"path": "/a", "status": 200},  # same request after a success: not a retry
        {"path": "/w", "client_token": "t1", "http_status": 200},
        {"path": "/w", "client_token": "t1", "http_status": 200},  # reused token
    ]
    assert count_retries(calls, "x") == {"x": 2}
