"""Benchmark 5: the hourly run after a backfill, when one new hour of data exists."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter

from benchmarks import measure
from benchmarks.business_dates import BUSINESS_ZONE, business_today
from benchmarks.cinema_gateway import (
    TICKETS,
    gateway,
    make_cinema,
    tap_argv,
    tap_config,
    tickets_catalog,
)
from benchmarks.feishu_base import (
    BASE_NAME,
    calls_by_endpoint,
    feishu,
    table_rows,
    target_config,
)
from benchmarks.results import BenchmarkResult, ProgramRun
from benchmarks.singer_output import last_state, metric_record_count
from benchmarks.workspace import Workspace, console_script, program_env

logger = logging.getLogger("benchmarks.incremental")

LOOKBACK_DAYS = 3


def run_incremental_benchmark(space: Workspace) -> BenchmarkResult:
    """Backfill a month, move the gateway's ``data_cutoff`` an hour, run again.

    The backfill goes to a Feishu sandbox without limits (it is not what is
    measured); the hourly run reopens the same base with the rate limits and
    the latency on, and starts from the STATE the target emitted.
    """
    result = BenchmarkResult("incremental", "incremental")
    target = console_script("target-feishu")
    work = space.scratch("incremental")
    logs = space.logs("incremental")
    env = program_env()

    now = dt.datetime.now(BUSINESS_ZONE).replace(minute=0, second=0, microsecond=0)
    backfill_cutoff, hourly_cutoff = now - dt.timedelta(hours=1), now
    start_date = business_today() - dt.timedelta(days=space.sizes.incremental_days)
    cinema = make_cinema(space.sizes.tickets_per_day)
    db_path = work / "feishu.sqlite3"

    with gateway(cinema, backfill_cutoff) as yuekeyun:
        tap_cfg = space.write_json(
            work / "tap_config.json",
            tap_config(yuekeyun, start_date=start_date, lookback_days=LOOKBACK_DAYS),
        )
        catalog = tickets_catalog(space, tap_cfg)
        tap_command = tap_argv(tap_cfg, catalog)

        with feishu(db_path, rate_limits=False, latency_ms=0) as lark:
            app_token = lark.create_base(BASE_NAME)
            target_cfg = space.write_json(
                work / "target_config.json", target_config(lark, app_token)
            )
            backfill = measure.run_pipeline(
                ("tap-yuekeyun-backfill", tap_command),
                ("target-feishu-backfill", [*target, "--config", str(target_cfg)]),
                consumer_stdout_path=work / "backfill_state.jsonl",
                log_dir=logs,
                env=env,
            )
        backfill_rows = sum(table_rows(db_path, app_token).values())

        state = last_state(work / "backfill_state.jsonl")
        if state is None:
            msg = "the backfill's target emitted no STATE; the hourly run needs one"
            raise ValueError(msg)
        state_path = space.write_json(work / "state.json", state)

        yuekeyun.data_cutoff = hourly_cutoff
        yuekeyun.reset_counters()
        latency_ms = space.sizes.feishu_latency_ms
        with feishu(db_path, rate_limits=True, latency_ms=latency_ms) as lark:
            target_cfg = space.write_json(
                work / "target_config.json", target_config(lark, app_token)
            )
            hourly = measure.run_pipeline(
                ("tap-yuekeyun-hourly", [*tap_command, "--state", str(state_path)]),
                ("target-feishu-hourly", [*target, "--config", str(target_cfg)]),
                consumer_stdout_path=work / "hourly_state.jsonl",
                log_dir=logs,
                env=env,
            )
            feishu_calls = calls_by_endpoint(lark)
        gateway_calls = Counter(call.search_date_type for call in yuekeyun.calls)
        downloads = len(yuekeyun.downloads)
        expected = sum(
            len(
                yuekeyun.served_rows(cinema, TICKETS, start_date + dt.timedelta(days=n))
                or []
            )
            for n in range((business_today() - start_date).days + 1)
        )

    loaded = sum(table_rows(db_path, app_token).values())
    if loaded != expected:
        msg = (
            f"after the hourly run the base holds {loaded} rows, the source {expected}"
        )
        raise ValueError(msg)

    new_rows = loaded - backfill_rows
    resent = metric_record_count(logs / "tap-yuekeyun-hourly.stderr.log")
    result.runs += [
        ProgramRun("backfill: tap-yuekeyun", backfill_rows, backfill.producer),
        ProgramRun("backfill: target-feishu", backfill_rows, backfill.consumer),
        ProgramRun("hourly: tap-yuekeyun", resent, hourly.producer),
        ProgramRun("hourly: target-feishu", resent, hourly.consumer),
    ]
    result.figures.update(
        {
            "backfill_from": start_date.isoformat(),
            "backfill_rows": backfill_rows,
            "backfill_wall_s": backfill.wall_s,
            "hourly_cutoff": hourly_cutoff.isoformat(),
            "hourly_new_rows": new_rows,
            "hourly_records_resent": resent,
            "hourly_wall_s": hourly.wall_s,
            "hourly_gateway_calls": dict(gateway_calls),
            "hourly_file_downloads": downloads,
            "hourly_feishu_calls": feishu_calls,
            "hourly_feishu_calls_total": sum(feishu_calls.values()),
            "hourly_feishu_latency_ms": latency_ms,
            "lookback_days": LOOKBACK_DAYS,
        }
    )

    return result
