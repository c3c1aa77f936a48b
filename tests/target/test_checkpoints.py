"""Input cut short: records without a STATE after them are not finalised."""

from __future__ import annotations

import io
import json
import logging
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from target_feishu.target import TargetFeishu
from tests.target.conftest import Feishu, run_target, singer
from tests.target.helpers import TICKET_SCHEMA, by_order, ticket, ticket_row

TARGET = str(Path(sys.executable).parent / "target-feishu")
TABLE = "影票销售明细"
DAYS = ["2026-12-01", "2026-12-02", "2026-12-03"]
REASON = (
    "input ended without a STATE after the last records: the source may have "
    "stopped early"
)


def load_old_rows(feishu: Feishu) -> None:
    """A completed earlier run: two OLD rows on each of three days."""
    old = [ticket(f"OLD{day}-{n}", day) for day in DAYS for n in range(2)]
    run_target(feishu.config(), singer("t", TICKET_SCHEMA, old))


def new_records() -> list[dict]:
    """The next run's records: 12-01 and 12-03 only (12-02 vanished)."""
    return [ticket(f"NEW{day}", day, price=50) for day in (DAYS[0], DAYS[2])]


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]


def test_input_ending_without_state_keeps_the_newest_dates_old_rows(
    feishu: Feishu, caplog: pytest.LogCaptureFixture
) -> None:
    load_old_rows(feishu)
    caplog.clear()

    states = run_target(
        feishu.config(),
        singer("t", TICKET_SCHEMA, new_records(), trailing_state=False),
    )

    assert states == []
    # 12-01 is complete (a later date followed); 12-02 is a gap that is not
    # emptied; 12-03 keeps its old rows next to the new one: no hole anywhere.
    assert by_order(feishu.sandbox.rows(feishu.app_token, TABLE)) == by_order(
        [
            ticket_row("NEW2026-12-01", DAYS[0], price=50),
            ticket_row("NEW2026-12-03", DAYS[2], price=50),
            ticket_row("OLD2026-12-02-0", DAYS[1]),
            ticket_row("OLD2026-12-02-1", DAYS[1]),
            ticket_row("OLD2026-12-03-0", DAYS[2]),
            ticket_row("OLD2026-12-03-1", DAYS[2]),
        ]
    )
    found = warnings(caplog)
    assert (
        f"Stream 't': table {TABLE!r}: dates left unfinished (old rows kept, gap "
        f"dates not emptied) for (cinema, date) [('1001', '2026-12-03')]: {REASON}"
    ) in found
    assert any(w.startswith("Stream 't': " + REASON) for w in found)


def test_input_ending_with_state_leaves_exactly_the_new_rows(
    feishu: Feishu, caplog: pytest.LogCaptureFixture
) -> None:
    load_old_rows(feishu)
    caplog.clear()

    run_target(feishu.config(), singer("t", TICKET_SCHEMA, new_records()))

    assert by_order(feishu.sandbox.rows(feishu.app_token, TABLE)) == [
        ticket_row("NEW2026-12-01", DAYS[0], price=50),
        ticket_row("NEW2026-12-03", DAYS[2], price=50),
    ]
    assert not [w for w in warnings(caplog) if REASON in w]


def test_records_after_the_last_state_are_not_finalised(feishu: Feishu) -> None:
    load_old_rows(feishu)
    first = singer("t", TICKET_SCHEMA, [ticket("NEW-A", DAYS[0])])
    tail = json.dumps(
        {"type": "RECORD", "stream": "t", "record": ticket("NEW-B", DAYS[1])},
        ensure_ascii=False,
    )

    run_target(feishu.config(), first + tail + "\n")

    rows = feishu.sandbox.rows(feishu.app_token, TABLE)
    assert sorted(row["订单号"] for row in rows) == [
        "NEW-A",
        "NEW-B",
        "OLD2026-12-02-0",
        "OLD2026-12-02-1",
        "OLD2026-12-03-0",
        "OLD2026-12-03-1",
    ]


