"""The console script: discovery equals catalog.json, a real sync, --about."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from sandbox.yuekeyun import YuekeyunSandbox
from tests.tap.conftest import business_today, catalog_selecting, tap_config

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).parent / "tap-yuekeyun"
CLEAN_ENV = {
    key: value
    for key, value in os.environ.items()
    if not key.startswith("TAP_YUEKEYUN")
}


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args],
        capture_output=True,
        text=True,
        check=False,
        env=CLEAN_ENV,
        timeout=120,
    )


def test_discover_without_credentials_equals_catalog_json() -> None:
    result = run_script("--discover")
    assert result.returncode == 0, result.stderr
    committed = json.loads((ROOT / "catalog.json").read_text(encoding="utf-8"))
    assert json.loads(result.stdout) == committed


def test_about_markdown_lists_every_setting() -> None:
    result = run_script("--about", "--format=markdown")
    assert result.returncode == 0
    for setting in ("app_key", "secret_key", "download_hosts", "on_unknown_column"):
        assert f"| {setting} |" in result.stdout


def test_console_script_syncs_from_the_sandbox(
    gateway: YuekeyunSandbox, tmp_path: Path
) -> None:
    config = tap_config(gateway)
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    catalog_path = tmp_path / "catalog.json"
    catalog_path.write_text(json.dumps(catalog_selecting(config, "screenings")))

    result = run_script("--config", str(config_path), "--catalog", str(catalog_path))

    assert result.returncode == 0, result.stderr[-2000:]
    messages = [json.loads(line) for line in result.stdout.splitlines()]
    records = [m["record"] for m in messages if m["type"] == "RECORD"]
    assert {m["stream"] for m in messages if m["type"] == "SCHEMA"} == {"screenings"}
    today = business_today()
    days = [today + dt.timedelta(days=offset) for offset in (-1, 0, 1)]
    expected = [
        (row["场次号"], day.isoformat())
        for day in days
        for row in gateway.expected_rows("democs", "C18", day)
    ]
    assert [(r["场次号"], r["_business_date"]) for r in records] == expected
    assert len(expected) > 0
    assert config["secret_key"] not in result.stdout + result.stderr
    assert "Signature=" not in result.stderr
