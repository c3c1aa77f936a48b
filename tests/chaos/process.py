"""Running one job as its own process group, and killing it at a chosen moment."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Kill:
    """A kill to deliver: which signal, how many seconds after the start."""

    signal_number: int
    after_seconds: float

    @property
    def name(self) -> str:
        return signal.Signals(self.signal_number).name


@dataclass
class RunResult:
    """What one run of the job did."""

    returncode: int
    seconds: float
    stdout: str
    stderr: str
    killed_by: str | None
    """Name of the signal the harness sent, if it fired before the run ended."""

    @property
    def succeeded(self) -> bool:
        return self.returncode == 0 and self.killed_by is None


def _kill_group(pgid: int, signal_number: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal_number)


def run_job(
    command: Sequence[str],
    cwd: Path,
    env: Mapping[str, str],
    log_dir: Path,
    kill: Kill | None = None,
    timeout_seconds: float = 300.0,
    during_run: Callable[[], None] | None = None,
    during_run_after: float | None = None,
) -> RunResult:
    """Run ``command`` in a new session and optionally kill its process group.

    Args:
        command: the argv to run (``meltano run …``).
        cwd: working directory (the Meltano project).
        env: complete environment of the child.
        log_dir: where ``stdout.log``/``stderr.log`` of this run are written.
        kill: the signal to send to the whole group, and when.
        timeout_seconds: a run that is still alive then is SIGKILLed and reported
            with ``killed_by="timeout"``.
        during_run: a callable invoked from a timer thread while the job runs (for
            example the Feishu sandbox's ``expire_tokens``).
        during_run_after: seconds after the start to invoke ``during_run``.

    Returns:
        The exit status, duration, captured output and which kill fired.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    stdout_path, stderr_path = log_dir / "stdout.log", log_dir / "stderr.log"
    started = time.monotonic()
    with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
        child = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
        fired: list[str] = []
        timers = _arm_timers(child, kill, fired, during_run, during_run_after)
        try:
            returncode = child.wait(timeout=timeout_seconds)
        except subprocess.TimeoutExpired:
            fired.append("timeout")
            _kill_group(child.pid, signal.SIGKILL)
            returncode = child.wait()
        finally:
            for timer in timers:
                timer.cancel()
        # Children that outlived meltano (killed or not) must not linger.
        _kill_group(child.pid, signal.SIGKILL)

    return RunResult(
        returncode=returncode,
        seconds=time.monotonic() - started,
        stdout=stdout_path.read_text(encoding="utf-8", errors="replace"),
        stderr=stderr_path.read_text(encoding="utf-8", errors="replace"),
        killed_by=fired[0] if fired else None,
    )


def _arm_timers(
    child: subprocess.Popen[bytes],
    kill: Kill | None,
    fired: list[str],
    during_run: Callable[[], None] | None,
    during_run_after: float | None,
) -> list[threading.Timer]:
    timers: list[threading.Timer] = []
    if kill is not None:

        def deliver() -> None:
            if child.poll() is None:
                fired.append(kill.name)
                _kill_group(child.pid, kill.signal_number)

        timers.append(threading.Timer(kill.after_seconds, deliver))
    if during_run is not None:
        timers.append(threading.Timer(during_run_after or 0.0, during_run))
    for timer in timers:
        timer.daemon = True
        timer.start()

    return timers
