"""Typed Singer records from the rows of one file."""

from __future__ import annotations

import csv
import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any, NoReturn

from tap_yuekeyun.converters import Converter, make_converter
from tap_yuekeyun.csvfile import Table, sample_of
from tap_yuekeyun.exceptions import FileFormatError
from tap_yuekeyun.planning import business_date_of
from tap_yuekeyun.registry import Category

CACHE_LIMIT = 4096


class RecordBuilder:
    """Turns rows of one category into records; one instance per stream.

    Unknown header columns are kept as strings (``on_unknown_column`` "keep",
    WARNING once per column and stream) or stop the run ("fail").
    """

    def __init__(
        self,
        category: Category,
        *,
        timezone: dt.tzinfo,
        business_day_start: dt.time,
        on_unknown_column: str,
        logger: logging.Logger,
    ) -> None:
        """Precompile one converter per registry column."""
        self.category = category
        self.business_day_start = business_day_start
        self.on_unknown_column = on_unknown_column
        self.logger = logger
        self._converters: dict[str, Converter | None] = {
            column.name: make_converter(column.type, timezone)
            for column in category.columns
        }
        self._caches: dict[str, dict[str, Any]] = {
            column.name: {} for column in category.columns
        }
        self._time_is_date = category.column_types[category.time_column] == "date"
        self._warned: set[str] = set()

    def records(
        self,
        table: Table,
        *,
        business_date: dt.date | None,
        cinema_link_id: str,
        cinema_name: str | None,
    ) -> Iterator[dict[str, Any]]:
        """Yield the typed records of one file.

        Args:
            table: The parsed file.
            business_date: The file's business date from its URL window, or
                ``None`` to derive it per row from the time column.
            cinema_link_id: Added as ``_cinema_link_id``.
            cinema_name: Added as ``_cinema_name``.

        Raises:
            FileFormatError: A row has the wrong number of cells or a value does
                not parse as its column type.
        """
        header = table.header
        self._check_header(table)
        typed = [
            (index, name, converter, self._caches[name])
            for index, name in enumerate(header)
            if (converter := self._converters.get(name)) is not None
        ]
        width = len(header)
        fixed_date = business_date.isoformat() if business_date else None
        time_index = header.index(self.category.time_column)

        number = 0
        try:
            for cells in table.rows:
                if not cells:
                    continue  # a blank line is not a row
                number += 1
                if len(cells) != width:
                    self._raise_ragged(table.label, number, cells, width)

                # Empty cells are null; a list comprehension then dict(zip) is
                # over twice as fast as a dict comprehension here.
                nullable = [value or None for value in cells]
                record = dict(zip(header, nullable, strict=True))
                for index, name, converter, cache in typed:
                    value = cells[index]
                    if not value:
                        continue
                    # Amounts, counts and dates repeat a lot: convert each once.
                    converted = cache.get(value)
                    if converted is None:
                        try:
                            converted = converter(value)
                        except ValueError:
                            self._raise_bad_value(table.label, number, name, value)
                        if len(cache) < CACHE_LIMIT:
                            cache[value] = converted
                    record[name] = converted

                record["_business_date"] = fixed_date or self._row_business_date(
                    table.label, number, cells[time_index]
                )
                record["_cinema_link_id"] = cinema_link_id
                record["_cinema_name"] = cinema_name
                yield record
        except csv.Error as exc:
            msg = f"File {table.label}: malformed CSV after row {number} ({exc})"
            raise FileFormatError(msg) from None

    def _raise_ragged(
        self, label: str, number: int, cells: list[str], width: int
    ) -> NoReturn:
        msg = (
            f"File {label}: row {number} has {len(cells)} cells, "
            f"expected {width} (sample: {sample_of(cells)!r})"
        )
        raise FileFormatError(msg)

    def _check_header(self, table: Table) -> None:
        header = table.header
        if len(set(header)) != len(header):
            duplicates = sorted({name for name in header if header.count(name) > 1})
            msg = f"File {table.label}: duplicate header columns {duplicates}"
            raise FileFormatError(msg)

        if self.category.time_column not in header:
            msg = (
                f"File {table.label}: time column {self.category.time_column!r} "
                f"of {self.category.code} is missing from the header"
            )
            raise FileFormatError(msg)

        unknown = [name for name in header if name not in self._converters]
        if unknown and self.on_unknown_column == "fail":
            msg = (
                f"File {table.label}: unknown columns {unknown} for "
                f"{self.category.code}; add them to categories_file or set "
                "on_unknown_column to 'keep'"
            )
            raise FileFormatError(msg)

        for name in unknown:
            if name not in self._warned:
                self._warned.add(name)
                self.logger.warning(
                    "Stream %s: file %s has column %r not in the registry; kept "
                    "as string (on_unknown_column=keep)",
                    self.category.stream,
                    table.label,
                    name,
                )

    def _row_business_date(self, label: str, number: int, value: str) -> str:
        column = self.category.time_column
        try:
            if self._time_is_date:
                return dt.date.fromisoformat(value).isoformat()
            moment = dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
        except ValueError:
            self._raise_bad_value(label, number, column, value)

        return business_date_of(moment, self.business_day_start).isoformat()

    def _raise_bad_value(
        self, label: str, number: int, column: str, value: str
    ) -> NoReturn:
        column_type = self.category.column_types.get(column, "string")
        msg = (
            f"File {label}: row {number}, column {column!r}: {value!r} is not a "
            f"valid {column_type}"
        )
        raise FileFormatError(msg) from None
