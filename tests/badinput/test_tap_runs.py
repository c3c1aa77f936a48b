"""Bad-input corpus, tap runs: the gateway sandbox's fault knobs, end to end.

The ``tap-yuekeyun`` console script syncs ``ticket_orders`` (C01) for two
business days from a gateway sandbox whose next answer is malformed. A refusal
must stop the run with an error naming the category, date or file and emit no
record of that day and no STATE past it; a documented tolerance must emit
exactly the gateway's rows.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sandbox.cinema import SyntheticCinema
from sandbox.yuekeyun import YuekeyunSandbox
from tests.chaos.compare import compare_rows
from tests.chaos.project import write_catalog
from tests.chaos.sandboxes import SHANGHAI, business_today

TAP = Path(sys.executable).with_name("tap-yuekeyun")
CODE = "C01"
STREAM = "ticket_orders"
METADATA = ("_business_date", "_cinema_link_id", "_cinema_name")


@dataclass
class TapRun:
    """What one tap run printed."""

    returncode: int
    records: list[dict[str, Any]]
    states: list[dict[str, Any]]
    stderr: str


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_catalog(tmp_path_factory.mktemp("tap") / "catalog.json", (STREAM,))


@pytest.fixture
def gateway() -> Iterator[YuekeyunSandbox]:
    now = dt.datetime.now(SHANGHAI)
    cinema = SyntheticCinema(seed=11, lease_code="bad0001", cinema_link_id="9001")
    sandbox = YuekeyunSandbox(cinemas=[cinema], data_cutoff=now)
    sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


def run_tap(
    gateway: YuekeyunSandbox, catalog: Path, tmp_path: Path, **settings: Any
) -> TapRun:
    cinema = gateway.cinemas[0]
    config = {
        "app_key": gateway.app_key,
        "secret_key": gateway.secret_key,
        "channel_code": gateway.channel_code,
        "lease_code": cinema.lease_code,
        "cinema_link_id": cinema.cinema_link_id,
        "base_url": gateway.base_url,
        "download_hosts": ["127.0.0.1"],
        "start_date": (business_today() - dt.timedelta(days=1)).isoformat(),
        **settings,
    }
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    done = subprocess.run(
        [str(TAP), "--config", str(config_path), "--catalog", str(catalog)],
        capture_output=True,
        timeout=300,
        check=False,
    )
    messages = [json.loads(line) for line in done.stdout.decode().splitlines()]
    return TapRun(
        returncode=done.returncode,
        records=[m["record"] for m in messages if m["type"] == "RECORD"],
        states=[m["value"] for m in messages if m["type"] == "STATE"],
        stderr=done.stderr.decode("utf-8", errors="replace"),
    )


def expected(gateway: YuekeyunSandbox, day: dt.date) -> list[dict[str, str]]:
    cinema = gateway.cinemas[0]
    return gateway.expected_rows(cinema.lease_code, CODE, day, cinema.cinema_link_id)


def assert_exactly(gateway: YuekeyunSandbox, run: TapRun, days: list[dt.date]) -> None:
    rows = [row for day in days for row in expected(gateway, day)]
    result = compare_rows(STREAM, rows, run.records, ignored=METADATA)
    assert result.clean, result.examples[:3]
    assert result.rows_actual == result.rows_expected == len(rows)


def _days() -> list[dt.date]:
    today = business_today()
    return [today - dt.timedelta(days=1), today]


@pytest.mark.parametrize(
    ("knob", "fragment"),
    [
        ("bad_ciphertext_length", "not a positive multiple of 16"),
        ("bad_ciphertext_padding", "PKCS#7"),
        ("garbage_url", "Download URL of"),
        ("foreign_host_url", "download_hosts"),
        ("invalid_gbk_files", "invalid GB18030 bytes"),
        ("ragged_row_files", "cells, expected"),
    ],
)
def test_a_malformed_answer_stops_the_run_and_names_it(
    gateway: YuekeyunSandbox,
    catalog: Path,
    tmp_path: Path,
    knob: str,
    fragment: str,
) -> None:
    setattr(gateway.faults, knob, 1)
    first_day = _days()[0]

    run = run_tap(gateway, catalog, tmp_path)

    assert gateway.faults.injected == {knob: 1}
    assert run.returncode != 0
    assert fragment in run.stderr
    assert f"{CODE}" in run.stderr
    # The broken day is the first one: nothing of it, nothing after it.
    assert [
        r for r in run.records if r["_business_date"] >= first_day.isoformat()
    ] == []
    assert all(STREAM not in state.get("bookmarks", {}) for state in run.states)


def test_an_unknown_column_is_kept_with_a_warning(
    gateway: YuekeyunSandbox, catalog: Path, tmp_path: Path
) -> None:
    gateway.faults.unknown_column = "新增列"

    run = run_tap(gateway, catalog, tmp_path)

    assert run.returncode == 0, run.stderr[-2000:]
    assert "'新增列'" in run.stderr
    assert "on_unknown_column" in run.stderr
    assert_exactly(gateway, run, _days())
    assert all(record["新增列"].startswith("新增列-") for record in run.records)


def test_an_unknown_column_stops_the_run_when_set_to_fail(
    gateway: YuekeyunSandbox, catalog: Path, tmp_path: Path
) -> None:
    gateway.faults.unknown_column = "新增列"

    run = run_tap(gateway, catalog, tmp_path, on_unknown_column="fail")

    assert run.returncode != 0
    assert "'新增列'" in run.stderr
    assert "on_unknown_column" in run.stderr
    assert run.records == []


def test_a_utf8_bom_file_is_read_exactly(
    gateway: YuekeyunSandbox, catalog: Path, tmp_path: Path
) -> None:
    gateway.faults.utf8_bom = True

    run = run_tap(gateway, catalog, tmp_path)

    assert run.returncode == 0, run.stderr[-2000:]
    assert_exactly(gateway, run, _days())


def test_an_empty_day_as_a_header_only_file_gives_no_rows(
    gateway: YuekeyunSandbox, catalog: Path, tmp_path: Path
) -> None:
    # Today has no sales yet: the file host sends the header alone.
    today = business_today()
    start = dt.datetime.combine(today, dt.time(6, 0), SHANGHAI)
    gateway.data_cutoff = start
    gateway.faults.empty_as_header_only = True

    run = run_tap(gateway, catalog, tmp_path)

    assert expected(gateway, today) == []
    assert run.returncode == 0, run.stderr[-2000:]
    assert [r for r in run.records if r["_business_date"] == today.isoformat()] == []
    assert_exactly(gateway, run, _days())
