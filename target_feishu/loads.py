"""Load methods of one table: replace by date, append-only, upsert, overwrite."""

from __future__ import annotations

import datetime
import logging
import typing as t
from collections import defaultdict
from dataclasses import dataclass

from target_feishu.fields import (
    DATE,
    TEXT,
    CellConverter,
    CellValueError,
    Converter,
    FieldSpec,
    read_value_text,
)
from target_feishu.records import Cells, RecordWriter
from target_feishu.tables import TableDirectory, TableHandle

MAX_DATES_PER_SEARCH = 49  # + one cinema condition stays within Feishu's 50
UNCONFIRMED_REASON = (
    "input ended without a STATE after the last records: the source may have "
    "stopped early"
)

# (record, business day, cinema) as the sink grouped it.
Delivered = tuple[dict[str, t.Any], datetime.date | None, t.Any]
Scope = tuple[t.Any, datetime.date]


@dataclass(frozen=True)
class LoadPlan:
    """What a stream asks of its tables."""

    stream_name: str
    method: str
    specs: tuple[FieldSpec, ...]
    date_property: str | None
    cinema_property: str | None
    key_properties: tuple[str, ...]
    retention_days: int | None


class TableLoad:
    """Applies one stream's load method to one table across the batches of a run.

    ``replace`` captures the ids already stored for a (cinema, date) the first time
    the run delivers it, inserts the new rows, and deletes the captured ids once
    the date is complete (every date but the newest per cinema at each drain, all
    of them at the end when a STATE followed the last records), so a crash never
    leaves a hole.
    """

    def __init__(
        self,
        plan: LoadPlan,
        handle: TableHandle,
        directory: TableDirectory,
        writer: RecordWriter,
        converter: CellConverter,
        logger: logging.Logger,
    ) -> None:
        self.plan = plan
        self.handle = handle
        self.directory = directory
        self.writer = writer
        self.converter = converter
        self.logger = logger
        self._converters: dict[tuple[str, int], Converter] = {}
        self._pending: dict[Scope, list[str]] = {}
        self._seen: dict[t.Any, set[datetime.date]] = defaultdict(set)
        self._old_ids: list[str] | None = None
        self._key_index: dict[tuple[str, ...], list[str]] | None = None
        self._finished = False

    # Batches

    def load(
        self, delivered: list[Delivered], held_back: set[Scope] | None = None
    ) -> None:
        """Write one batch of rows for this table (caller holds the table lock).

        Args:
            delivered: the rows of this table in the batch.
            held_back: (cinema, date) scopes with rows still waiting in the sink;
                their old rows are not deleted yet.
        """
        self._ensure_fields(delivered)
        rows = self._convert(delivered)
        method = self.plan.method
        if method == "replace":
            self._capture_new_dates(rows)
        elif method == "overwrite" and self._old_ids is None:
            self._old_ids = [] if self.handle.created_in_run else self._all_ids()
        if method == "upsert":
            self._upsert([cells for cells, _, _ in rows])
            return

        self.writer.insert([cells for cells, _, _ in rows])
        if method == "replace":
            self._delete_complete_dates(final=False, held_back=held_back or set())

    def finish(self, *, confirmed: bool = True) -> None:
        """End of input: finish deletions, empty gap dates, apply retention.

        Args:
            confirmed: whether a STATE message followed the stream's last records.
                When not, the input may have been cut short: the newest date of
                each cinema keeps its old rows (duplicates until the next run, not
                a hole), and gap dates and ``overwrite``'s old rows are left alone.
        """
        if self._finished:
            return
        self._finished = True
        if self.plan.method == "replace":
            self._delete_complete_dates(final=confirmed)
            if confirmed:
                self._empty_gap_dates()
            else:
                self._report_unfinished()
        elif self.plan.method == "overwrite" and self._old_ids:
            if confirmed:
                self.writer.delete(self._old_ids)
                self._old_ids = []
            else:
                self.logger.warning(
                    "Stream %r: table %r keeps its %s old rows (overwrite not "
                    "finished): %s",
                    self.plan.stream_name,
                    self.handle.name,
                    len(self._old_ids),
                    UNCONFIRMED_REASON,
                )
        if self.plan.retention_days is not None and self.plan.date_property:
            self._apply_retention(self.plan.retention_days)

    # Preparation

    def _ensure_fields(self, delivered: list[Delivered]) -> None:
        known = {spec.name for spec in self.plan.specs}
        keys: set[str] = set()
        for record, _, _ in delivered:
            keys.update(record)
        extra = sorted(keys - known - set(self.handle.fields))
        if extra:
            self.logger.warning(
                "Stream %r: record keys %s are not in the schema; adding them to "
                "table %r as text fields",
                self.plan.stream_name,
                extra,
                self.handle.name,
            )
        specs = [*self.plan.specs, *(FieldSpec(name, TEXT) for name in extra)]
        self.directory.ensure_fields(self.handle, specs)

    def _converter(self, name: str) -> Converter:
        field_type = self.handle.fields[name]
        key = (name, field_type)
        if key not in self._converters:
            self._converters[key] = self.converter.for_field(field_type, name)

        return self._converters[key]

    def _convert(self, delivered: list[Delivered]) -> list[tuple[Cells, t.Any, t.Any]]:
        types = self.handle.fields
        rows: list[tuple[Cells, t.Any, t.Any]] = []
        for record, day, cinema in delivered:
            cells: Cells = {}
            try:
                for key, value in record.items():
                    if value is None or (type(value) is str and types[key] == TEXT):
                        cells[key] = value
                    else:
                        cells[key] = self._converter(key)(value)
            except CellValueError as exc:
                self.writer.reject(record, str(exc), key)
                continue
            rows.append((cells, day, cinema))

        return rows

    # replace

    def _capture_new_dates(self, rows: list[tuple[Cells, t.Any, t.Any]]) -> None:
        fresh: dict[t.Any, set[datetime.date]] = defaultdict(set)
        for _, day, cinema in rows:
            if day is not None and day not in self._seen[cinema]:
                fresh[cinema].add(day)
        for cinema, days in fresh.items():
            self._seen[cinema] |= days
            found = {} if self.handle.created_in_run else self._ids_by_day(cinema, days)
            for day in days:
                self._pending[(cinema, day)] = found.get(day, [])

    def _delete_complete_dates(
        self, *, final: bool, held_back: set[Scope] | None = None
    ) -> None:
        newest = {cinema: max(days) for cinema, days in self._seen.items() if days}
        complete = [
            scope
            for scope in self._pending
            if final
            or (scope[1] != newest.get(scope[0]) and scope not in (held_back or ()))
        ]
        old_ids = [rid for scope in complete for rid in self._pending.pop(scope)]
        if old_ids:
            self.writer.delete(old_ids)

    def _report_unfinished(self) -> None:
        unfinished = sorted(
            (str(cinema), day.isoformat()) for cinema, day in self._pending
        )
        if unfinished:
            self.logger.warning(
                "Stream %r: table %r: dates left unfinished (old rows kept, "
                "gap dates not emptied) for (cinema, date) %s: %s",
                self.plan.stream_name,
                self.handle.name,
                unfinished,
                UNCONFIRMED_REASON,
            )

    def _empty_gap_dates(self) -> None:
        if self.handle.created_in_run:
            return
        for cinema, days in self._seen.items():
            if not days:
                continue
            first, last = min(days), max(days)
            span = (last - first).days + 1
            gaps = {first + datetime.timedelta(n) for n in range(span)} - days
            if gaps:
                found = self._ids_by_day(cinema, gaps)
                self.logger.info(
                    "Table %r: %s dates without rows in %s..%s; emptying them",
                    self.handle.name,
                    len(gaps),
                    first,
                    last,
                )
                self.writer.delete([rid for ids in found.values() for rid in ids])

    def _ids_by_day(
        self, cinema: t.Any, days: set[datetime.date]
    ) -> dict[datetime.date, list[str]]:
        date_field = t.cast("str", self.plan.date_property)
        ordered = sorted(days)
        found: dict[datetime.date, list[str]] = defaultdict(list)
        for start in range(0, len(ordered), MAX_DATES_PER_SEARCH):
            chunk = ordered[start : start + MAX_DATES_PER_SEARCH]
            conditions = [self._date_condition(day) for day in chunk]
            items = self.writer.search(
                self._scoped_filter(cinema, conditions), [date_field]
            )
            for item in items:
                day = self._read_day(item.get("fields", {}).get(date_field))
                if day in days:
                    found[day].append(str(item["record_id"]))

        return found

    def _scoped_filter(
        self, cinema: t.Any, date_conditions: list[dict[str, t.Any]]
    ) -> dict[str, t.Any]:
        cinema_field = self.plan.cinema_property
        if cinema_field is None or cinema_field not in self.handle.fields:
            return {"conjunction": "or", "conditions": date_conditions}
        if cinema is None:
            scope = {"field_name": cinema_field, "operator": "isEmpty", "value": []}
        else:
            scope = {
                "field_name": cinema_field,
                "operator": "is",
                "value": [str(cinema)],
            }
        if len(date_conditions) == 1:
            return {"conjunction": "and", "conditions": [scope, *date_conditions]}

        return {
            "conjunction": "and",
            "conditions": [scope],
            "children": [{"conjunction": "or", "conditions": date_conditions}],
        }

    def _date_condition(self, day: datetime.date) -> dict[str, t.Any]:
        date_field = t.cast("str", self.plan.date_property)
        if self.handle.fields.get(date_field) == DATE:
            value = ["ExactDate", str(self.converter.midnight_ms(day))]
        else:
            value = [day.isoformat()]

        return {"field_name": date_field, "operator": "is", "value": value}

    def _read_day(self, value: t.Any) -> datetime.date | None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            moment = datetime.datetime.fromtimestamp(value / 1000, self.converter.zone)
            return moment.date()
        text = read_value_text(value)
        try:
            return self.converter.day(text[:10]) if text else None
        except CellValueError:
            return None

    # overwrite, upsert, retention

    def _all_ids(self) -> list[str]:
        items = self.writer.search(None, [])
        return [str(item["record_id"]) for item in items]

    def _upsert(self, rows: list[Cells]) -> None:
        keys = self.plan.key_properties
        if self._key_index is None:
            self._key_index = defaultdict(list)
            if not self.handle.created_in_run:
                for item in self.writer.search(None, list(keys)):
                    cells = item.get("fields", {})
                    key = tuple(read_value_text(cells.get(name)) for name in keys)
                    self._key_index[key].append(str(item["record_id"]))
        latest: dict[tuple[str, ...], Cells] = {}
        for cells in rows:
            latest[tuple(read_value_text(cells.get(name)) for name in keys)] = cells
        new_ids = self.writer.insert(list(latest.values()))
        old_ids = [rid for key in latest for rid in self._key_index.pop(key, [])]
        if old_ids:
            self.writer.delete(old_ids)
        if len(new_ids) == len(latest):
            for key, record_id in zip(latest, new_ids, strict=True):
                self._key_index[key].append(record_id)

    def _apply_retention(self, days: int) -> None:
        date_field = t.cast("str", self.plan.date_property)
        if date_field not in self.handle.fields:
            return
        today = datetime.datetime.now(self.converter.zone).date()
        cutoff = today - datetime.timedelta(days=days)
        if self.handle.fields[date_field] == DATE:
            condition = self._date_condition(cutoff) | {"operator": "isLess"}
            items = self.writer.search(
                {"conjunction": "and", "conditions": [condition]}, [date_field]
            )
        else:
            items = self.writer.search(None, [date_field])
        old = [
            str(item["record_id"])
            for item in items
            if (day := self._read_day(item.get("fields", {}).get(date_field)))
            and day < cutoff
        ]
        if old:
            self.logger.info(
                "Table %r: deleting %s rows older than %s (retention_days %s)",
                self.handle.name,
                len(old),
                cutoff,
                days,
            )
            self.writer.delete(old)
