"""Precompiled per-column converters from CSV text to JSON-ready values."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

Converter = Callable[[str], Any]

_DATE_TIME = re.compile(
    r"(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d"
)
_DATE = re.compile(r"(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")
_INTEGER = re.compile(r"-?\d+")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def to_integer(text: str) -> int:
    """Parse a count: optional minus sign and digits only."""
    if _INTEGER.fullmatch(text) is None:
        msg = f"not an integer: {text!r}"
        raise ValueError(msg)
    return int(text)


def to_number(text: str) -> float:
    """Parse an amount: optional minus sign, digits, optional decimal part."""
    if _NUMBER.fullmatch(text) is None:
        msg = f"not a number: {text!r}"
        raise ValueError(msg)
    return float(text)


def to_date(text: str) -> str:
    """Check a ``YYYY-MM-DD`` calendar date and return it unchanged."""
    if _DATE.fullmatch(text) is None:
        msg = f"not a YYYY-MM-DD date: {text!r}"
        raise ValueError(msg)

    if text[8:10] > "28":
        _check_calendar_day(text[:10])
    return text


def _check_calendar_day(text: str) -> None:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        msg = f"not a calendar date: {text!r}"
        raise ValueError(msg) from None


class DateTimeConverter:
    """Turn ``YYYY-MM-DD HH:MM:SS`` local time into ISO 8601 with the zone offset."""

    def __init__(self, timezone: dt.tzinfo) -> None:
        """Cache the offset per local hour (exact for every real zone)."""
        self._timezone = timezone
        self._offsets: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        """Convert one cell, e.g. ``2026-11-30T14:23:01+08:00``."""
        if _DATE_TIME.fullmatch(text) is None:
            msg = f"not a YYYY-MM-DD HH:MM:SS time: {text!r}"
            raise ValueError(msg)
        if text[8:10] > "28":
            _check_calendar_day(text[:10])

        hour = text[:13]
        offset = self._offsets.get(hour)
        if offset is None:
            offset = self._offset_of(text)
            self._offsets[hour] = offset

        return f"{text[:10]}T{text[11:]}{offset}"

    def _offset_of(self, text: str) -> str:
        moment = dt.datetime.fromisoformat(text).replace(tzinfo=self._timezone)
        delta = moment.utcoffset() or dt.timedelta(0)
        minutes = int(delta.total_seconds()) // 60
        sign = "+" if minutes >= 0 else "-"
        hours, rest = divmod(abs(minutes), 60)

        return f"{sign}{hours:02d}:{rest:02d}"


def make_converter(column_type: str, timezone: dt.tzinfo) -> Converter | None:
    """Return the converter of a registry type, ``None`` for plain strings."""
    if column_type == "integer":
        return to_integer
    if column_type == "number":
        return to_number
    if column_type == "date":
        return to_date
    if column_type == "date-time":
        return DateTimeConverter(timezone)
    return None
