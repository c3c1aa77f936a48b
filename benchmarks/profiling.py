"""``python -m benchmarks.profiling tap|target``: where the plugins spend their time.

Sets up the same data as benchmark 1 or 2 (one C01 month, served by the
gateway sandbox or loaded into a Feishu sandbox without limits), runs the
plugin under cProfile and prints the functions with the most own and
cumulative time.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import logging
import pstats
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from benchmarks import measure
from benchmarks.business_dates import business_today, month_days, previous_month
from benchmarks.cinema_gateway import (
    cutoff_after,
    gateway,
    make_cinema,
    prerender,
    tap_argv,
    tap_config,
    tickets_catalog,
)
from benchmarks.feishu_base import BASE_NAME, feishu, target_config
from benchmarks.sizes import FULL
from benchmarks.workspace import Workspace, console_script, program_env

logger = logging.getLogger("benchmarks.profiling")


def profiled(argv: list[str], profile_path: Path) -> list[str]:
    """Return ``argv`` (a Python console script) run under cProfile."""
    return [sys.executable, "-m", "cProfile", "-o", str(profile_path), *argv]


def summary(profile_path: Path, top: int) -> str:
    """Return the top functions by own time and by cumulative time."""
    out = io.StringIO()
    stats = pstats.Stats(str(profile_path), stream=out)
    stats.strip_dirs()
    out.write(f"== by own time ({profile_path.name})\n")
    stats.sort_stats("tottime").print_stats(top)
    out.write(f"== by cumulative time ({profile_path.name})\n")
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def profile_plugins(space: Workspace, which: str, profile_dir: Path) -> list[Path]:
    """Run the tap (and, for ``target``, the target) under cProfile."""
    days = month_days(previous_month(business_today()))
    cinema = make_cinema(space.sizes.tickets_per_day)
    env = program_env()
    logs = space.logs("profiling")
    profiles = []

    with gateway(cinema, cutoff_after(days[-1])) as sandbox:
        rows = prerender(sandbox, days)
        logger.info("profiling: %s rows over %s days", rows, len(days))
        config = space.write_json(
            space.data_dir / "tap_config.json",
            tap_config(sandbox, start_date=days[0], lookback_days=0),
        )
        command = tap_argv(config, tickets_catalog(space, config))
        recording = space.data_dir / "tap_output.singer"
        tap_profile = profile_dir / "tap.prof"
        measure.run(
            "tap-yuekeyun (profiled)",
            profiled(command, tap_profile) if which == "tap" else command,
            stdin_path=None,
            stdout_path=recording,
            stderr_path=logs / "tap.stderr.log",
            env=env,
        )
        if which == "tap":
            profiles.append(tap_profile)

    if which == "target":
        db_path = space.data_dir / "feishu.sqlite3"
        with feishu(db_path, rate_limits=False, latency_ms=0) as lark:
            target_cfg = space.write_json(
                space.data_dir / "target_config.json",
                target_config(lark, lark.create_base(BASE_NAME)),
            )
            target_profile = profile_dir / "target.prof"
            target = [*console_script("target-feishu"), "--config", str(target_cfg)]
            measure.run(
                "target-feishu (profiled)",
                profiled(target, target_profile),
                stdin_path=recording,
                stdout_path=None,
                stderr_path=logs / "target.stderr.log",
                env=env,
            )
        profiles.append(target_profile)

    return profiles


def main(argv: Sequence[str] | None = None) -> int:
    """Profile one plugin and print the summary."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profiling")
    parser.add_argument("plugin", choices=["tap", "target"])
    parser.add_argument("--tickets-per-day", type=int, default=FULL.tickets_per_day)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out/profiles"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s %(message)s")
    logging.getLogger("sandbox").setLevel(logging.WARNING)

    args.out.mkdir(parents=True, exist_ok=True)
    data_dir = Path(tempfile.mkdtemp(prefix="profiling-", dir=args.out))
    sizes = dataclasses.replace(FULL, tickets_per_day=args.tickets_per_day)
    space = Workspace(data_dir=data_dir, log_dir=args.out / "logs", sizes=sizes)
    try:
        for profile in profile_plugins(space, args.plugin, args.out):
            sys.stdout.write(summary(profile, args.top))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
