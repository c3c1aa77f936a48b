"""Bad-input corpus, target side: Singer input the target can be handed.

Each ``singer/*.singer`` file goes to the ``target-feishu`` console script on
stdin, against a Feishu sandbox. The outcome is exact: exit status, the STATE
lines let through, the rows in every table, and an error that names the input.
Nothing is written for a run that fails on its input (the batch is never
drained), and no STATE passes it, so the next run re-delivers everything.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sandbox.feishu import FeishuSandbox

CORPUS = Path(__file__).with_name("singer")
TARGET = Path(sys.executable).with_name("target-feishu")
APP_ID, APP_SECRET = "cli_badinput", "badinput-secret"
STATE = {"bookmarks": {"ticket_orders": {"replication_key_value": "2026-12-01"}}}
TITLE = "影票销售明细"


@dataclass
class Outcome:
    """What one target run did."""

    returncode: int
    states: list[dict[str, Any]]
    stderr: str
    rows: dict[str, list[dict[str, Any]]]
    fields: dict[str, list[str]]


@pytest.fixture
def feishu() -> Iterator[tuple[FeishuSandbox, str, str]]:
    sandbox = FeishuSandbox(db_path=None, apps={APP_ID: APP_SECRET})
    base_url = sandbox.start()
    try:
        yield sandbox, base_url, sandbox.create_base("坏输入", collaborators=[APP_ID])
    finally:
        sandbox.stop()


def run_target(
    feishu: tuple[FeishuSandbox, str, str], name: str, tmp_path: Path
) -> Outcome:
    sandbox, base_url, app_token = feishu
    config = tmp_path / "config.json"
    config.write_text(
        json.dumps(
            {
                "app_id": APP_ID,
                "app_secret": APP_SECRET,
                "app_token": app_token,
                "base_url": base_url,
                "request_timeout": 5,
            }
        ),
        encoding="utf-8",
    )
    with (CORPUS / name).open("rb") as stdin:
        done = subprocess.run(
            [str(TARGET), "--config", str(config)],
            stdin=stdin,
            capture_output=True,
            timeout=120,
            check=False,
        )
    tables = sandbox.table_names(app_token)
    return Outcome(
        returncode=done.returncode,
        states=[json.loads(line) for line in done.stdout.decode().splitlines()],
        stderr=done.stderr.decode("utf-8", errors="replace"),
        rows={table: sandbox.rows(app_token, table) for table in tables},
        fields={
            table: [name for name, _ in sandbox.fields(app_token, table)]
            for table in tables
        },
    )


def orders(outcome: Outcome) -> dict[str, list[str | None]]:
    return {
        table: [row.get("订单号") for row in rows]
        for table, rows in outcome.rows.items()
    }


def test_good_input_writes_its_rows_then_lets_the_state_through(
    feishu: tuple[FeishuSandbox, str, str], tmp_path: Path
) -> None:
    outcome = run_target(feishu, "good.singer", tmp_path)

    assert outcome.returncode == 0, outcome.stderr[-2000:]
    assert orders(outcome) == {TITLE: ["A1", "A2", "B1"]}
    assert outcome.states == [STATE]


def test_an_empty_period_writes_nothing_and_keeps_the_state(
    feishu: tuple[FeishuSandbox, str, str], tmp_path: Path
) -> None:
    # Documented tolerance: a stream without records creates no table.
    outcome = run_target(feishu, "empty_period.singer", tmp_path)

    assert outcome.returncode == 0, outcome.stderr[-2000:]
    assert outcome.rows == {}
    assert outcome.states == [STATE]


def test_a_new_column_becomes_a_new_field_and_no_row_is_lost(
    feishu: tuple[FeishuSandbox, str, str], tmp_path: Path
) -> None:
    outcome = run_target(feishu, "new_column.singer", tmp_path)

    assert outcome.returncode == 0, outcome.stderr[-2000:]
    assert orders(outcome) == {TITLE: ["A1", "A2"]}
    assert "券ID" in outcome.fields[TITLE]
    assert [row.get("券ID") for row in outcome.rows[TITLE]] == [None, "Q-1"]
    assert outcome.states == [STATE]


@pytest.mark.parametrize(
    ("name", "fragments"),
    [
        (
            "not_json.singer",
            ["Unable to parse line as JSON", '{"type": "RECORD", "stream"'],
        ),
        ("not_an_object.singer", ["missing required type key"]),
        ("schema_violation.singer", ["'three' is not valid for property '影票数'"]),
        ("unknown_stream.singer", ["stream 'nope'", "before a corresponding schema"]),
        (
            "record_before_schema.singer",
            ["stream 'ticket_orders'", "before a corresponding schema"],
        ),
        ("missing_business_date.singer", ["'_business_date'", "date_property"]),
        (
            "long_title.singer",
            ["has 101 characters (Feishu allows 100)", "table_name_template"],
        ),
        ("forbidden_title.singer", ["contains '/'", "table_name"]),
    ],
)
def test_bad_input_stops_the_target_naming_it_and_writes_nothing(
    feishu: tuple[FeishuSandbox, str, str],
    tmp_path: Path,
    name: str,
    fragments: list[str],
) -> None:
    outcome = run_target(feishu, name, tmp_path)

    assert outcome.returncode != 0
    assert outcome.states == []
    assert orders(outcome) in ({}, {TITLE: []})
    missing = [fragment for fragment in fragments if fragment not in outcome.stderr]
    assert missing == [], (
        f"{name}: the error output does not name the problem; last lines:\n"
        + "\n".join(outcome.stderr.strip().splitlines()[-5:])
    )


def test_input_ending_without_a_state_keeps_the_old_rows_of_its_newest_date(
    feishu: tuple[FeishuSandbox, str, str], tmp_path: Path
) -> None:
    # A re-delivery that ends without a STATE (the source stopped early): the
    # newest date may be partial, so its old rows stay beside the new ones (no
    # hole) until the next run re-delivers it; earlier dates are replaced.
    first = run_target(feishu, "good.singer", tmp_path)
    again = run_target(feishu, "no_final_state.singer", tmp_path)

    assert first.returncode == 0, first.stderr[-2000:]
    assert again.returncode == 0, again.stderr[-2000:]
    assert again.states == []
    held = orders(again)[TITLE]
    assert sorted(held, key=str) == ["A1", "A2", "B1", "B1"]
    assert "dates left unfinished" in again.stderr
    assert "('1001', '2026-12-01')" in again.stderr

    # The next complete delivery replaces the unfinished date exactly.
    third = run_target(feishu, "good.singer", tmp_path)
    assert third.returncode == 0, third.stderr[-2000:]
    assert sorted(orders(third)[TITLE], key=str) == ["A1", "A2", "B1"]
