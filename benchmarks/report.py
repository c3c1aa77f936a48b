"""Printing the results table and writing the JSON file."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from benchmarks.results import STATUS_OK, BenchmarkResult

RUN_HEADER = (
    "program",
    "records",
    "records/s",
    "wall s",
    "CPU s",
    "peak RSS MB",
    "sandbox CPU s",
)


def _run_lines(result: BenchmarkResult) -> list[tuple[str, ...]]:
    return [
        (
            run.label,
            f"{run.records:,}",
            f"{run.records_per_s:,.0f}",
            f"{run.measurement.wall_s:.2f}",
            f"{run.measurement.cpu_s:.2f}",
            f"{run.measurement.peak_rss_mb:.1f}",
            f"{run.measurement.sandbox_cpu_s:.2f}",
        )
        for run in result.runs
    ]


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0])]
        cells += [
            cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells))
    return lines


def _figure_lines(figures: dict[str, Any]) -> list[str]:
    lines = []
    for name, value in figures.items():
        if isinstance(value, dict):
            shown = ", ".join(f"{key}={item}" for key, item in value.items())
        else:
            shown = str(value)
        lines.append(f"  {name}: {shown}")
    return lines


def render(result: BenchmarkResult) -> list[str]:
    """Return the text block of one benchmark."""
    lines = [f"== {result.title}"]
    if result.status != STATUS_OK:
        lines.append(f"  {result.status}: {result.reason}")
        return lines

    if result.runs:
        lines += ["  " + line for line in _table([RUN_HEADER, *_run_lines(result)])]
    for name, ratio in result.ratios.items():
        lines.append(f"  ratio {name}: {ratio:.2f}x")
    lines += _figure_lines(result.figures)
    for goal in result.goals:
        verdict = "met" if goal.met else "NOT MET"
        comparison = ">=" if goal.at_least else "<="
        lines.append(
            f"  goal {goal.name}: {goal.value:g} {comparison} {goal.threshold:g}"
            f" -> {verdict}"
        )

    return lines


def print_results(results: Iterable[BenchmarkResult], out: IO[str]) -> None:
    """Print every benchmark's block, separated by blank lines."""
    for result in results:
        out.write("\n".join(render(result)) + "\n\n")
    out.flush()


def write_json(document: dict[str, Any], path: Path) -> None:
    """Write the results document as indented UTF-8 JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False)
    path.write_text(text + "\n", encoding="utf-8")


def _markdown_table(rows: list[tuple[str, ...]]) -> list[str]:
    lines = ["| " + " | ".join(rows[0]) + " |"]
    lines.append("| " + " | ".join(["---"] + ["---:"] * (len(rows[0]) - 1)) + " |")
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return lines


def markdown(results: Iterable[BenchmarkResult]) -> str:
    """Return every benchmark's figures as Markdown (pasted into RESULTS.md)."""
    lines: list[str] = []
    for result in results:
        lines += [f"### {result.title}", ""]
        if result.status != STATUS_OK:
            lines += [f"{result.status}: {result.reason}", ""]
            continue
        if result.runs:
            lines += [*_markdown_table([RUN_HEADER, *_run_lines(result)]), ""]
        lines += [
            f"- ratio {name}: **{ratio:.2f}x**" for name, ratio in result.ratios.items()
        ]
        lines += [f"- {line.strip()}" for line in _figure_lines(result.figures)]
        for goal in result.goals:
            verdict = "met" if goal.met else "**not met**"
            comparison = ">=" if goal.at_least else "<="
            lines.append(
                f"- goal {goal.name}: {goal.value:g} {comparison} {goal.threshold:g}"
                f" → {verdict}"
            )
        lines.append("")
    return "\n".join(lines)
