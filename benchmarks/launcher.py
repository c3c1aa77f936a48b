"""Spawn one measured program and write its ``os.wait4`` resource use as JSON.

Run as ``python -S launcher.py RESULT_JSON -- ARGV...``. The harness starts the
measured programs through this small process so that their peak RSS does not
start from the harness's own (a forked child inherits its parent's high-water
mark up to ``exec``, and the harness holds the sandboxes and their caches).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from types import FrameType


def main(argv: list[str]) -> int:
    """Run ``argv[2:]``, write its figures to ``argv[0]``, return its exit code."""
    if len(argv) < 3 or argv[1] != "--":
        sys.stderr.write("usage: launcher.py RESULT_JSON -- ARGV...\n")
        return 2

    result_path, command = argv[0], argv[2:]
    started = time.perf_counter()
    pid = os.posix_spawnp(command[0], command, os.environ)

    def forward(signum: int, frame: FrameType | None) -> None:
        os.kill(pid, signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    _, status, usage = os.wait4(pid, 0)
    wall_s = time.perf_counter() - started
    exit_code = os.waitstatus_to_exitcode(status)

    figures = {
        "wall_s": round(wall_s, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "maxrss_kb": usage.ru_maxrss,
        "exit_code": exit_code,
    }
    with open(result_path, "w", encoding="utf-8") as out:
        json.dump(figures, out)

    return exit_code if exit_code >= 0 else 128 - exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
