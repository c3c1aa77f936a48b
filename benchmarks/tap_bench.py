"""Benchmark 1: tap-yuekeyun over one busy C01 month, beside its two baselines."""

from __future__ import annotations

import logging
from pathlib import Path

from benchmarks import measure
from benchmarks.business_dates import business_today, month_days, previous_month
from benchmarks.cinema_gateway import (
    TICKETS_STREAM,
    cutoff_after,
    gateway,
    make_cinema,
    prerender,
    tap_argv,
    tap_config,
    tickets_catalog,
    write_decoded_files,
)
from benchmarks.results import (
    BenchmarkResult,
    Goal,
    ProgramRun,
    cpu_ratio,
    speed_ratio,
)
from benchmarks.singer_output import count_records, metric_record_count
from benchmarks.workspace import Workspace, baseline_module, program_env

logger = logging.getLogger("benchmarks.tap")

TAP = "tap-yuekeyun"
NAIVE_TAP = "naive-sdk-tap"
CSV_JSON_LOOP = "csv+json.dumps loop"
RECORDING = "tap_output"


def check_count(label: str, stderr_path: Path, rows: int) -> None:
    """Raise unless the program's METRIC lines count exactly ``rows`` records."""
    counted = metric_record_count(stderr_path)
    if counted != rows:
        msg = f"{label} counted {counted} records in {stderr_path}, expected {rows}"
        raise ValueError(msg)


def run_tap_benchmark(space: Workspace) -> BenchmarkResult:
    """Measure the tap and both baselines over the same month of decoded rows.

    The month is the last whole month before today, served by a gateway whose
    data ends with that month, so the tap's month query is the whole work. A
    first, unmeasured tap run renders every file into the sandbox's cache and
    records the tap's output for the target benchmarks.
    """
    result = BenchmarkResult("tap", "tap")
    first_day = previous_month(business_today())
    days = month_days(first_day)
    work = space.scratch("tap")
    logs = space.logs("tap")
    env = program_env()

    cinema = make_cinema(space.sizes.tickets_per_day)
    with gateway(cinema, cutoff_after(days[-1])) as sandbox:
        rows = prerender(sandbox, days)
        csv_dir = work / "decoded"
        csv_dir.mkdir()
        write_decoded_files(sandbox, days, csv_dir)
        logger.info("tap: %s rows over %s days from %s", rows, len(days), first_day)

        config = space.write_json(
            work / "tap_config.json",
            tap_config(sandbox, start_date=first_day, lookback_days=0),
        )
        catalog = tickets_catalog(space, config)
        tap_command = tap_argv(config, catalog)

        recording = space.data_dir / f"{RECORDING}.singer"
        measure.run(
            "tap (recording)",
            tap_command,
            stdin_path=None,
            stdout_path=recording,
            stderr_path=logs / "tap-recording.stderr.log",
            env=env,
        )
        recorded = count_records(recording)[TICKETS_STREAM]
        if recorded != rows:
            msg = (
                f"the tap emitted {recorded} {TICKETS_STREAM} records, expected {rows}"
            )
            raise ValueError(msg)
        space.artefacts[RECORDING] = recording

        sandbox.reset_counters()
        tap_run = measure.run(
            TAP,
            tap_command,
            stdin_path=None,
            stdout_path=None,
            stderr_path=logs / "tap.stderr.log",
            env=env,
        )
        result.figures["gateway_calls"] = len(sandbox.calls)
        result.figures["file_downloads"] = len(sandbox.downloads)

    check_count(TAP, logs / "tap.stderr.log", rows)
    result.runs.append(ProgramRun(TAP, rows, tap_run))

    naive_config = space.write_json(
        work / "naive_config.json", {"csv_dir": str(csv_dir)}
    )
    naive_run = measure.run(
        NAIVE_TAP,
        [*baseline_module("naive_tap"), "--config", str(naive_config)],
        stdin_path=None,
        stdout_path=None,
        stderr_path=logs / "naive-tap.stderr.log",
        env=env,
    )
    check_count(NAIVE_TAP, logs / "naive-tap.stderr.log", rows)
    result.runs.append(ProgramRun(NAIVE_TAP, rows, naive_run))

    loop_run = measure.run(
        CSV_JSON_LOOP,
        [*baseline_module("csv_json_loop"), str(csv_dir)],
        stdin_path=None,
        stdout_path=None,
        stderr_path=logs / "csv-json-loop.stderr.log",
        env=env,
    )
    result.runs.append(ProgramRun(CSV_JSON_LOOP, rows, loop_run))

    result.figures["month"] = first_day.strftime("%Y-%m")
    result.figures["rows"] = rows
    result.ratios["tap / naive sdk tap"] = speed_ratio(result, TAP, NAIVE_TAP)
    result.ratios["tap / csv+json loop"] = speed_ratio(result, TAP, CSV_JSON_LOOP)
    result.ratios["tap / naive sdk tap, by CPU s"] = cpu_ratio(result, TAP, NAIVE_TAP)
    result.ratios["tap / csv+json loop, by CPU s"] = cpu_ratio(
        result, TAP, CSV_JSON_LOOP
    )
    result.goals += [
        Goal(
            "tap >= 4x naive sdk tap", result.ratios["tap / naive sdk tap"], 4.0, True
        ),
        Goal(
            "tap >= 0.6x csv+json loop", result.ratios["tap / csv+json loop"], 0.6, True
        ),
    ]

    return result
