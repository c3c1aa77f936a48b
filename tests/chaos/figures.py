"""The figures of a chaos run: what was injected, what was found."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tests.chaos.compare import Comparison


@dataclass
class SequenceOutcome:
    """What one sequence did and found."""

    sequence: int
    runs: int = 0
    kills: Counter[str] = field(default_factory=Counter)
    failed_runs: int = 0
    failed_runs_without_message: list[str] = field(default_factory=list)
    converged: bool = False
    injected: Counter[str] = field(default_factory=Counter)
    retries: Counter[str] = field(default_factory=Counter)
    failure_reasons: Counter[str] = field(default_factory=Counter)
    comparison: Comparison = field(default_factory=Comparison)
    plans: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None

    @property
    def clean(self) -> bool:
        return (
            self.converged
            and self.error is None
            and self.comparison.clean
            and not self.failed_runs_without_message
        )


@dataclass
class Figures:
    """Totals over all sequences."""

    seed: int
    sequences: int = 0
    runs: int = 0
    kills: Counter[str] = field(default_factory=Counter)
    failed_runs: int = 0
    failed_runs_with_message: int = 0
    failed_runs_without_message: int = 0
    not_converged: int = 0
    harness_errors: int = 0
    faults_injected: Counter[str] = field(default_factory=Counter)
    retries: Counter[str] = field(default_factory=Counter)
    failure_reasons: Counter[str] = field(default_factory=Counter)
    rows_compared: int = 0
    rows_in_feishu: int = 0
    missing: int = 0
    duplicated: int = 0
    wrong: int = 0
    seconds: float = 0.0
    bad_sequences: list[dict[str, Any]] = field(default_factory=list)

    def add(self, outcome: SequenceOutcome) -> None:
        self.sequences += 1
        self.runs += outcome.runs
        self.kills.update(outcome.kills)
        self.failed_runs += outcome.failed_runs
        without = len(outcome.failed_runs_without_message)
        self.failed_runs_without_message += without
        self.failed_runs_with_message += outcome.failed_runs - without
        self.not_converged += 0 if outcome.converged else 1
        self.harness_errors += 1 if outcome.error else 0
        self.faults_injected.update(outcome.injected)
        self.retries.update(outcome.retries)
        self.failure_reasons.update(outcome.failure_reasons)
        self.rows_compared += outcome.comparison.rows_expected
        self.rows_in_feishu += outcome.comparison.rows_actual
        self.missing += outcome.comparison.missing
        self.duplicated += outcome.comparison.duplicated
        self.wrong += outcome.comparison.wrong
        if not outcome.clean:
            self.bad_sequences.append(_describe_bad(outcome))

    @property
    def clean(self) -> bool:
        return (
            self.missing == 0
            and self.duplicated == 0
            and self.wrong == 0
            and self.not_converged == 0
            and self.harness_errors == 0
            and self.failed_runs_without_message == 0
        )

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["kills"] = dict(sorted(self.kills.items()))
        data["faults_injected"] = dict(sorted(self.faults_injected.items()))
        data["retries"] = dict(sorted(self.retries.items()))
        data["failure_reasons"] = dict(self.failure_reasons.most_common())
        data["clean"] = self.clean
        return data

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.as_json(), ensure_ascii=False, indent=2)
        path.write_text(text + "\n", encoding="utf-8")

    def report(self) -> str:
        lines = [
            f"seed {self.seed}: {self.sequences} sequences, {self.runs} runs "
            f"in {self.seconds:.0f} s",
            "kills: " + _counts(self.kills),
            f"failed runs (not killed): {self.failed_runs}, "
            f"with a message saying what failed: {self.failed_runs_with_message}, "
            f"without: {self.failed_runs_without_message}",
            f"sequences that did not converge: {self.not_converged}; "
            f"harness errors: {self.harness_errors}",
            "faults injected: " + _counts(self.faults_injected),
            "why failed runs failed (as their output says):",
            *(
                f"  {count} x {reason}"
                for reason, count in self.failure_reasons.most_common(12)
            ),
            "retries seen by the sandboxes: " + _counts(self.retries),
            f"rows compared: {self.rows_compared} (rows in Feishu: "
            f"{self.rows_in_feishu})",
            f"missing: {self.missing}, duplicated: {self.duplicated}, "
            f"wrong: {self.wrong}",
            "RESULT: " + ("CLEAN" if self.clean else "MISMATCHES FOUND"),
        ]
        for bad in self.bad_sequences[:20]:
            lines.append(f"  sequence {bad['sequence']}: {bad['summary']}")
            lines.append(f"    replay: {bad['replay']}")

        return "\n".join(lines)


def markdown(data: dict[str, Any]) -> str:
    """The figures of ``as_json()`` as the table of docs/reliability.md."""
    kills = data["kills"]
    rows = [
        ("sequences", data["sequences"]),
        ("runs of the main job", data["runs"]),
        ("kills (SIGKILL / SIGTERM)", _pair(kills, "SIGKILL", "SIGTERM")),
        ("faults injected", sum(data["faults_injected"].values())),
        ("retries seen by the sandboxes", sum(data["retries"].values())),
        ("failed runs (not killed)", data["failed_runs"]),
        ("… that said what failed", data["failed_runs_with_message"]),
        ("sequences that did not converge", data["not_converged"]),
        ("rows compared", data["rows_compared"]),
        ("missing rows", data["missing"]),
        ("duplicated rows", data["duplicated"]),
        ("wrong rows", data["wrong"]),
    ]
    lines = ["| figure | value |", "| --- | ---: |"]
    lines += [f"| {name} | {value} |" for name, value in rows]
    lines += ["", "| fault | injected |", "| --- | ---: |"]
    lines += [f"| `{k}` | {v} |" for k, v in sorted(data["faults_injected"].items())]
    lines += ["", "| retried requests | count |", "| --- | ---: |"]
    lines += [f"| {k} | {v} |" for k, v in sorted(data["retries"].items())]
    lines += ["", "| why the failed runs failed (their own words) | runs |"]
    lines += ["| --- | ---: |"]
    lines += [f"| {k} | {v} |" for k, v in data["failure_reasons"].items()]

    return "\n".join(lines)


def _pair(counter: dict[str, int], first: str, second: str) -> str:
    total = counter.get(first, 0) + counter.get(second, 0)
    return f"{total} ({counter.get(first, 0)} / {counter.get(second, 0)})"


def _counts(counter: Counter[str]) -> str:
    total = sum(counter.values())
    inner = ", ".join(f"{name} {count}" for name, count in sorted(counter.items()))
    return f"{total} ({inner})" if inner else "0"


def _describe_bad(outcome: SequenceOutcome) -> dict[str, Any]:
    comparison = outcome.comparison
    summary = (
        f"missing {comparison.missing}, duplicated {comparison.duplicated}, "
        f"wrong {comparison.wrong}, converged {outcome.converged}, "
        f"failed runs without message {len(outcome.failed_runs_without_message)}"
    )
    if outcome.error:
        summary += f", harness error: {outcome.error}"
    examples = [
        {
            "kind": example.kind,
            "table": example.table,
            "expected_copies": example.expected_copies,
            "actual_copies": example.actual_copies,
            "row": dict(example.row),
        }
        for example in comparison.examples[:5]
    ]
    return {
        "sequence": outcome.sequence,
        "summary": summary,
        "plans": outcome.plans,
        "failed_runs_without_message": outcome.failed_runs_without_message,
        "examples": examples,
        "replay": "",
    }
