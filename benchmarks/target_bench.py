"""Benchmark 2: target-feishu fed the recorded tap output, beside a naive target."""

from __future__ import annotations

import logging

from benchmarks import measure
from benchmarks.feishu_base import (
    BASE_NAME,
    calls_by_endpoint,
    feishu,
    table_rows,
    target_config,
)
from benchmarks.results import (
    BenchmarkResult,
    Goal,
    ProgramRun,
    cpu_ratio,
    speed_ratio,
)
from benchmarks.singer_output import count_records
from benchmarks.tap_bench import RECORDING
from benchmarks.workspace import (
    ProgramNotAvailableError,
    Workspace,
    baseline_module,
    console_script,
    program_env,
)

logger = logging.getLogger("benchmarks.target")

TARGET = "target-feishu"
NAIVE_TARGET = "naive-sdk-target"


def run_target_benchmark(space: Workspace) -> BenchmarkResult:
    """Load the recorded month into a fresh base (no limits, no latency).

    The naive target reads the same file, validates every record against the
    tap's schema and discards it, so the ratio prices everything the real
    target does beyond validation.
    """
    result = BenchmarkResult("target", "target")
    recording = space.artefacts.get(RECORDING)
    if recording is None:
        msg = "needs the recorded tap output of benchmark 1 (tap), which did not run"
        raise ProgramNotAvailableError(msg)

    target = console_script(TARGET)
    work = space.scratch("target")
    logs = space.logs("target")
    env = program_env()
    records = sum(count_records(recording).values())

    db_path = work / "feishu.sqlite3"
    with feishu(db_path, rate_limits=False, latency_ms=0) as sandbox:
        app_token = sandbox.create_base(BASE_NAME)
        config = space.write_json(
            work / "target_config.json", target_config(sandbox, app_token)
        )
        target_run = measure.run(
            TARGET,
            [*target, "--config", str(config)],
            stdin_path=recording,
            stdout_path=work / "target_state.jsonl",
            stderr_path=logs / "target.stderr.log",
            env=env,
        )
        result.figures["api_calls"] = calls_by_endpoint(sandbox)

    loaded = table_rows(db_path, app_token)
    if sum(loaded.values()) != records:
        msg = f"the base holds {loaded} rows after the load, expected {records}"
        raise ValueError(msg)
    result.runs.append(ProgramRun(TARGET, records, target_run))

    naive_config = space.write_json(work / "naive_config.json", {})
    naive_run = measure.run(
        NAIVE_TARGET,
        [*baseline_module("naive_target"), "--config", str(naive_config)],
        stdin_path=recording,
        stdout_path=None,
        stderr_path=logs / "naive-target.stderr.log",
        env=env,
    )
    result.runs.append(ProgramRun(NAIVE_TARGET, records, naive_run))

    result.figures["tables"] = loaded
    result.ratios["target / naive sdk target"] = speed_ratio(
        result, TARGET, NAIVE_TARGET
    )
    result.ratios["target / naive sdk target, by CPU s"] = cpu_ratio(
        result, TARGET, NAIVE_TARGET
    )
    result.goals.append(
        Goal(
            "target >= 5x naive sdk target (validation on)",
            result.ratios["target / naive sdk target"],
            5.0,
            True,
        )
    )

    return result
