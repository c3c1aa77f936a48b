"""Smoke test of the benchmark harness: a ``--quick`` run reports every figure."""

from __future__ import annotations

import calendar
import datetime as dt
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

ROOT = Path(__file__).resolve().parent.parent
SECRETS = ("bench-secret-key", "sandbox-app-secret")
QUICK_TICKETS_PER_DAY = 40
QUICK_REALISTIC_TICKETS_PER_DAY = 5
RUN_FIGURES = {
    "records",
    "records_per_s",
    "wall_s",
    "cpu_s",
    "peak_rss_mb",
    "exit_code",
    "sandbox_cpu_s",
}


def previous_months(count: int) -> list[tuple[int, int]]:
    """(year, month) of the ``count`` whole months before today's business month."""
    now = dt.datetime.now(ZoneInfo("Asia/Shanghai")) - dt.timedelta(hours=6)
    year, month = now.year, now.month
    months = []
    for _ in range(count):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        months.append((year, month))
    return months[::-1]


def days_in(year: int, month: int) -> int:
    """Days of a calendar month."""
    return calendar.monthrange(year, month)[1]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run ``python -m benchmarks --quick`` once; return its output and figures."""
    work = tmp_path_factory.mktemp("bench")
    command = [sys.executable, "-m", "benchmarks", "--quick"]
    command += ["--work-dir", str(work), "--json", str(work / "results.json")]
    done = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    logs = "\n".join(
        path.read_text(encoding="utf-8", errors="replace")
        for path in sorted((work / "logs").rglob("*.log"))
    )
    return {
        "code": done.returncode,
        "output": done.stdout + done.stderr,
        "logs": logs,
        "document": json.loads((work / "results.json").read_text(encoding="utf-8")),
        "work": work,
    }


def runs_of(document: dict[str, Any], key: str) -> dict[str, dict[str, Any]]:
    """The runs of one benchmark, checked to carry every figure of a run."""
    benchmark = document["benchmarks"][key]
    assert (benchmark["status"], benchmark["reason"]) == ("ok", "")
    for figures in benchmark["runs"].values():
        assert set(figures) == RUN_FIGURES
        assert figures["exit_code"] == 0
        assert figures["wall_s"] > 0
        assert figures["cpu_s"] > 0
        assert figures["peak_rss_mb"] > 0
    return benchmark["runs"]


def goal_names(document: dict[str, Any], key: str) -> list[str]:
    """The names of one benchmark's goals, each checked to carry its verdict."""
    goals = document["benchmarks"][key]["goals"]
    for goal in goals:
        assert goal["met"] is (
            goal["value"] >= goal["threshold"]
            if goal["comparison"] == ">="
            else goal["value"] <= goal["threshold"]
        )
    return [goal["name"] for goal in goals]


def test_quick_run_exits_cleanly_and_leaves_no_data(quick_run: dict[str, Any]) -> None:
    assert quick_run["code"] == 0, quick_run["output"][-3000:]
    assert [path.name for path in quick_run["work"].iterdir() if path.is_dir()] == [
        "logs"
    ]
    document = quick_run["document"]
    assert document["quick"] is True
    assert set(document["benchmarks"]) == {
        "tap",
        "target",
        "target_realistic",
        "memory",
        "incremental",
    }
    machine = document["machine"]
    assert machine["nproc"] >= 1
    assert machine["memory_mb"] > 0
    assert len(machine["load_average_at_start"]) == 3
    assert len(machine["load_average_at_end"]) == 3


def test_tap_benchmark_reports_the_three_programs_over_one_month(
    quick_run: dict[str, Any],
) -> None:
    document = quick_run["document"]
    ((year, month),) = previous_months(1)
    rows = QUICK_TICKETS_PER_DAY * days_in(year, month)
    runs = runs_of(document, "tap")
    assert {label: run["records"] for label, run in runs.items()} == {
        "tap-yuekeyun": rows,
        "naive-sdk-tap": rows,
        "csv+json.dumps loop": rows,
    }
    tap = document["benchmarks"]["tap"]
    assert tap["figures"]["month"] == f"{year:04d}-{month:02d}"
    assert tap["figures"]["file_downloads"] == days_in(year, month)
    assert set(tap["ratios"]) == {
        "tap / naive sdk tap",
        "tap / csv+json loop",
        "tap / naive sdk tap, by CPU s",
        "tap / csv+json loop, by CPU s",
    }
    assert goal_names(document, "tap") == [
        "tap >= 4x naive sdk tap",
        "tap >= 0.6x csv+json loop",
    ]


