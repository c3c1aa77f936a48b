"""One chaos sequence: runs of the main job under faults, then the comparison."""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import signal
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from tests.chaos.compare import Comparison, compare_rows
from tests.chaos.failures import explain, last_lines, reason_key
from tests.chaos.faults import FaultPlan, apply_plan, draw_plan
from tests.chaos.figures import SequenceOutcome
from tests.chaos.process import RunResult, run_job
from tests.chaos.project import MeltanoProject
from tests.chaos.sandboxes import (
    SHANGHAI,
    CinemaSpec,
    Sandboxes,
    business_today,
)
from tests.e2e.ground_truth import load_streams, synced_dates

# The streams a sequence syncs (C01, C02, C18).
STREAMS = ("ticket_orders", "concession_orders", "screenings")
SCREENING_DAYS = 3
HISTORY_DAYS = 10
METADATA_COLUMNS = ("_business_date", "_cinema_link_id", "_cinema_name")


@dataclass(frozen=True)
class SequenceConfig:
    """How a sequence behaves; the same values replay the same sequence."""

    seed: int
    sequence: int
    work_root: Path
    catalog: Path
    max_runs: int = 6
    fault_runs: int = 2
    phases: int = 2
    tickets_per_day: int = 20
    run_timeout: float = 240.0
    keep_work_dir: bool = False

    @property
    def rng_seed(self) -> int:
        return self.seed + self.sequence


class SequenceRunner:
    """Runs the job until it succeeds, under random faults, per phase."""

    def __init__(self, config: SequenceConfig, project: MeltanoProject) -> None:
        self.config = config
        self.project = project
        self.rng = random.Random(config.rng_seed)
        self.work_dir = config.work_root / f"sequence-{config.sequence:04d}"
        self.outcome = SequenceOutcome(sequence=config.sequence)
        self.expected_seconds = 8.0
        self.force_next = False
        self.today = business_today()
        self.start_date = self.today - dt.timedelta(days=HISTORY_DAYS)

    def run(self) -> SequenceOutcome:
        started = time.monotonic()
        shutil.rmtree(self.work_dir, ignore_errors=True)
        self.work_dir.mkdir(parents=True)
        sandboxes = self._make_sandboxes()
        try:
            sandboxes.start()
            self._run_phases(sandboxes)
            self.outcome.comparison = self._compare(sandboxes)
            self.outcome.injected = sandboxes.injected()
        except Exception as exc:
            self.outcome.error = f"{type(exc).__name__}: {exc}"
            self.outcome.plans.append(traceback.format_exc())
        finally:
            sandboxes.stop()
            self.outcome.seconds = time.monotonic() - started
            if self.outcome.clean and not self.config.keep_work_dir:
                shutil.rmtree(self.work_dir, ignore_errors=True)

        return self.outcome

    def _make_sandboxes(self) -> Sandboxes:
        cinema = CinemaSpec(
            seed=self.config.rng_seed,
            lease_code=f"chaos{self.config.sequence:04d}",
            cinema_link_id=str(10000 + self.config.sequence),
            name=f"混沌影城{self.config.sequence}",
            tickets_per_day=self.config.tickets_per_day,
        )
        now = dt.datetime.now(SHANGHAI)
        cutoff = now - dt.timedelta(hours=self.rng.uniform(1.0, 4.0))
        return Sandboxes(self.work_dir, cinema, cutoff)

    def _run_phases(self, sandboxes: Sandboxes) -> None:
        # Every sequence backfills; most then run again on newer data.
        phases = 1 + sum(self.rng.random() < 0.6 for _ in range(self.config.phases - 1))
        for phase in range(phases):
            if phase:
                # New rows for today: the incremental run must bring them.
                sandboxes.move_cutoff(hours=1.0)
            fault_runs = self.rng.randint(1, self.config.fault_runs)
            for attempt in range(self.config.max_runs):
                if attempt and self.rng.random() < 0.3:
                    # The source moves on while the job is being re-run.
                    sandboxes.move_cutoff(hours=1 / 3)
                faulty = attempt < fault_runs
                plan = (
                    draw_plan(self.rng, self.expected_seconds)
                    if faulty
                    else FaultPlan()
                )
                if self._one_run(sandboxes, phase, attempt, plan):
                    break
            else:
                self.outcome.converged = False
                return
        self.outcome.converged = True

    def _one_run(
        self, sandboxes: Sandboxes, phase: int, attempt: int, plan: FaultPlan
    ) -> bool:
        apply_plan(plan, sandboxes.gateway.faults, sandboxes.feishu.faults)
        label = f"phase {phase} run {attempt}"
        self.outcome.plans.append(f"{label}: {plan.describe()}")
        marks = sandboxes.journal_sizes()
        result = run_job(
            self.project.command(force=self.force_next),
            cwd=self.project.root,
            env=self._env(sandboxes),
            log_dir=self.work_dir / f"phase{phase}-run{attempt}",
            kill=plan.kill,
            timeout_seconds=self.config.run_timeout,
            during_run=(
                sandboxes.feishu.expire_tokens
                if plan.expire_tokens_after is not None
                else None
            ),
            during_run_after=plan.expire_tokens_after,
        )
        self.outcome.retries.update(sandboxes.retries_since(marks))
        self._count(result, label)

        return result.succeeded

    def _count(self, result: RunResult, label: str) -> None:
        outcome = self.outcome
        outcome.runs += 1
        if result.killed_by is not None:
            # The killed run stays "running" in Meltano's database; like the next
            # hourly run after its 5-minute staleness, later runs pass --force.
            self.force_next = True
            outcome.kills[result.killed_by] += 1
            outcome.plans.append(f"{label}: killed by {result.killed_by}")
            return
        if result.succeeded:
            # Place later kills inside a typical run.
            self.expected_seconds = 0.5 * self.expected_seconds + 0.5 * result.seconds
            return

        outcome.failed_runs += 1
        output = result.stderr + "\n" + result.stdout
        explanation = explain(output)
        if explanation is None:
            outcome.failed_runs_without_message.append(
                f"{label} exit {result.returncode}: {last_lines(output)}"
            )
            return
        outcome.plans.append(f"{label}: failed: {explanation[:300]}")
        outcome.failure_reasons[reason_key(explanation)] += 1

    def _env(self, sandboxes: Sandboxes) -> dict[str, str]:
        env = self.project.sequence_env(self.work_dir)
        env.update(job_settings(sandboxes, self.start_date, self.config.catalog))
        return env

    def _compare(self, sandboxes: Sandboxes) -> Comparison:
        """Compare every Feishu table with the gateway for the synced dates."""
        streams = load_streams()
        today = business_today()
        tables = sandboxes.feishu_tables()
        claimed: set[str] = set()
        total = Comparison()
        for stream in STREAMS:
            facts = streams[stream]
            dates = synced_dates(facts.code, self.start_date, today, SCREENING_DAYS)
            expected = sandboxes.expected_rows(facts.code, dates)
            mine = [table for table in tables if table_belongs_to(table, facts.title)]
            claimed.update(mine)
            actual = [row for table in mine for row in sandboxes.feishu_rows(table)]
            total.add(
                compare_rows(facts.title, expected, actual, ignored=METADATA_COLUMNS)
            )

        for table in sorted(set(tables) - claimed):
            # A table no stream owns: every row in it is wrong.
            total.add(compare_rows(table, [], sandboxes.feishu_rows(table)))

        return total


