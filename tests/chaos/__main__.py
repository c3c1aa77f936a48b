"""`python -m tests.chaos --sequences 200 --seed 1`: the chaos run and its figures."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from tests.chaos.figures import Figures, SequenceOutcome
from tests.chaos.harness import STREAMS, SequenceConfig, run_sequence
from tests.chaos.project import MeltanoProject, prepare_project, write_catalog


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.chaos",
        description=(
            "Run the main job (meltano run tap-yuekeyun target-feishu) against "
            "both sandboxes under random faults and kills, then compare every "
            "Feishu table with the gateway's ground truth."
        ),
    )
    parser.add_argument("--sequences", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--only-sequence",
        type=int,
        default=None,
        help="replay one sequence (same seed), keeping its work directory",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--json",
        type=Path,
        default=None,
        help="where to write the figures (default: figures.json in the work dir)",
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=None,
        help="where sequences keep their files (default: a temporary directory)",
    )
    parser.add_argument("--tickets-per-day", type=int, default=20)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    work_root = args.work_dir or Path(tempfile.mkdtemp(prefix="chaos-"))
    work_root.mkdir(parents=True, exist_ok=True)
    project = prepare_project()
    catalog = write_catalog(work_root / "catalog.json", STREAMS)

    numbers = (
        [args.only_sequence]
        if args.only_sequence is not None
        else list(range(args.sequences))
    )
    configs = [
        SequenceConfig(
            seed=args.seed,
            sequence=number,
            work_root=work_root,
            catalog=catalog,
            tickets_per_day=args.tickets_per_day,
            keep_work_dir=args.only_sequence is not None,
        )
        for number in numbers
    ]
    figures = Figures(seed=args.seed)
    started = time.monotonic()
    outcomes = _run_all(configs, project, args.workers)
    figures.seconds = time.monotonic() - started
    for outcome in sorted(outcomes, key=lambda item: item.sequence):
        figures.add(outcome)
    for bad in figures.bad_sequences:
        bad["replay"] = (
            f".venv/bin/python -m tests.chaos --seed {args.seed} "
            f"--only-sequence {bad['sequence']} --work-dir {work_root}"
        )

    json_path = args.json or work_root / "figures.json"
    figures.write(json_path)
    print(figures.report())
    print(f"figures written to {json_path}; work files under {work_root}")
    return 0 if figures.clean else 1


def _run_all(
    configs: list[SequenceConfig], project: MeltanoProject, workers: int
) -> list[SequenceOutcome]:
    progress = Progress(len(configs))
    if workers <= 1 or len(configs) == 1:
        return [progress.done(run_sequence(config, project)) for config in configs]

    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run_sequence, config, project) for config in configs]
        return [progress.done(future.result()) for future in as_completed(futures)]


class Progress:
    """One line per finished sequence."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.finished = 0

    def done(self, outcome: SequenceOutcome) -> SequenceOutcome:
        self.finished += 1
        state = "clean" if outcome.clean else "MISMATCH"
        print(
            f"[{self.finished}/{self.total}] sequence {outcome.sequence}: "
            f"{outcome.runs} runs, kills {sum(outcome.kills.values())}, "
            f"failed {outcome.failed_runs}, rows {outcome.comparison.rows_expected}, "
            f"{state} ({outcome.seconds:.1f} s)",
            flush=True,
        )
        return outcome


if __name__ == "__main__":
    raise SystemExit(main())
