"""`python -m sandbox serve|summary|page`: addresses, env file, clean stop."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.meltano_project import ROOT

pytestmark = pytest.mark.e2e

START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


def launch(state_dir: Path, *arguments: str) -> subprocess.Popen[str]:
    """Start ``python -m sandbox --state-dir <state_dir> <arguments>``."""
    return subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--state-dir", str(state_dir), *arguments],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for_file(path: Path, process: subprocess.Popen[str]) -> None:
    """Wait until the launcher wrote ``path`` (fails if it exited first)."""
    deadline = time.monotonic() + START_TIMEOUT
    while not path.exists():
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            pytest.fail(f"the launcher exited {process.returncode}:\n{output}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the launcher did not write {path}")
        time.sleep(0.1)


def read_env_file(path: Path) -> dict[str, str]:
    pairs = (
        line.split("=", 1)
        for line in path.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )
    return {key: value.strip("'") for key, value in pairs}


def stop(process: subprocess.Popen[str]) -> str:
    """Send SIGTERM, wait, and return what the process printed."""
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=STOP_TIMEOUT)
    return output


def test_serve_writes_loopback_addresses_and_stops_cleanly_on_sigterm(
    tmp_path: Path,
) -> None:
    state_dir = tmp_path / "sandbox"
    env_file = state_dir / "sandbox.env"
    process = launch(state_dir, "serve", "--tickets-per-day", "5")
    try:
        wait_for_file(env_file, process)
        env = read_env_file(env_file)
        with urllib.request.urlopen(env["SANDBOX_FEISHU_PAGE_URL"], timeout=10) as page:
            assert page.status == 200
    finally:
        output = stop(process)

    assert process.returncode == 0, output
    assert env["SANDBOX_YUEKEYUN_BASE_URL"].startswith("http://127.0.0.1:")
    assert env["SANDBOX_FEISHU_BASE_URL"].startswith("http://127.0.0.1:")
    assert env["SANDBOX_PID"] == str(process.pid)
    assert env["APP_KEY"] == "sandbox-app"
    assert env["FEISHU_APP_KEY"] == "cli_sandbox"
    assert env["WIKI_APP_TOKEN"]
    assert (state_dir / "feishu.sqlite3").is_file()  # the data outlives the servers
    assert env["SANDBOX_FEISHU_BASE_URL"] in output
    assert not env_file.exists()  # the addresses died with the servers


def test_a_restarted_sandbox_keeps_the_base_and_summary_lists_it(
    tmp_path: Path,
) -> None:
    state_dir = tmp_path / "sandbox"
    env_file = state_dir / "sandbox.env"
    tokens = []
    for _ in range(2):
        process = launch(state_dir, "serve", "--tickets-per-day", "5")
        try:
            wait_for_file(env_file, process)
            env = read_env_file(env_file)
            tokens.append((env["SANDBOX_FEISHU_APP_TOKEN"], env["WIKI_APP_TOKEN"]))
        finally:
            stop(process)

    summary = subprocess.run(
        [sys.executable, "-m", "sandbox", "--state-dir", str(state_dir), "summary"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )

    assert tokens[0] == tokens[1]
    assert f"({tokens[0][0]}): 0 tables" in summary.stdout


def test_page_serves_the_kept_data_alone_and_refuses_a_missing_file(
    tmp_path: Path,
) -> None:
    state_dir = tmp_path / "sandbox"
    missing = subprocess.run(
        [sys.executable, "-m", "sandbox", "--state-dir", str(state_dir), "page"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode == 2
    assert f"No Feishu sandbox data at {state_dir}" in missing.stderr
    assert "Traceback" not in missing.stderr

    server = launch(state_dir, "serve", "--tickets-per-day", "5")
    wait_for_file(state_dir / "sandbox.env", server)
    stop(server)
    page = launch(state_dir, "page")
    try:
        assert page.stdout is not None
        line = page.stdout.readline()
        while "Feishu sandbox page: " not in line:
            line = page.stdout.readline()
        url = line.split("page: ", 1)[1].split()[0]
        with urllib.request.urlopen(url, timeout=10) as answer:
            assert answer.status == 200
    finally:
        stop(page)

    assert url.startswith("http://127.0.0.1:")
    assert page.returncode == 0


def test_serve_refuses_a_negative_count_naming_the_option(tmp_path: Path) -> None:
    arguments = ["--state-dir", str(tmp_path), "serve", "--tickets-per-day", "-3"]
    refused = subprocess.run(
        [sys.executable, "-m", "sandbox", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert refused.returncode == 2
    assert (
        "argument --tickets-per-day: expected a whole number, 0 or more, got '-3'"
        in (refused.stderr)
    )
    assert not (tmp_path / "sandbox.env").exists()
