"""Benchmark 3: target-feishu against realistic Feishu (rate limits and latency)."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from benchmarks import measure
from benchmarks.business_dates import business_today, month_start, previous_month
from benchmarks.cinema_gateway import (
    cutoff_after,
    gateway,
    make_cinema,
    tap_argv,
    tap_config,
    tickets_catalog,
)
from benchmarks.feishu_base import (
    BASE_NAME,
    calls_by_endpoint,
    calls_by_table,
    feishu,
    table_rows,
    target_config,
    throttled_answers,
)
from benchmarks.feishu_bounds import lower_bound, minimum_calls
from benchmarks.results import BenchmarkResult, Goal, ProgramRun
from benchmarks.singer_output import records_by_month
from benchmarks.workspace import Workspace, console_script, program_env

logger = logging.getLogger("benchmarks.realistic")

DATE_PROPERTY = "_business_date"
TABLE_TITLE = "影票销售明细"
LAYOUTS = (
    ("one table", "{name}"),
    ("eight tables", "{name} {year}-{month}"),
)


def record_months(
    space: Workspace, work: Path, logs: Path
) -> tuple[Path, dict[str, int]]:
    """Record the tap's output over ``realistic_months`` months of C01.

    Returns:
        The Singer file and its record count per ``YYYY-MM``.
    """
    sizes = space.sizes
    last_month = previous_month(business_today())
    first_day = last_month
    for _ in range(sizes.realistic_months - 1):
        first_day = previous_month(first_day)
    last_day = month_start(last_month + dt.timedelta(days=32)) - dt.timedelta(days=1)

    cinema = make_cinema(sizes.realistic_tickets_per_day)
    recording = work / "months.singer"
    with gateway(cinema, cutoff_after(last_day)) as sandbox:
        config = space.write_json(
            work / "tap_config.json",
            tap_config(sandbox, start_date=first_day, lookback_days=0),
        )
        catalog = tickets_catalog(space, config)
        measure.run(
            "tap (recording)",
            tap_argv(config, catalog),
            stdin_path=None,
            stdout_path=recording,
            stderr_path=logs / "tap-recording.stderr.log",
            env=program_env(),
        )

    return recording, dict(sorted(records_by_month(recording, DATE_PROPERTY).items()))


def load(
    space: Workspace,
    recording: Path,
    template: str,
    expected_tables: dict[str, int],
    label: str,
) -> tuple[ProgramRun, dict[str, Any]]:
    """Load the recording with one table-name template into a fresh limited base."""
    work = space.scratch(f"realistic-{label.replace(' ', '-')}")
    logs = space.logs("target_realistic")
    latency_ms = space.sizes.feishu_latency_ms
    records = sum(expected_tables.values())

    db_path = work / "feishu.sqlite3"
    with feishu(db_path, rate_limits=True, latency_ms=latency_ms) as sandbox:
        app_token = sandbox.create_base(BASE_NAME)
        config = space.write_json(
            work / "target_config.json",
            target_config(sandbox, app_token, table_name_template=template),
        )
        run = measure.run(
            f"target-feishu, {label}",
            [*console_script("target-feishu"), "--config", str(config)],
            stdin_path=recording,
            stdout_path=work / "target_state.jsonl",
            stderr_path=logs / f"target-{label.replace(' ', '-')}.stderr.log",
            env=program_env(),
        )
        endpoints = calls_by_endpoint(sandbox)
        per_table = calls_by_table(sandbox)
        throttled = throttled_answers(sandbox)

    loaded = table_rows(db_path, app_token)
    if loaded != expected_tables:
        msg = f"{label}: the base holds {loaded} rows, expected {expected_tables}"
        raise ValueError(msg)

    bound = lower_bound(per_table, endpoints, latency_ms / 1000)
    minimum = minimum_calls(loaded)
    made = sum(endpoints.values())
    least = sum(minimum.values())
    figures = {
        "tables": len(loaded),
        "calls": endpoints,
        "calls_total": made,
        "minimum_calls": minimum,
        "minimum_calls_total": least,
        "calls_over_minimum": round(made / least, 3),
        "throttled_answers": throttled,
        "lower_bound_s": bound.seconds,
        "lower_bound_parts_s": {
            "serial_chain": bound.serial_chain_s,
            "rate_limit": bound.rate_s,
            "fixed": bound.fixed_s,
        },
        "wall_over_lower_bound": round(run.wall_s / max(bound.seconds, 1e-9), 3),
    }
    return ProgramRun(f"target-feishu, {label}", records, run), figures


def run_realistic_benchmark(space: Workspace) -> BenchmarkResult:
    """Load the same rows into one table, then into eight (one per month).

    Both loads go to a sandbox with the documented rate limits and a fixed
    latency per call; each is compared with the least wall time and the least
    number of calls its tables allow.
    """
    result = BenchmarkResult("target_realistic", "target_realistic")
    console_script("target-feishu")
    work = space.scratch("realistic")
    logs = space.logs("target_realistic")
    recording, per_month = record_months(space, work, logs)
    records = sum(per_month.values())
    logger.info("realistic: %s records over %s months", records, len(per_month))

    layouts = {}
    for label, template in LAYOUTS:
        if label == "one table":
            expected = {TABLE_TITLE: records}
        else:
            expected = {
                f"{TABLE_TITLE} {month}": count for month, count in per_month.items()
            }
        run, figures = load(space, recording, template, expected, label)
        result.runs.append(run)
        layouts[label] = figures

    one, eight = result.runs
    speedup = round(one.measurement.wall_s / max(eight.measurement.wall_s, 1e-9), 2)
    result.figures["latency_ms"] = space.sizes.feishu_latency_ms
    result.figures["rows_per_month"] = per_month
    result.figures.update(layouts)
    result.ratios["eight tables / one table (speed-up)"] = speedup
    result.goals += [
        Goal(
            "one table: wall / lower bound <= 1.2",
            layouts["one table"]["wall_over_lower_bound"],
            1.2,
            False,
        ),
        Goal("eight tables >= 4x faster than one", speedup, 4.0, True),
    ]
    for label in layouts:
        result.goals.append(
            Goal(
                f"{label}: calls / minimum <= 1.05",
                layouts[label]["calls_over_minimum"],
                1.05,
                False,
            )
        )

    return result
