"""The ``python -m benchmarks`` command: run every benchmark, print and save figures."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks import machine, report
from benchmarks.results import (
    STATUS_FAILED,
    STATUS_NOT_AVAILABLE,
    BenchmarkResult,
)
from benchmarks.sizes import FULL, QUICK
from benchmarks.workspace import OUT_DIR, ProgramNotAvailableError, Workspace

logger = logging.getLogger("benchmarks")

Benchmark = Callable[[Workspace], BenchmarkResult]
KEYS = ("tap", "target", "target_realistic", "memory", "incremental")


def benchmarks() -> list[tuple[str, str, Benchmark]]:
    """Return (key, title, function) of every benchmark, in running order."""
    from benchmarks.incremental_bench import run_incremental_benchmark
    from benchmarks.memory_bench import run_memory_benchmark
    from benchmarks.realistic_bench import run_realistic_benchmark
    from benchmarks.tap_bench import run_tap_benchmark
    from benchmarks.target_bench import run_target_benchmark

    return [
        ("tap", "1. Tap: tap-yuekeyun, one C01 month", run_tap_benchmark),
        ("target", "2. Target: target-feishu, no limits", run_target_benchmark),
        (
            "target_realistic",
            "3. Target against realistic Feishu (rate limits, latency)",
            run_realistic_benchmark,
        ),
        ("memory", "4. Memory: peak RSS at two sizes", run_memory_benchmark),
        ("incremental", "5. Incremental hourly run", run_incremental_benchmark),
    ]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=(
            "Measure tap-yuekeyun and target-feishu against naive baselines on "
            "the sandbox, print a table and write the figures as JSON."
        ),
    )
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes (the smoke test)"
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=OUT_DIR / "results.json",
        help="where to write the figures (default benchmarks/out/results.json)",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=KEYS,
        help="run only this benchmark (repeatable); target needs tap",
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=OUT_DIR,
        help="where generated data and logs go (default benchmarks/out)",
    )
    parser.add_argument(
        "--no-budget",
        action="store_true",
        help="run the large memory size even when it is predicted to be slow",
    )
    parser.add_argument(
        "--markdown",
        type=Path,
        help="also write the figures as Markdown tables to this file",
    )
    parser.add_argument(
        "--keep-data",
        action="store_true",
        help="keep the generated data directory (printed at the end)",
    )
    return parser.parse_args(argv)


def run_one(
    key: str, title: str, benchmark: Benchmark, space: Workspace
) -> BenchmarkResult:
    """Run one benchmark; a missing part or a failure becomes its status."""
    started = time.perf_counter()
    load_at_start = machine.load_average()
    logger.info("benchmark %s: starting (load average %s)", key, load_at_start)
    try:
        result = benchmark(space)
    except ProgramNotAvailableError as exc:
        logger.warning("benchmark %s: not available: %s", key, exc)
        result = BenchmarkResult(key, title, STATUS_NOT_AVAILABLE, str(exc))
    except Exception as exc:  # one failure must not stop the others
        logger.exception("benchmark %s failed", key)
        result = BenchmarkResult(
            key, title, STATUS_FAILED, f"{type(exc).__name__}: {exc}"
        )

    result.key, result.title = key, title
    result.figures["benchmark_wall_s"] = round(time.perf_counter() - started, 1)
    result.figures["load_average_at_start"] = load_at_start
    logger.info(
        "benchmark %s: %s in %.1f s", key, result.status, time.perf_counter() - started
    )
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks; return 1 if one failed (not if a goal is missed)."""
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )
    logging.getLogger("sandbox").setLevel(logging.WARNING)
    sizes = QUICK if args.quick else FULL
    if args.no_budget:
        sizes = dataclasses.replace(sizes, memory_budget_s=1e9)
    selected = [
        entry for entry in benchmarks() if not args.only or entry[0] in args.only
    ]
    document: dict[str, Any] = {
        "command": " ".join(["python -m benchmarks", *(argv or sys.argv[1:])]),
        "quick": args.quick,
        "sizes": dataclasses.asdict(sizes),
        "machine": machine.describe(),
    }

    args.work_dir.mkdir(parents=True, exist_ok=True)
    data_dir = Path(tempfile.mkdtemp(prefix="data-", dir=args.work_dir))
    log_dir = args.work_dir / "logs"
    shutil.rmtree(log_dir, ignore_errors=True)
    space = Workspace(data_dir=data_dir, log_dir=log_dir, sizes=sizes)
    started = time.perf_counter()
    try:
        results = [run_one(key, title, bench, space) for key, title, bench in selected]
    finally:
        if args.keep_data:
            logger.info("generated data kept in %s", data_dir)
        else:
            shutil.rmtree(data_dir, ignore_errors=True)

    document["total_wall_s"] = round(time.perf_counter() - started, 1)
    document["machine"]["load_average_at_end"] = machine.load_average()
    document["benchmarks"] = {result.key: result.as_dict() for result in results}
    report.print_results(results, sys.stdout)
    report.write_json(document, args.json)
    if args.markdown:
        args.markdown.write_text(report.markdown(results), encoding="utf-8")
    sys.stdout.write(f"figures written to {args.json}\n")

    return 1 if any(result.status == STATUS_FAILED for result in results) else 0