def job_settings(
    sandboxes: Sandboxes,
    start_date: dt.date,
    catalog: Path,
    gateway_url: str | None = None,
    feishu_url: str | None = None,
) -> dict[str, str]:
    """The environment that points the sandbox environment of meltano.yml at us.

    Args:
        sandboxes: the started sandboxes (credentials, cinema, wiki node).
        start_date: first business date to backfill.
        catalog: the catalog file with the selected streams.
        gateway_url: another gateway address (a recording proxy), if any.
        feishu_url: another Feishu address (a recording proxy), if any.
    """
    cinema = sandboxes.cinema
    selection = [f"{stream}.*" for stream in STREAMS]
    return {
        "SANDBOX_YUEKEYUN_BASE_URL": gateway_url or sandboxes.gateway_url,
        "SANDBOX_FEISHU_BASE_URL": feishu_url or sandboxes.feishu_url,
        "SANDBOX_START_DATE": start_date.isoformat(),
        "APP_KEY": sandboxes.gateway.app_key,
        "SECRET_KEY": sandboxes.gateway.secret_key,
        "CHANNEL_CODE": sandboxes.gateway.channel_code,
        "LEASE_CODE": cinema.lease_code,
        "CINEMA_LINK_ID": cinema.cinema_link_id,
        "TAP_YUEKEYUN_CINEMA_NAME": cinema.name,
        "TAP_YUEKEYUN_SCREENING_DAYS_AHEAD": str(SCREENING_DAYS),
        "TAP_YUEKEYUN__SELECT": json.dumps(selection),
        "TAP_YUEKEYUN__CATALOG": str(catalog),
        "FEISHU_APP_KEY": sandboxes.feishu_app_id,
        "FEISHU_APP_SECRET": sandboxes.feishu_app_secret,
        "WIKI_APP_TOKEN": sandboxes.wiki_node_token,
    }


def table_belongs_to(table: str, title: str) -> bool:
    """A table named after ``title``, bare or with a period suffix."""
    return table == title or table.startswith(title + " ")


def run_sequence(config: SequenceConfig, project: MeltanoProject) -> SequenceOutcome:
    """Entry point for a worker process."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    return SequenceRunner(config, project).run()
