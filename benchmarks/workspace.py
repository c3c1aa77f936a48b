"""Where one harness run keeps its data and logs, and how it finds programs."""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.sizes import Sizes

PROJECT_ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = PROJECT_ROOT / "benchmarks" / "out"


class ProgramNotAvailableError(RuntimeError):
    """A measured program or the sandbox it needs is not installed yet."""


@dataclass
class Workspace:
    """Directories, sizes and the artefacts the benchmarks hand one another.

    Attributes:
        data_dir: a scratch directory for generated files, removed at the end.
        log_dir: where every program's stderr is kept for reading afterwards.
        sizes: the volumes of this run.
        artefacts: files one benchmark makes and another reuses (the recorded
            tap output, by name).
    """

    data_dir: Path
    log_dir: Path
    sizes: Sizes
    artefacts: dict[str, Path] = field(default_factory=dict)

    def scratch(self, name: str) -> Path:
        """Return a fresh scratch directory ``name`` under ``data_dir``."""
        path = self.data_dir / name
        if path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True)
        return path

    def logs(self, benchmark: str) -> Path:
        """Return the (created) log directory of one benchmark."""
        path = self.log_dir / benchmark
        path.mkdir(parents=True, exist_ok=True)
        return path

    def write_json(self, path: Path, document: Any) -> Path:
        """Write a settings, catalog or state file and return its path."""
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        return path


def console_script(name: str) -> list[str]:
    """Return the argv of a console script installed next to this Python.

    Raises:
        ProgramNotAvailableError: when the script is not installed.
    """
    path = Path(sys.executable).parent / name
    if not path.exists():
        msg = f"{name} is not installed in {path.parent} (run `make install`)"
        raise ProgramNotAvailableError(msg)
    return [str(path)]


def baseline_module(module: str) -> list[str]:
    """Return the argv that runs one of the baseline modules of this package."""
    return [sys.executable, "-m", f"benchmarks.{module}"]


def program_env() -> dict[str, str]:
    """Return the environment of measured programs (baselines importable)."""
    env = dict(os.environ)
    paths = [str(PROJECT_ROOT), *filter(None, [env.get("PYTHONPATH")])]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.pop("PYTHONUNBUFFERED", None)
    return env
