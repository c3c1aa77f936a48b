"""The main job, `meltano run tap-yuekeyun target-feishu`, twice on the sandboxes."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from sandbox.yuekeyun import YuekeyunSandbox
from tests.e2e.conftest import (
    CINEMA_LINK_ID,
    CINEMA_NAME,
    FEISHU_APP_SECRET,
    GATEWAY_SECRET_KEY,
    LOOKBACK_DAYS,
    FeishuBase,
    tap_env,
)
from tests.e2e.ground_truth import (
    SCREENINGS,
    StreamFacts,
    Window,
    feishu_value,
    load_streams,
    synced_dates,
    truth_rows,
)
from tests.e2e.meltano_project import MeltanoProject

pytestmark = pytest.mark.e2e

Query = tuple[str, str, str]  # (dataType, searchDateType, searchDate)
CanonicalRow = tuple[tuple[str, Any], ...]


def default_streams() -> list[StreamFacts]:
    """The categories a run syncs without any `select`."""
    return [facts for facts in load_streams().values() if facts.selected_by_default]


def successful_queries(gateway: YuekeyunSandbox, since: int) -> Counter[Query]:
    """Answered gateway calls from ``since`` on, by category, type and date."""
    return Counter(
        (call.data_type or "", call.search_date_type or "", call.search_date or "")
        for call in gateway.calls[since:]
        if call.status == 200
    )


def day_queries(code: str, first: date, today: date, ahead: int) -> Counter[Query]:
    """One ``day`` query per date a run from ``first`` must fetch."""
    return Counter(
        (code, "day", day.isoformat())
        for day in synced_dates(code, first, today, ahead)
    )


def canonical(row: dict[str, Any]) -> CanonicalRow:
    """A row as a sorted, hashable tuple; numbers compare by value."""
    items = []
    for name, value in row.items():
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            items.append((name, value))
        else:
            items.append((name, Decimal(str(value)).normalize()))
    return tuple(sorted(items))


def expected_feishu_rows(
    gateway: YuekeyunSandbox, facts: StreamFacts, window: Window
) -> Counter[CanonicalRow]:
    """The sandbox's rows as the Feishu table must hold them."""
    expected: Counter[CanonicalRow] = Counter()
    for day, rows in truth_rows(gateway, facts, window).items():
        for row in rows:
            typed = {
                name: feishu_value(cell, facts.column_types.get(name, "string"))
                for name, cell in row.items()
            }
            typed |= {
                "_business_date": feishu_value(day.isoformat(), "date"),
                "_cinema_link_id": CINEMA_LINK_ID,
                "_cinema_name": CINEMA_NAME,
            }
            expected[canonical({k: v for k, v in typed.items() if v is not None})] += 1
    return expected


def assert_tables_equal_truth(
    feishu: FeishuBase, gateway: YuekeyunSandbox, window: Window
) -> None:
    """Every default stream's table holds exactly the sandbox's rows."""
    streams = default_streams()
    tables = feishu.sandbox.table_names(feishu.app_token)
    assert set(tables) <= {facts.title for facts in streams}

    for facts in streams:
        expected = expected_feishu_rows(gateway, facts, window)
        if facts.title not in tables:
            assert not expected, f"{facts.stream}: no table {facts.title!r}"
            continue
        stored = Counter(
            canonical(row) for row in feishu.sandbox.rows(feishu.app_token, facts.title)
        )
        missing = list((expected - stored).elements())[:3]
        extra = list((stored - expected).elements())[:3]
        assert stored == expected, (
            f"{facts.stream}: {stored.total()} rows stored, {expected.total()} "
            f"expected; missing e.g. {missing}; unexpected e.g. {extra}"
        )


def test_main_job_backfills_then_refetches_only_the_lookback_window(
    project: MeltanoProject,
    gateway: YuekeyunSandbox,
    feishu: FeishuBase,
    window: Window,
) -> None:
    project.extra_env |= tap_env(gateway, window) | feishu.env()
    codes = [facts.code for facts in default_streams()]
    ahead = window.screening_days_ahead

    first_output = project.meltano("run", "tap-yuekeyun", "target-feishu")

    first_run = successful_queries(gateway, 0)
    expected_first: Counter[Query] = Counter()
    for code in codes:
        expected_first += day_queries(code, window.start, window.today, ahead)
    assert first_run == expected_first
    assert_tables_equal_truth(feishu, gateway, window)

    calls_before = len(gateway.calls)
    second_output = project.meltano("run", "tap-yuekeyun", "target-feishu")

    second_run = successful_queries(gateway, calls_before)
    lookback_start = window.today - timedelta(days=LOOKBACK_DAYS)
    expected_second: Counter[Query] = Counter()
    for code in codes:
        expected_second += day_queries(code, lookback_start, window.today, ahead)
    assert second_run == expected_second
    assert SCREENINGS in codes
    assert_tables_equal_truth(feishu, gateway, window)

    state = project.state_dir / "sandbox:tap-yuekeyun-to-target-feishu" / "state.json"
    assert_no_secret_in(first_output + second_output + state.read_text("utf-8"))


def assert_no_secret_in(text: str) -> None:
    """Neither credential nor a signature or signed URL parameter shows."""
    for secret in (GATEWAY_SECRET_KEY, FEISHU_APP_SECRET):
        assert secret not in text
    for parameter in ("_aop_signature=", "Signature=", "OSSAccessKeyId=", "Expires="):
        assert parameter not in text
