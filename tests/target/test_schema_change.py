"""A stream whose schema changes mid-run is still replaced date by date."""

from __future__ import annotations

import copy
import json

from tests.target.conftest import Feishu, run_target, singer
from tests.target.helpers import TICKET_SCHEMA, by_order, ticket, ticket_row

TABLE = "影票销售明细"


def test_schema_change_mid_run_replaces_every_date_exactly_once(
    feishu: Feishu,
) -> None:
    old = [
        ticket(f"OLD{n}", day)
        for n, day in enumerate(["2026-12-01"] * 2 + ["2026-12-02"] * 2)
    ]
    run_target(feishu.config(), singer("ticket_orders", TICKET_SCHEMA, old))

    # Day 1 and part of day 2 under the first schema, then a wider schema (a new
    # column) for the rest of day 2 and day 3, as a tap does when a column appears.
    wider = copy.deepcopy(TICKET_SCHEMA)
    wider["properties"]["新列"] = {"type": ["string", "null"]}
    first = [ticket("N1", "2026-12-01"), ticket("N2", "2026-12-02")]
    second = [
        {**ticket("N3", "2026-12-02"), "新列": "x"},
        {**ticket("N4", "2026-12-03"), "新列": "y"},
    ]
    text = singer("ticket_orders", TICKET_SCHEMA, first) + singer(
        "ticket_orders", wider, second
    )
    run_target(feishu.config(), text)

    rows = by_order(feishu.sandbox.rows(feishu.app_token, TABLE))
    assert rows == [
        ticket_row("N1", "2026-12-01"),
        ticket_row("N2", "2026-12-02"),
        {**ticket_row("N3", "2026-12-02"), "新列": "x"},
        {**ticket_row("N4", "2026-12-03"), "新列": "y"},
    ]
    assert json.dumps(rows, ensure_ascii=False).count("OLD") == 0
