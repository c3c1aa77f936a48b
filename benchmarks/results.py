"""The figures a benchmark produces: program runs, ratios and goals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from benchmarks.measure import Measurement

STATUS_OK = "ok"
STATUS_NOT_AVAILABLE = "not available"
STATUS_FAILED = "failed"


@dataclass(frozen=True)
class ProgramRun:
    """One measured program over a known number of records."""

    label: str
    records: int
    measurement: Measurement

    @property
    def records_per_s(self) -> float:
        """Records per wall-clock second."""
        return round(self.records / max(self.measurement.wall_s, 1e-9), 1)

    def as_dict(self) -> dict[str, Any]:
        """Return the run as a JSON-ready dict."""
        return {
            "records": self.records,
            "records_per_s": self.records_per_s,
            **self.measurement.as_dict(),
        }


@dataclass(frozen=True)
class Goal:
    """A target figure: ``value`` compared with ``threshold``.

    Attributes:
        name: what is compared, in words.
        value: the measured figure.
        threshold: the figure the goal asks for.
        at_least: True when ``value`` must reach ``threshold``, False when it
            must stay at or below it.
    """

    name: str
    value: float
    threshold: float
    at_least: bool

    @property
    def met(self) -> bool:
        """Whether the measured value satisfies the goal."""
        if self.at_least:
            return self.value >= self.threshold
        return self.value <= self.threshold

    def as_dict(self) -> dict[str, Any]:
        """Return the goal as a JSON-ready dict."""
        return {
            "name": self.name,
            "value": self.value,
            "threshold": self.threshold,
            "comparison": ">=" if self.at_least else "<=",
            "met": self.met,
        }


@dataclass
class BenchmarkResult:
    """Everything one benchmark reports, or why it could not run."""

    key: str
    title: str
    status: str = STATUS_OK
    reason: str = ""
    runs: list[ProgramRun] = field(default_factory=list)
    ratios: dict[str, float] = field(default_factory=dict)
    goals: list[Goal] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    def run(self, label: str) -> ProgramRun:
        """Return the run named ``label``."""
        for program_run in self.runs:
            if program_run.label == label:
                return program_run
        msg = f"{self.key}: no run labelled {label!r}"
        raise KeyError(msg)

    def as_dict(self) -> dict[str, Any]:
        """Return the result as a JSON-ready dict."""
        return {
            "title": self.title,
            "status": self.status,
            "reason": self.reason,
            "runs": {run.label: run.as_dict() for run in self.runs},
            "ratios": self.ratios,
            "goals": [goal.as_dict() for goal in self.goals],
            "figures": self.figures,
        }


def speed_ratio(result: BenchmarkResult, measured: str, baseline: str) -> float:
    """Return how many times more records/s ``measured`` did than ``baseline``."""
    fast = result.run(measured).records_per_s
    slow = result.run(baseline).records_per_s
    return round(fast / max(slow, 1e-9), 2)


def cpu_ratio(result: BenchmarkResult, measured: str, baseline: str) -> float:
    """Return how many times less CPU ``measured`` used than ``baseline``.

    Less sensitive than wall time to other load on the machine; reported next
    to the speed ratio, while the goals stay on records per wall second.
    """
    used = result.run(measured).measurement.cpu_s
    baseline_used = result.run(baseline).measurement.cpu_s
    return round(baseline_used / max(used, 1e-9), 2)
