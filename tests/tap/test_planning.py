"""The pure query planner and the business-date rules."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tap_yuekeyun.planning import (
    Query,
    business_date_of,
    business_today,
    month_end,
    plan_queries,
    plan_screening_days,
    plan_start,
)

SIX = dt.time(6, 0)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def spans(queries: list[Query]) -> list[str]:
    return [f"{query.search_date_type}:{query.search_date}" for query in queries]


def test_month_queries_for_whole_months_before_the_lookback_window() -> None:
    queries = plan_queries(dt.date(2026, 9, 1), dt.date(2026, 11, 4), lookback_days=3)
    assert spans(queries) == ["month:2026-09", "month:2026-10"] + [
        f"day:2026-11-0{day}" for day in range(1, 5)
    ]


def test_partial_first_month_is_days() -> None:
    queries = plan_queries(dt.date(2026, 10, 30), dt.date(2026, 12, 2), lookback_days=1)
    assert spans(queries) == [
        "day:2026-10-30",
        "day:2026-10-31",
        "month:2026-11",
        "day:2026-12-01",
        "day:2026-12-02",
    ]


def test_month_overlapping_the_lookback_window_is_days() -> None:
    queries = plan_queries(dt.date(2026, 11, 1), dt.date(2026, 12, 2), lookback_days=3)
    assert spans(queries)[0] == "day:2026-11-01"
    assert len(queries) == 32
    assert all(query.search_date_type == "day" for query in queries)


def test_year_boundary_and_leap_february() -> None:
    queries = plan_queries(dt.date(2023, 12, 1), dt.date(2024, 3, 2), lookback_days=0)
    assert spans(queries) == [
        "month:2023-12",
        "month:2024-01",
        "month:2024-02",
        "day:2024-03-01",
        "day:2024-03-02",
    ]
    assert queries[2].last_day == dt.date(2024, 2, 29)


def test_month_end_of_leap_and_common_february() -> None:
    assert month_end(dt.date(2024, 2, 10)) == dt.date(2024, 2, 29)
    assert month_end(dt.date(2026, 2, 1)) == dt.date(2026, 2, 28)
    assert month_end(dt.date(2026, 12, 31)) == dt.date(2026, 12, 31)


def test_start_after_today_plans_nothing() -> None:
    assert plan_queries(dt.date(2026, 12, 5), dt.date(2026, 12, 3), 3) == []
    assert plan_queries(None, dt.date(2026, 12, 3), 3) == []


def test_plan_start_from_bookmark_minus_lookback() -> None:
    start = plan_start(
        bookmark=dt.date(2026, 12, 2),
        start_date=dt.date(2026, 1, 1),
        lookback_days=3,
        today=dt.date(2026, 12, 3),
    )
    assert start == dt.date(2026, 11, 29)


def test_plan_start_never_before_start_date() -> None:
    start = plan_start(
        bookmark=dt.date(2026, 12, 2),
        start_date=dt.date(2026, 12, 1),
        lookback_days=3,
        today=dt.date(2026, 12, 3),
    )
    assert start == dt.date(2026, 12, 1)


def test_plan_start_without_bookmark_is_start_date() -> None:
    start = plan_start(
        bookmark=None,
        start_date=dt.date(2026, 6, 1),
        lookback_days=3,
        today=dt.date(2026, 12, 3),
    )
    assert start == dt.date(2026, 6, 1)


def test_plan_start_with_future_bookmark_is_capped_at_today() -> None:
    start = plan_start(
        bookmark=dt.date(2027, 1, 15),
        start_date=None,
        lookback_days=3,
        today=dt.date(2026, 12, 3),
    )
    assert start == dt.date(2026, 11, 30)


def test_second_run_is_only_the_lookback_window() -> None:
    today = dt.date(2026, 12, 3)
    start = plan_start(
        bookmark=today, start_date=dt.date(2026, 1, 1), lookback_days=3, today=today
    )
    assert spans(plan_queries(start, today, 3)) == [
        "day:2026-11-30",
        "day:2026-12-01",
        "day:2026-12-02",
        "day:2026-12-03",
    ]


def test_screening_days_run_through_today_plus_29() -> None:
    today = dt.date(2026, 12, 3)
    history = plan_queries(dt.date(2026, 12, 2), today, 3)
    queries = plan_screening_days(history, today, 30)
    assert len(queries) == 31
    assert spans(queries)[:3] == ["day:2026-12-02", "day:2026-12-03", "day:2026-12-04"]
    assert queries[-1] == Query.day(dt.date(2027, 1, 1))


def test_screening_days_when_start_date_is_after_today() -> None:
    today = dt.date(2026, 12, 3)
    queries = plan_screening_days([], today, 2)
    assert spans(queries) == ["day:2026-12-03", "day:2026-12-04"]


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (dt.datetime(2026, 12, 1, 5, 59, 59), dt.date(2026, 11, 30)),
        (dt.datetime(2026, 12, 1, 6, 0, 0), dt.date(2026, 12, 1)),
        (dt.datetime(2026, 12, 1, 0, 0, 0), dt.date(2026, 11, 30)),
        (dt.datetime(2027, 1, 1, 3, 0, 0), dt.date(2026, 12, 31)),
        (dt.datetime(2024, 3, 1, 5, 0, 0), dt.date(2024, 2, 29)),
        (dt.datetime(2026, 12, 1, 23, 59, 59), dt.date(2026, 12, 1)),
    ],
)
def test_business_date_six_o_clock_rule(moment: dt.datetime, expected: dt.date) -> None:
    assert business_date_of(moment, SIX) == expected


def test_business_today_uses_the_business_zone_not_utc() -> None:
    # 2026-12-02 21:30 UTC is 2026-12-03 05:30 in Shanghai: still the 2nd's day.
    now = dt.datetime(2026, 12, 2, 21, 30, tzinfo=dt.timezone.utc)
    assert business_today(now, SHANGHAI, SIX) == dt.date(2026, 12, 2)
    # 22:00 UTC is 06:00 in Shanghai: the business day of the 3rd has begun.
    later = dt.datetime(2026, 12, 2, 22, 0, tzinfo=dt.timezone.utc)
    assert business_today(later, SHANGHAI, SIX) == dt.date(2026, 12, 3)


def test_business_today_with_other_day_start() -> None:
    now = dt.datetime(2026, 12, 2, 20, 30, tzinfo=dt.timezone.utc)  # 04:30 local
    assert business_today(now, SHANGHAI, dt.time(4, 0)) == dt.date(2026, 12, 3)
