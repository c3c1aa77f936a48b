"""Table-name composition from a stream's base name and each record's period."""

from __future__ import annotations

import datetime
import re
import string
import typing as t

from singer_sdk.exceptions import ConfigValidationError

MAX_TABLE_NAME = 100
FORBIDDEN = re.compile(r"[\[\]:\\/?*]")
PLACEHOLDERS = frozenset({"name", "year", "quarter", "month", "cinema"})
PERIOD_PLACEHOLDERS = frozenset({"year", "quarter", "month"})


class TableNamer:
    """Composes the table name of a record from ``table_name_template``.

    Args:
        stream_name: the Singer stream, named in every error.
        base_name: per-stream ``table_name``, else the schema title, else the stream.
        template: the effective ``table_name_template``.
        setting: the setting that holds the template (named in errors).
    """

    def __init__(
        self, stream_name: str, base_name: str, template: str, setting: str
    ) -> None:
        self.stream_name = stream_name
        self.base_name = base_name
        self.template = template
        self.setting = setting
        self.placeholders = _placeholders(template, stream_name, setting)
        self.needs_period = bool(self.placeholders & PERIOD_PLACEHOLDERS)
        self.needs_cinema = "cinema" in self.placeholders
        self._cache: dict[tuple[t.Any, t.Any], str] = {}
        if not self.placeholders - {"name"}:
            self.static_name: str | None = self.compose(None, None)
        else:
            self.static_name = None

    def compose(self, day: datetime.date | None, cinema: t.Any) -> str:
        """Return the validated table name for a record's date and cinema."""
        key = (day, cinema)
        cached = self._cache.get(key)
        if cached is not None:
            return cached

        values: dict[str, t.Any] = {"name": self.base_name}
        if self.needs_period:
            if day is None:
                msg = (
                    f"stream {self.stream_name!r}: {self.setting} {self.template!r} "
                    "needs the record's date, but it is empty or missing; set "
                    "date_property or remove {year}/{quarter}/{month}"
                )
                raise ConfigValidationError(msg, errors=[msg])
            values |= {
                "year": f"{day.year:04d}",
                "quarter": str((day.month - 1) // 3 + 1),
                "month": f"{day.month:02d}",
            }
        if self.needs_cinema:
            if cinema is None or cinema == "":
                msg = (
                    f"stream {self.stream_name!r}: {self.setting} {self.template!r} "
                    "needs the record's cinema, but it is empty or missing; set "
                    "cinema_property or remove {cinema}"
                )
                raise ConfigValidationError(msg, errors=[msg])
            values["cinema"] = str(cinema)

        name = self.template.format(**values).strip()
        self._check(name)
        self._cache[key] = name

        return name

    def _check(self, name: str) -> None:
        problem = ""
        if not name:
            problem = "is empty"
        elif len(name) > MAX_TABLE_NAME:
            problem = f"has {len(name)} characters (Feishu allows {MAX_TABLE_NAME})"
        elif match := FORBIDDEN.search(name):
            problem = f"contains {match.group()!r} (Feishu forbids [ ] : \\ / ? *)"
        if problem:
            msg = (
                f"stream {self.stream_name!r}: table name {name!r} composed from "
                f"{self.setting} {self.template!r} {problem}; set "
                f"streams.{self.stream_name}.table_name or change {self.setting}"
            )
            raise ConfigValidationError(msg, errors=[msg])


def _placeholders(template: str, stream_name: str, setting: str) -> set[str]:
    found: set[str] = set()
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        msg = f"stream {stream_name!r}: {setting} {template!r} is malformed: {exc}"
        raise ConfigValidationError(msg, errors=[msg]) from exc
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in PLACEHOLDERS or spec or conversion:
            msg = (
                f"stream {stream_name!r}: {setting} {template!r} uses {{{field}}}; "
                "allowed placeholders are {name}, {year}, {quarter}, {month}, "
                "{cinema}"
            )
            raise ConfigValidationError(msg, errors=[msg])
        found.add(field)

    return found
