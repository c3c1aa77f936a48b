"""The Feishu sink: groups each batch by table and loads the tables in parallel."""

from __future__ import annotations

import datetime
import functools
import typing as t

from singer_sdk import BatchSink
from singer_sdk.exceptions import ConfigValidationError, InvalidRecord

from target_feishu.fields import CellValueError, field_specs
from target_feishu.loads import Delivered, LoadPlan
from target_feishu.naming import TableNamer
from target_feishu.validation import CompiledValidator

if t.TYPE_CHECKING:
    from singer_sdk.sinks.core import BaseJSONSchemaValidator

    from target_feishu.target import TargetFeishu

LOAD_METHODS = ("replace", "append-only", "upsert", "overwrite")
DEFAULT_DATE_PROPERTY = "_business_date"


class FeishuSink(BatchSink):
    """Loads one Singer stream into one or more Bitable tables."""

    # Records per drain: bounds memory (about 100 MB for 67-column rows).
    MAX_SIZE_DEFAULT = 5_000

    def __init__(
        self,
        target: TargetFeishu,
        stream_name: str,
        schema: dict[str, t.Any],
        key_properties: t.Sequence[str] | None,
    ) -> None:
        self.feishu = target
        super().__init__(target, stream_name, schema, key_properties)
        overrides = dict((self.config.get("streams") or {}).get(stream_name) or {})
        self.plan = self._plan(overrides)
        base_name = str(
            overrides.get("table_name") or schema.get("title") or stream_name
        )
        setting = "table_name_template"
        if overrides.get("table_name_template"):
            setting = f"streams.{stream_name}.table_name_template"
        template = str(
            overrides.get("table_name_template")
            or self.config.get("table_name_template")
            or "{name}"
        )
        self.namer = TableNamer(stream_name, base_name, template, setting)
        if self.namer.static_name is not None:
            target.claim_tables(stream_name, [self.namer.static_name])
        self._days: dict[t.Any, datetime.date | None] = {}
        # Rows held back from a drain of a full sink so every batch_create is full;
        # the SDK emits STATE only after drain_all, which writes them all.
        self._carry: dict[str, list[Delivered]] = {}
        self._full_drain = False

    @property
    def current_size(self) -> int:
        """Records read and not yet written, held-back rows included."""
        return super().current_size + sum(len(rows) for rows in self._carry.values())

    def start_drain(self) -> dict[str, t.Any]:
        """Note whether this drain is for a full sink (then partial batches wait)."""
        self._full_drain = self.is_full
        return super().start_drain()

    # Validation: one compiled validator, no per-record SDK date parsing

    def get_validator(self) -> BaseJSONSchemaValidator | None:
        """A validator compiled once for this schema (``None`` when disabled)."""
        return CompiledValidator(self.schema) if self.validate_schema else None

    def _validate_and_parse(self, record: dict[str, t.Any]) -> dict[str, t.Any]:
        # Dates stay ISO strings: the validator has checked their format and the
        # cell converter turns them into epoch ms with a per-value cache.
        if self._validator is not None:
            try:
                self._validator.validate(record)
            except InvalidRecord:
                self.logger.exception("Record validation failed")
                if self.fail_on_record_validation_exception:
                    raise

        return record

    # Batches

    def process_batch(self, context: dict[str, t.Any]) -> None:
        """Write the batch: group by table name, then one job per table."""
        self._write_batch(context)

    def clean_up(self) -> None:
        """End of input: finish every table this stream wrote (deletes, retention)."""
        self.feishu.finish_stream(self.stream_name)
        super().clean_up()

    # Internals

    def _write_batch(self, context: dict[str, t.Any]) -> None:
        records: list[dict[str, t.Any]] = context.get("records") or []
        groups, self._carry = self._carry, {}
        date_property = self.plan.date_property
        cinema_property = self.plan.cinema_property
        static_name = self.namer.static_name
        for record in records:
            day = self._day(record.get(date_property)) if date_property else None
            if day is None and self.plan.method == "replace":
                msg = (
                    f"stream {self.stream_name!r}: a record has no "
                    f"{date_property!r} value, so load_method 'replace' cannot "
                    f"place it; record keys: {sorted(record)}. Set the setting "
                    f"'date_property' (or 'streams.{self.stream_name}.date_property')"
                    " to a date property the records carry, or choose another "
                    "load_method"
                )
                raise ConfigValidationError(msg, errors=[msg])
            cinema = record.get(cinema_property) if cinema_property else None
            name = static_name or self.namer.compose(day, cinema)
            groups.setdefault(name, []).append((record, day, cinema))
        if static_name is None:
            self.feishu.claim_tables(self.stream_name, groups)

        if self._full_drain:
            self._hold_back_partial_batches(groups)
        held = {
            name: {(cinema, day) for _, day, cinema in rows}
            for name, rows in self._carry.items()
        }
        self.feishu.run_table_jobs(
            [
                (name, functools.partial(self._load_table, name, rows, held))
                for name, rows in groups.items()
                if rows
            ]
        )

    def _hold_back_partial_batches(self, groups: dict[str, list[Delivered]]) -> None:
        batch_size = int(self.config.get("batch_size", 1000))
        for name, rows in groups.items():
            keep = len(rows) % batch_size
            if keep and len(rows) > keep:
                self._carry[name] = rows[-keep:]
                del rows[-keep:]

    def _load_table(
        self, name: str, rows: list[Delivered], held: dict[str, set[t.Any]]
    ) -> None:
        handle = self.feishu.directory.table(name, self.plan.specs)
        with handle.lock:
            load = self.feishu.table_load(self.plan, handle)
            load.load(rows, held_back=held.get(name, set()))

    def _day(self, value: t.Any) -> datetime.date | None:
        try:
            return self._days[value]
        except KeyError:
            pass
        except TypeError:  # an unhashable value: not a date anyway
            value = repr(value)
        try:
            day = self.feishu.converter.day(value)
        except CellValueError as exc:
            msg = (
                f"stream {self.stream_name!r}: date_property "
                f"{self.plan.date_property!r} holds {value!r}, which is not a date: "
                f"{exc}; fix the source or set date_property"
            )
            raise ConfigValidationError(msg, errors=[msg]) from exc
        if len(self._days) < 100_000:
            self._days[value] = day

        return day

    def _plan(self, overrides: dict[str, t.Any]) -> LoadPlan:
        properties = self.schema.get("properties") or {}
        date_property = (
            overrides.get("date_property")
            or self.config.get("date_property")
            or DEFAULT_DATE_PROPERTY
        )
        date_setting = (
            f"streams.{self.stream_name}.date_property"
            if overrides.get("date_property")
            else "date_property"
        )
        has_date = bool(date_property) and date_property in properties
        explicit_date = bool(
            overrides.get("date_property") or self.config.get("date_property")
        )
        cinema_property = self.config.get("cinema_property", "_cinema_link_id")
        method_setting = f"streams.{self.stream_name}.load_method"
        method = overrides.get("load_method")
        if not method:
            method_setting = "load_method"
            method = self.config.get("load_method") or (
                "replace" if has_date else "append-only"
            )
        if method not in LOAD_METHODS:
            msg = f"{method_setting} {method!r} is not one of {', '.join(LOAD_METHODS)}"
            raise ConfigValidationError(msg, errors=[msg])
        if not has_date and (explicit_date or method == "replace"):
            reason = f"{method_setting} is 'replace' but"
            if explicit_date:
                reason = f"{date_setting} is {date_property!r} but"
            msg = (
                f"stream {self.stream_name!r}: {reason} the schema has no property "
                f"{date_property!r} (its properties: {sorted(properties)}); set "
                f"{date_setting} to the stream's date property"
            )
            if not explicit_date:
                msg += ", or choose another load_method"
            raise ConfigValidationError(msg, errors=[msg])
        if method == "upsert" and not self.key_properties:
            msg = (
                f"stream {self.stream_name!r}: {method_setting} is 'upsert' but the "
                "stream has no key_properties; choose another load_method"
            )
            raise ConfigValidationError(msg, errors=[msg])
        retention = overrides.get("retention_days", self.config.get("retention_days"))
        self.logger.info(
            "Stream %r: load_method %s, date property %s",
            self.stream_name,
            method,
            date_property if has_date else None,
        )

        return LoadPlan(
            stream_name=self.stream_name,
            method=str(method),
            specs=tuple(field_specs(self.schema)),
            date_property=date_property if has_date else None,
            cinema_property=cinema_property if cinema_property in properties else None,
            key_properties=tuple(self.key_properties),
            retention_days=None if retention is None else int(retention),
        )
