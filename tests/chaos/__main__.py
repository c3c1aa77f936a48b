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
from tests.chaos.project import prepare_project, write_catalog

DEFAULT_JSON = Path("benchmarks/out/chaos.json")


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
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
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

    figures.write(args.json)
    print(figures.report())
    print(f"figures written to {args.json}; work files under {work_root}")
    return 0 if figures.clean else 1


def _run_all(
    configs: list[SequenceConfig], project: object, workers: int
) -> list[SequenceOutcome]:
    outcomes: list[SequenceOutcome] = []
    if workers <= 1 or len(configs) == 1:
        for config in configs:
            outcomes.append(_progress(run_sequence(config, project), len(configs)))  # type: ignore[arg-type]
        return outcomes

    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run_sequence, config, project) for config in configs]
        for future in as_completed(futures):
            outcomes.append(_progress(future.result(), len(configs)))
    return outcomes


_done = 0


def _progress(outcome: SequenceOutcome, total: int) -> SequenceOutcome:
    global _done
    _done += 1
    state = "clean" if outcome.clean else "MISMATCH"
    print(
        f"[{_done}/{total}] sequence {outcome.sequence}: {outcome.runs} runs, "
        f"kills {sum(outcome.kills.values())}, failed {outcome.failed_runs}, "
        f"rows {outcome.comparison.rows_expected}, {state} "
        f"({outcome.seconds:.1f} s)",
        flush=True,
    )
    return outcome


if __name__ == "__main__":
    raise SystemExit(main())