def test_overwrite_without_trailing_state_keeps_the_old_rows(
    feishu: Feishu, caplog: pytest.LogCaptureFixture
) -> None:
    config = feishu.config(load_method="overwrite")
    run_target(config, singer("t", TICKET_SCHEMA, [ticket("A", DAYS[0])]))

    run_target(
        config,
        singer("t", TICKET_SCHEMA, [ticket("B", DAYS[1])], trailing_state=False),
    )

    assert by_order(feishu.sandbox.rows(feishu.app_token, TABLE)) == [
        ticket_row("A", DAYS[0]),
        ticket_row("B", DAYS[1]),
    ]
    assert (
        f"Stream 't': table {TABLE!r} keeps its 1 old rows (overwrite not "
        f"finished): {REASON}"
    ) in warnings(caplog)


def test_sigterm_drains_keeps_unfinished_dates_and_exits_143(
    feishu: Feishu, tmp_path: Path
) -> None:
    load_old_rows(feishu)
    config = tmp_path / "config.json"
    config.write_text(json.dumps(feishu.config()), encoding="utf-8")
    # A second stream's SCHEMA after the records: once the target logs it, the
    # records before it have been read.
    marker_schema = {"type": "object", "properties": {"id": {"type": "integer"}}}
    marker = {"type": "SCHEMA", "stream": "marker", "schema": marker_schema}
    text = singer("t", TICKET_SCHEMA, new_records(), trailing_state=False)
    text += json.dumps(marker) + "\n"

    process = subprocess.Popen(
        [TARGET, "--config", str(config)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None
    assert process.stderr is not None
    process.stdin.write(text)
    process.stdin.flush()  # stdin stays open: the tap is still running
    seen = threading.Event()
    lines: list[str] = []

    def read_stderr() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            if "Stream 'marker': load_method" in line:
                seen.set()

    reader = threading.Thread(target=read_stderr)
    reader.start()
    try:
        assert seen.wait(60), "".join(lines)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        process.stdin.close()
        reader.join(timeout=30)

    assert process.returncode == 128 + signal.SIGTERM, "".join(lines)
    stderr = "".join(lines)
    assert "Received signal 15; writing the records read so far" in stderr
    assert REASON in stderr
    assert sorted(
        row["订单号"] for row in feishu.sandbox.rows(feishu.app_token, TABLE)
    ) == [
        "NEW2026-12-01",
        "NEW2026-12-03",
        "OLD2026-12-02-0",
        "OLD2026-12-02-1",
        "OLD2026-12-03-0",
        "OLD2026-12-03-1",
    ]


class SignalOnLog(logging.Handler):
    """Delivers a signal to the target from inside one of its log calls.

    That is where SIGTERM often lands (the main thread holds the log handler's
    lock); a drain run inside the signal handler then deadlocks on that lock.
    """

    def __init__(self, target: TargetFeishu, text: str) -> None:
        super().__init__()
        self.target = target
        self.text = text

    def emit(self, record: logging.LogRecord) -> None:
        if self.text in record.getMessage():
            self.target._handle_termination(signal.SIGTERM, None)


def test_signal_inside_a_log_call_finishes_the_message_then_drains(
    feishu: Feishu, caplog: pytest.LogCaptureFixture
) -> None:
    load_old_rows(feishu)
    other = {"type": "object", "properties": {"id": {"type": "integer"}}}
    text = singer("t", TICKET_SCHEMA, new_records(), trailing_state=False)
    text += singer("other", other, [{"id": 1}], trailing_state=False)
    text += singer("late", other, [{"id": 2}], trailing_state=False)
    target = TargetFeishu(config=feishu.config(), parse_env_config=False)
    trigger = SignalOnLog(target, "Stream 'other': load_method")
    logging.getLogger("target-feishu").addHandler(trigger)
    try:
        with pytest.raises(SystemExit) as caught:
            target.listen(file_input=io.StringIO(text))
    finally:
        logging.getLogger("target-feishu").removeHandler(trigger)

    assert caught.value.code == 128 + signal.SIGTERM
    # Reading stopped after the SCHEMA being processed: 'other' has no records,
    # 'late' was never read; 't' was drained under the no-STATE rule.
    assert feishu.sandbox.table_names(feishu.app_token) == [TABLE]
    assert sorted(
        row["订单号"] for row in feishu.sandbox.rows(feishu.app_token, TABLE)
    ) == [
        "NEW2026-12-01",
        "NEW2026-12-03",
        "OLD2026-12-02-0",
        "OLD2026-12-02-1",
        "OLD2026-12-03-0",
        "OLD2026-12-03-1",
    ]
    assert (
        "Received signal 15; writing the records read so far, then exiting with "
        "code 143"
    ) in warnings(caplog)
