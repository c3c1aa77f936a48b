"""Benchmark 4: peak RSS of the tap and of the target at two history lengths."""

from __future__ import annotations

import datetime as dt
import logging

from benchmarks import measure
from benchmarks.business_dates import business_today, days_ending, month_start
from benchmarks.cinema_gateway import (
    cutoff_after,
    gateway,
    make_cinema,
    tap_argv,
    tap_config,
    tickets_catalog,
)
from benchmarks.feishu_base import BASE_NAME, feishu, table_rows, target_config
from benchmarks.results import BenchmarkResult, Goal, ProgramRun
from benchmarks.workspace import Workspace, console_script, program_env

logger = logging.getLogger("benchmarks.memory")

TEMPLATE = "{name} {year}-{month}"
LIMIT_MB = 200.0
GROWTH_LIMIT = 0.30


def run_size(space: Workspace, days_count: int) -> tuple[ProgramRun, ProgramRun, float]:
    """Pipe ``days_count`` busy days from the tap into the target; measure both.

    Returns:
        The tap's run, the target's run and the pipe's wall seconds.
    """
    sizes = space.sizes
    last_day = month_start(business_today()) - dt.timedelta(days=1)
    days = days_ending(last_day, days_count)
    work = space.scratch(f"memory-{days_count}")
    logs = space.logs(f"memory/{days_count}-days")
    cinema = make_cinema(sizes.tickets_per_day)

    with gateway(cinema, cutoff_after(days[-1])) as yuekeyun:
        expected = sum(
            len(yuekeyun.served_rows(cinema, "C01", day) or []) for day in days
        )
        tap_settings = tap_config(yuekeyun, start_date=days[0], lookback_days=0)
        tap_cfg = space.write_json(work / "tap_config.json", tap_settings)
        catalog = tickets_catalog(space, tap_cfg)

        db_path = work / "feishu.sqlite3"
        with feishu(db_path, rate_limits=False, latency_ms=0) as lark:
            app_token = lark.create_base(BASE_NAME)
            target_cfg = space.write_json(
                work / "target_config.json",
                target_config(lark, app_token, table_name_template=TEMPLATE),
            )
            piped = measure.run_pipeline(
                (
                    "tap-yuekeyun",
                    tap_argv(tap_cfg, catalog),
                ),
                (
                    "target-feishu",
                    [*console_script("target-feishu"), "--config", str(target_cfg)],
                ),
                consumer_stdout_path=work / "target_state.jsonl",
                log_dir=logs,
                env=program_env(),
            )

    loaded = sum(table_rows(db_path, app_token).values())
    if loaded != expected:
        msg = f"{days_count} days: the base holds {loaded} rows, expected {expected}"
        raise ValueError(msg)
    logger.info("memory: %s rows piped in %.1f s", expected, piped.wall_s)

    return (
        ProgramRun(f"tap-yuekeyun, {expected:,} rows", expected, piped.producer),
        ProgramRun(f"target-feishu, {expected:,} rows", expected, piped.consumer),
        piped.wall_s,
    )


def run_memory_benchmark(space: Workspace) -> BenchmarkResult:
    """Measure peak RSS at the small and the large history (same rows per day).

    The larger run has ten times the days of the smaller one, so a process
    whose memory follows the rows in flight, not the rows in total, stays flat.
    """
    result = BenchmarkResult("memory", "memory")
    small_days, large_days = space.sizes.memory_days
    small_tap, small_target, small_wall = run_size(space, small_days)
    result.runs += [small_tap, small_target]

    predicted_s = round(small_wall * large_days / small_days)
    budget_s = space.sizes.memory_budget_s
    if predicted_s > budget_s:
        rate = round(small_tap.records / small_wall)
        result.figures["large_run"] = (
            f"skipped: the pipe ran {rate} rows/s at {small_tap.records:,} rows, so "
            f"{large_days} days would take about {predicted_s} s, over this "
            f"benchmark's {budget_s:.0f} s budget (--no-budget runs it anyway)"
        )
        logger.warning("memory: %s", result.figures["large_run"])
        for run in (small_tap, small_target):
            peak = run.measurement.peak_rss_mb
            name = run.label.replace(", ", " peak RSS at ")
            result.goals.append(Goal(f"{name} (MB)", peak, LIMIT_MB, False))
        return result

    large_tap, large_target, large_wall = run_size(space, large_days)
    result.runs[:] = [small_tap, large_tap, small_target, large_target]
    result.figures["pipe_wall_s"] = {
        f"{small_tap.records} rows": small_wall,
        f"{large_tap.records} rows": large_wall,
    }

    for name, small, large in (
        ("tap", small_tap, large_tap),
        ("target", small_target, large_target),
    ):
        peak = large.measurement.peak_rss_mb
        growth = round(peak / small.measurement.peak_rss_mb - 1, 3)
        result.figures[f"{name}_rss_growth"] = growth
        result.goals += [
            Goal(
                f"{name} peak RSS at {large.records:,} rows (MB)", peak, LIMIT_MB, False
            ),
            Goal(
                f"{name} RSS growth from {small.records:,} rows",
                growth,
                GROWTH_LIMIT,
                False,
            ),
        ]

    return result
