"""Running a measured program as a subprocess: wall time, CPU time and peak RSS."""

from __future__ import annotations

import dataclasses
import json
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

KIB_PER_MIB = 1024
LAUNCHER = Path(__file__).with_name("launcher.py")


@dataclass(frozen=True)
class Measurement:
    """What one finished process cost.

    Attributes:
        wall_s: seconds from spawn to exit.
        cpu_s: user plus system seconds of the process and its waited children.
        peak_rss_mb: the largest resident set of the process (or of a waited
            child, whichever is larger), from ``os.wait4``.
        exit_code: the process's exit code (negative for a signal).
        sandbox_cpu_s: CPU seconds the harness process (the sandboxes' server
            threads) spent meanwhile; for a pipe, over the whole pipe.
    """

    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    exit_code: int
    sandbox_cpu_s: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """Return the figures as a JSON-ready dict."""
        return asdict(self)


def harness_cpu_s() -> float:
    """Return the CPU seconds this process (the sandboxes) has used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class MeasuredProcessError(RuntimeError):
    """A measured program exited with a non-zero code."""


@dataclass
class MeasuredProcess:
    """A measured program, started through the launcher, read when it is reaped."""

    name: str
    popen: subprocess.Popen[bytes]
    started: float
    stderr_path: Path
    result_path: Path

    def reap(self) -> Measurement:
        """Wait for the program and return its measurement.

        Raises:
            MeasuredProcessError: when the launcher itself failed.
        """
        launcher_code = self.popen.wait()
        if not self.result_path.exists():
            msg = (
                f"{self.name}: the launcher exited with {launcher_code} and no figures"
            )
            raise MeasuredProcessError(msg)

        figures = json.loads(self.result_path.read_text(encoding="utf-8"))
        return Measurement(
            wall_s=figures["wall_s"],
            cpu_s=figures["cpu_s"],
            peak_rss_mb=round(figures["maxrss_kb"] / KIB_PER_MIB, 1),
            exit_code=figures["exit_code"],
        )

    def stop(self) -> None:
        """Stop the program if it still runs (used when a sibling failed)."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            self.popen.wait()


def spawn(
    name: str,
    argv: Sequence[str],
    *,
    stdin: IO[bytes] | int | None,
    stdout: IO[bytes] | int | None,
    stderr_path: Path,
    env: Mapping[str, str] | None = None,
) -> MeasuredProcess:
    """Start ``argv`` through the launcher, its stderr in ``stderr_path``."""
    result_path = stderr_path.with_suffix(".rusage.json")
    result_path.unlink(missing_ok=True)
    command = [sys.executable, "-S", str(LAUNCHER), str(result_path), "--", *argv]

    with stderr_path.open("wb") as stderr:
        started = time.perf_counter()
        popen = subprocess.Popen(
            command,
            stdin=stdin,
            stdout=stdout,
            stderr=stderr,
            env=dict(env) if env is not None else None,
        )
    return MeasuredProcess(name, popen, started, stderr_path, result_path)


def check(process: MeasuredProcess, measurement: Measurement) -> None:
    """Raise with the tail of the stderr log when the program failed.

    Raises:
        MeasuredProcessError: when the exit code is not 0.
    """
    if measurement.exit_code == 0:
        return

    text = process.stderr_path.read_text(encoding="utf-8", errors="replace")
    tail = "\n".join(text.splitlines()[-15:])
    msg = (
        f"{process.name} exited with code {measurement.exit_code}; "
        f"last lines of {process.stderr_path}:\n{tail}"
    )
    raise MeasuredProcessError(msg)


def run(
    name: str,
    argv: Sequence[str],
    *,
    stdin_path: Path | None,
    stdout_path: Path | None,
    stderr_path: Path,
    env: Mapping[str, str] | None = None,
) -> Measurement:
    """Run one program to completion; stdout to ``stdout_path`` or /dev/null."""
    stdin = stdin_path.open("rb") if stdin_path else subprocess.DEVNULL
    stdout = stdout_path.open("wb") if stdout_path else subprocess.DEVNULL
    cpu_before = harness_cpu_s()
    try:
        process = spawn(
            name, argv, stdin=stdin, stdout=stdout, stderr_path=stderr_path, env=env
        )
        measurement = process.reap()
    finally:
        for stream in (stdin, stdout):
            if not isinstance(stream, int):
                stream.close()

    check(process, measurement)
    sandbox_cpu_s = round(harness_cpu_s() - cpu_before, 3)
    return dataclasses.replace(measurement, sandbox_cpu_s=sandbox_cpu_s)


@dataclass(frozen=True)
class PipelineMeasurement:
    """A producer piped into a consumer, each measured, and the pipe's wall time."""

    producer: Measurement
    consumer: Measurement
    wall_s: float


def run_pipeline(
    producer: tuple[str, Sequence[str]],
    consumer: tuple[str, Sequence[str]],
    *,
    consumer_stdout_path: Path,
    log_dir: Path,
    env: Mapping[str, str] | None = None,
) -> PipelineMeasurement:
    """Run ``producer | consumer`` (as ``meltano run`` does) and measure both.

    Args:
        producer: name and argv of the program writing Singer messages.
        consumer: name and argv of the program reading them.
        consumer_stdout_path: where the consumer's stdout (its STATE) goes.
        log_dir: where ``<name>.stderr.log`` files are written.
        env: the environment of both programs.

    Returns:
        Both measurements and the wall time of the whole pipe.

    Raises:
        MeasuredProcessError: when either program failed.
    """
    started = time.perf_counter()
    cpu_before = harness_cpu_s()
    with consumer_stdout_path.open("wb") as consumer_stdout:
        first = spawn(
            producer[0],
            producer[1],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr_path=log_dir / f"{producer[0]}.stderr.log",
            env=env,
        )
        if first.popen.stdout is None:
            msg = f"{producer[0]}: no stdout pipe"
            raise MeasuredProcessError(msg)
        second = spawn(
            consumer[0],
            consumer[1],
            stdin=first.popen.stdout,
            stdout=consumer_stdout,
            stderr_path=log_dir / f"{consumer[0]}.stderr.log",
            env=env,
        )
        first.popen.stdout.close()
        try:
            produced = first.reap()
            consumed = second.reap()
        finally:
            first.stop()
            second.stop()

    wall_s = round(time.perf_counter() - started, 3)
    check(first, produced)
    check(second, consumed)
    sandbox_cpu_s = round(harness_cpu_s() - cpu_before, 3)
    return PipelineMeasurement(
        dataclasses.replace(produced, sandbox_cpu_s=sandbox_cpu_s),
        dataclasses.replace(consumed, sandbox_cpu_s=sandbox_cpu_s),
        wall_s,
    )
