"""Business dates of the benchmarks, in Asia/Shanghai with days starting at 06:00."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

BUSINESS_ZONE = ZoneInfo("Asia/Shanghai")
BUSINESS_DAY_START = dt.time(6, 0)


def business_today(now: dt.datetime | None = None) -> dt.date:
    """Return the business date the plugins will call today."""
    local = (now or dt.datetime.now(dt.timezone.utc)).astimezone(BUSINESS_ZONE)
    if local.time() < BUSINESS_DAY_START:
        return local.date() - dt.timedelta(days=1)
    return local.date()


def month_start(day: dt.date) -> dt.date:
    """Return the first day of ``day``'s month."""
    return day.replace(day=1)


def previous_month(day: dt.date) -> dt.date:
    """Return the first day of the month before ``day``'s."""
    return month_start(month_start(day) - dt.timedelta(days=1))


def month_days(first_day: dt.date) -> list[dt.date]:
    """Return every date of the month that starts at ``first_day``."""
    days = []
    day = first_day
    while day.month == first_day.month:
        days.append(day)
        day += dt.timedelta(days=1)
    return days


def business_day_end(day: dt.date) -> dt.datetime:
    """Return the moment business day ``day`` ends (06:00 the next morning)."""
    following = dt.datetime.combine(day + dt.timedelta(days=1), BUSINESS_DAY_START)
    return following.replace(tzinfo=BUSINESS_ZONE)


def days_ending(last_day: dt.date, count: int) -> list[dt.date]:
    """Return ``count`` consecutive dates ending at ``last_day``, oldest first."""
    return [last_day - dt.timedelta(days=offset) for offset in range(count - 1, -1, -1)]
