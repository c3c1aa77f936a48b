"""The machine a run happened on: CPUs, memory, load, versions."""

from __future__ import annotations

import os
import platform
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

CPUINFO = Path("/proc/cpuinfo")
MEMINFO = Path("/proc/meminfo")


def cpu_model() -> str:
    """Return the ``model name`` of the first CPU in /proc/cpuinfo."""
    if not CPUINFO.exists():
        return platform.processor() or "unknown"

    for line in CPUINFO.read_text(encoding="utf-8").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def memory_mb() -> int:
    """Return the machine's total memory in MiB, from /proc/meminfo."""
    if not MEMINFO.exists():
        return 0

    for line in MEMINFO.read_text(encoding="utf-8").splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) // 1024
    return 0


def load_average() -> list[float]:
    """Return the 1, 5 and 15 minute load averages."""
    return [round(load, 2) for load in os.getloadavg()]


def package_version(name: str) -> str:
    """Return an installed distribution's version, or ``not installed``."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def describe() -> dict[str, Any]:
    """Return the machine and software description written with the results."""
    return {
        "date_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "cpu_model": cpu_model(),
        "memory_mb": memory_mb(),
        "load_average_at_start": load_average(),
        "python": platform.python_version(),
        "singer_sdk": package_version("singer-sdk"),
        "msgspec": package_version("msgspec"),
    }