def test_target_benchmark_loads_every_recorded_row(quick_run: dict[str, Any]) -> None:
    document = quick_run["document"]
    ((year, month),) = previous_months(1)
    rows = QUICK_TICKETS_PER_DAY * days_in(year, month)
    runs = runs_of(document, "target")
    assert {label: run["records"] for label, run in runs.items()} == {
        "target-feishu": rows,
        "naive-sdk-target": rows,
    }
    target = document["benchmarks"]["target"]
    assert set(target["ratios"]) == {
        "target / naive sdk target",
        "target / naive sdk target, by CPU s",
    }
    assert target["figures"]["tables"] == {"影票销售明细": rows}
    assert target["figures"]["api_calls"]["batch_create"] >= 1
    assert goal_names(document, "target") == [
        "target >= 5x naive sdk target (validation on)"
    ]


def test_realistic_benchmark_compares_both_layouts_with_their_bounds(
    quick_run: dict[str, Any],
) -> None:
    document = quick_run["document"]
    per_month = {
        f"{year:04d}-{month:02d}": QUICK_REALISTIC_TICKETS_PER_DAY
        * days_in(year, month)
        for year, month in previous_months(8)
    }
    runs = runs_of(document, "target_realistic")
    total = sum(per_month.values())
    assert {label: run["records"] for label, run in runs.items()} == {
        "target-feishu, one table": total,
        "target-feishu, eight tables": total,
    }
    figures = document["benchmarks"]["target_realistic"]["figures"]
    assert figures["rows_per_month"] == per_month
    batches = {
        "one table": [math.ceil(total / 1000)],
        "eight tables": [math.ceil(rows / 1000) for rows in per_month.values()],
    }
    for layout, per_table in batches.items():
        assert figures[layout]["tables"] == len(per_table)
        minimum = 2 + sum(2 + creates for creates in per_table)
        assert figures[layout]["minimum_calls_total"] == minimum
        assert figures[layout]["lower_bound_s"] > 0
        assert figures[layout]["calls_total"] == sum(figures[layout]["calls"].values())
    assert goal_names(document, "target_realistic") == [
        "one table: wall / lower bound <= 1.2",
        "eight tables >= 4x faster than one",
        "one table: calls / minimum <= 1.05",
        "eight tables: calls / minimum <= 1.05",
    ]


def test_memory_benchmark_measures_both_sizes(quick_run: dict[str, Any]) -> None:
    document = quick_run["document"]
    small, large = 2 * QUICK_TICKETS_PER_DAY, 4 * QUICK_TICKETS_PER_DAY
    runs = runs_of(document, "memory")
    assert {label: run["records"] for label, run in runs.items()} == {
        f"tap-yuekeyun, {small} rows": small,
        f"tap-yuekeyun, {large} rows": large,
        f"target-feishu, {small} rows": small,
        f"target-feishu, {large} rows": large,
    }
    assert goal_names(document, "memory") == [
        f"tap peak RSS at {large} rows (MB)",
        f"tap RSS growth from {small} rows",
        f"target peak RSS at {large} rows (MB)",
        f"target RSS growth from {small} rows",
    ]


def test_incremental_benchmark_reports_the_hourly_run(
    quick_run: dict[str, Any],
) -> None:
    document = quick_run["document"]
    runs = runs_of(document, "incremental")
    assert list(runs) == [
        "backfill: tap-yuekeyun",
        "backfill: target-feishu",
        "hourly: tap-yuekeyun",
        "hourly: target-feishu",
    ]
    figures = document["benchmarks"]["incremental"]["figures"]
    assert figures["backfill_rows"] == runs["backfill: target-feishu"]["records"]
    assert figures["hourly_records_resent"] == runs["hourly: tap-yuekeyun"]["records"]
    assert figures["hourly_new_rows"] >= 0
    assert figures["hourly_wall_s"] > 0
    assert figures["hourly_feishu_calls"]["token"] == 1
    assert figures["hourly_feishu_calls_total"] == sum(
        figures["hourly_feishu_calls"].values()
    )
    assert sum(figures["hourly_gateway_calls"].values()) >= 1


def test_no_secret_reaches_the_figures_the_output_or_the_logs(
    quick_run: dict[str, Any],
) -> None:
    text = json.dumps(quick_run["document"], ensure_ascii=False)
    for secret in SECRETS:
        assert secret not in text
        assert secret not in quick_run["output"]
        assert secret not in quick_run["logs"]
