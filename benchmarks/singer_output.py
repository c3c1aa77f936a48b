"""Reading recorded Singer output: record counts, the last STATE, tap METRIC lines."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

RECORD_PREFIXES = (b'{"type":"RECORD"', b'{"type": "RECORD"')
STATE_PREFIXES = (b'{"type":"STATE"', b'{"type": "STATE"')
METRIC = re.compile(r"METRIC: (\{.*\})")


def count_records(path: Path) -> Counter[str]:
    """Count the RECORD messages of a Singer file, by stream."""
    counts: Counter[str] = Counter()
    with path.open("rb") as lines:
        for line in lines:
            if line.startswith(RECORD_PREFIXES):
                counts[json.loads(line)["stream"]] += 1
    return counts


def last_state(path: Path) -> dict[str, Any] | None:
    """Return the last state a target wrote to its stdout, if any.

    Targets write each state as a bare JSON object per line (what Meltano
    stores); a Singer STATE message is accepted too and unwrapped.
    """
    state = None
    with path.open("rb") as lines:
        for line in lines:
            if not line.strip():
                continue
            document = json.loads(line)
            if line.startswith(STATE_PREFIXES):
                state = document["value"]
            elif isinstance(document, dict):
                state = document
    return state


def metric_record_count(stderr_path: Path) -> int:
    """Sum the singer-sdk ``record_count`` counters a plugin logged on stderr."""
    total = 0
    text = stderr_path.read_text(encoding="utf-8", errors="replace")
    for match in METRIC.finditer(text):
        try:
            metric = json.loads(match.group(1))
        except json.JSONDecodeError:
            continue
        if metric.get("metric") == "record_count":
            total += int(metric.get("value", 0))
    return total


def records_by_month(path: Path, date_property: str) -> Counter[str]:
    """Count the RECORD messages of a Singer file by ``YYYY-MM`` of a date property."""
    counts: Counter[str] = Counter()
    with path.open("rb") as lines:
        for line in lines:
            if line.startswith(RECORD_PREFIXES):
                record = json.loads(line)["record"]
                counts[str(record[date_property])[:7]] += 1
    return counts
