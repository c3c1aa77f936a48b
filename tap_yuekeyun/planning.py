"""Business dates and the pure query planner (month and day queries per run)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class Query:
    """One gateway query: ``searchDateType`` and ``searchDate`` with its days."""

    search_date_type: str
    search_date: str
    first_day: dt.date
    last_day: dt.date

    @classmethod
    def day(cls, business_date: dt.date) -> Query:
        """A ``day`` query for one business date."""
        return cls("day", business_date.isoformat(), business_date, business_date)

    @classmethod
    def month(cls, first_day: dt.date) -> Query:
        """A ``month`` query for the calendar month starting at ``first_day``."""
        return cls(
            "month", first_day.strftime("%Y-%m"), first_day, month_end(first_day)
        )


def parse_iso_date(value: Any) -> dt.date | None:
    """A ``YYYY-MM-DD`` string as a date; ``None`` for anything else.

    Stricter than ``date.fromisoformat``: no ``20261130``, no date-time, no other
    type.
    """
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def month_end(day: dt.date) -> dt.date:
    """Last day of the calendar month of ``day``."""
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def business_date_of(moment: dt.datetime, business_day_start: dt.time) -> dt.date:
    """The business date of a local wall-clock moment.

    A moment before ``business_day_start`` (06:00 by default) belongs to the
    previous calendar day's business date.
    """
    if moment.time() < business_day_start:
        return moment.date() - dt.timedelta(days=1)
    return moment.date()


def business_today(
    now: dt.datetime, timezone: dt.tzinfo, business_day_start: dt.time
) -> dt.date:
    """The current business date in ``timezone`` (never the machine's zone).

    Args:
        now: An aware moment (usually the current time).
        timezone: The business time zone (``timezone`` setting).
        business_day_start: The ``business_day_start`` setting.
    """
    local = now.astimezone(timezone).replace(tzinfo=None)
    return business_date_of(local, business_day_start)


def plan_start(
    *,
    bookmark: dt.date | None,
    start_date: dt.date | None,
    lookback_days: int,
    today: dt.date,
) -> dt.date | None:
    """First business date to fetch, or ``None`` when there is nothing to plan.

    With a bookmark: bookmark − ``lookback_days``, never before ``start_date``. A
    bookmark in the future is treated as today. Without one: ``start_date``.
    """
    if bookmark is None:
        return start_date

    start = min(bookmark, today) - dt.timedelta(days=lookback_days)
    if start_date is not None and start < start_date:
        start = start_date

    return start


def plan_queries(
    start: dt.date | None, today: dt.date, lookback_days: int
) -> list[Query]:
    """Plan the history queries from ``start`` through ``today``, oldest first.

    Whole calendar months that end before the lookback window (today −
    ``lookback_days`` … today) become ``month`` queries; every other day is a
    ``day`` query. A start after today plans nothing.
    """
    if start is None:
        return []

    window_start = today - dt.timedelta(days=lookback_days)
    queries: list[Query] = []
    day = start
    while day <= today:
        if day.day == 1 and month_end(day) < window_start:
            queries.append(Query.month(day))
            day = month_end(day) + dt.timedelta(days=1)
        else:
            queries.append(Query.day(day))
            day += dt.timedelta(days=1)

    return queries


def plan_screening_days(
    planned: list[Query], today: dt.date, screening_days_ahead: int
) -> list[Query]:
    """Add C18's schedule days today … today + days_ahead − 1 not yet planned."""
    covered = {query.last_day for query in planned if query.search_date_type == "day"}
    ahead = [
        Query.day(today + dt.timedelta(days=offset))
        for offset in range(screening_days_ahead)
        if today + dt.timedelta(days=offset) not in covered
    ]

    return planned + ahead
