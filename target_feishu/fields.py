"""Schema properties to Bitable field types, and record values to cell values."""

from __future__ import annotations

import datetime
import decimal
import json
import math
import sys
import typing as t
from dataclasses import dataclass
from zoneinfo import ZoneInfo

TEXT = 1
NUMBER = 2
SINGLE_SELECT = 3
MULTI_SELECT = 4
DATE = 5
CHECKBOX = 7
PHONE = 13
URL = 15
PRIMARY_TYPES = frozenset({TEXT, NUMBER, DATE, PHONE, URL})
MAX_EXACT_INTEGER = 2**53  # the largest run of integers a double holds exactly
MAX_DOUBLE = decimal.Decimal(sys.float_info.max)

Converter = t.Callable[[t.Any], t.Any]


class CellValueError(ValueError):
    """A record value that cannot be written to its field."""


@dataclass(frozen=True)
class FieldSpec:
    """A field the target wants in a table: its name and its Bitable type."""

    name: str
    type: int


def json_types(prop: dict[str, t.Any]) -> set[str]:
    """Return the JSON types a schema property allows (``anyOf`` merged)."""
    found: set[str] = set()
    declared = prop.get("type")
    if isinstance(declared, str):
        found.add(declared)
    elif isinstance(declared, list):
        found.update(str(item) for item in declared)
    for key in ("anyOf", "oneOf"):
        for option in prop.get(key) or []:
            if isinstance(option, dict):
                found |= json_types(option)

    return found


def string_format(prop: dict[str, t.Any]) -> str | None:
    """Return ``date``/``date-time`` when the property (or an option) has it."""
    if prop.get("format") in {"date", "date-time"}:
        return str(prop["format"])
    for key in ("anyOf", "oneOf"):
        for option in prop.get(key) or []:
            if isinstance(option, dict) and (found := string_format(option)):
                return found

    return None


def field_type(prop: dict[str, t.Any]) -> int:
    """Map a JSON schema property to the Bitable type of a new field."""
    types = json_types(prop) - {"null"}
    if string_format(prop) and types <= {"string"}:
        return DATE
    if types and types <= {"number", "integer"}:
        return NUMBER
    if types == {"boolean"}:
        return CHECKBOX

    return TEXT


def field_specs(schema: dict[str, t.Any]) -> list[FieldSpec]:
    """Fields for a schema, in schema order, the primary candidate first."""
    specs = [
        FieldSpec(name, field_type(prop if isinstance(prop, dict) else {}))
        for name, prop in (schema.get("properties") or {}).items()
    ]
    for index, spec in enumerate(specs):
        if spec.type in PRIMARY_TYPES:
            return [spec, *specs[:index], *specs[index + 1 :]]

    return specs


class CellConverter:
    """Builds per-field converters from record values to Bitable write values.

    Dates become epoch milliseconds, a bare date being its midnight in
    ``timezone``; text fields receive the value as the source wrote it.
    """

    def __init__(self, timezone: str) -> None:
        self.zone = ZoneInfo(timezone)
        self._date_ms: dict[str, int] = {}

    def for_field(self, field_type_code: int, field_name: str) -> Converter:
        """Return the converter for an existing field of ``field_type_code``."""
        converters: dict[int, Converter] = {
            TEXT: to_text,
            NUMBER: to_number,
            DATE: self.to_epoch_ms,
            CHECKBOX: to_checkbox,
            SINGLE_SELECT: to_text,
            PHONE: to_text,
            MULTI_SELECT: to_options,
            URL: to_url,
        }
        if field_type_code not in converters:
            msg = (
                f"field {field_name!r} has Bitable type {field_type_code}, which the "
                "target cannot write; rename the field or the source column"
            )
            raise CellValueError(msg)

        return converters[field_type_code]

    def to_epoch_ms(self, value: t.Any) -> int | None:
        """Convert a date or date-time (object or ISO string) to epoch ms."""
        if value is None:
            return None
        if isinstance(value, str):
            cached = self._date_ms.get(value)
            if cached is not None:
                return cached
            result = self._ms_from_iso(value)
            if len(value) == 10 and len(self._date_ms) < 100_000:
                self._date_ms[value] = result  # bare dates repeat; instants rarely
            return result
        if isinstance(value, datetime.datetime):
            return self._ms_from_datetime(value)
        if isinstance(value, datetime.date):
            return self._ms_from_datetime(datetime.datetime.combine(value, _MIDNIGHT))
        if isinstance(value, int) and not isinstance(value, bool):
            return value

        msg = f"{value!r} is not a date"
        raise CellValueError(msg)

    def day(self, value: t.Any) -> datetime.date | None:
        """The calendar date of a date property value, in ``timezone``."""
        if value is None:
            return None
        if isinstance(value, datetime.datetime):
            zoned = value if value.tzinfo else value.replace(tzinfo=self.zone)
            return zoned.astimezone(self.zone).date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            try:
                if len(value) == 10:
                    return datetime.date.fromisoformat(value)
                return self.day(datetime.datetime.fromisoformat(value))
            except ValueError:
                pass

        msg = f"{value!r} is not a date"
        raise CellValueError(msg)

    def midnight_ms(self, day: datetime.date) -> int:
        """Epoch ms of ``day``'s midnight in ``timezone``."""
        return self._ms_from_datetime(datetime.datetime.combine(day, _MIDNIGHT))

    def _ms_from_iso(self, text: str) -> int:
        try:
            if len(text) == 10:
                day = datetime.date.fromisoformat(text)
                return self.midnight_ms(day)
            return self._ms_from_datetime(datetime.datetime.fromisoformat(text))
        except ValueError:
            msg = f"{text!r} is not an ISO date or date-time"
            raise CellValueError(msg) from None

    def _ms_from_datetime(self, value: datetime.datetime) -> int:
        zoned = value if value.tzinfo else value.replace(tzinfo=self.zone)
        return int(zoned.timestamp() * 1000)


_MIDNIGHT = datetime.time(0, 0)


def to_text(value: t.Any) -> str | None:
    """Text cells get the value as the source wrote it."""
    if value is None or type(value) is str:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, decimal.Decimal)):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=_json_default)

    return str(value)


def to_number(value: t.Any) -> int | float | None:
    """Number cells get a JSON number; a numeric string is parsed."""
    if value is None:
        return None
    if isinstance(value, bool):
        msg = f"{value!r} is a boolean, not a number"
        raise CellValueError(msg)
    if isinstance(value, int):
        return _exact_integer(value)
    if isinstance(value, str):
        try:
            value = decimal.Decimal(value.strip().replace(",", ""))
        except decimal.InvalidOperation:
            msg = f"{value!r} is not a number"
            raise CellValueError(msg) from None
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            msg = f"{value!r} is not a finite number"
            raise CellValueError(msg)
        if value == value.to_integral_value() and abs(value) <= MAX_DOUBLE:
            return _exact_integer(int(value))
        return _finite_float(float(value), value)
    if isinstance(value, float):
        return _finite_float(value, value)

    msg = f"{value!r} is not a number"
    raise CellValueError(msg)


def _exact_integer(value: int) -> int:
    # Feishu stores numbers as doubles: larger integers would change silently.
    if abs(value) > MAX_EXACT_INTEGER:
        msg = (
            f"{value} is beyond 2**53, which Feishu's number fields (doubles) "
            "cannot hold exactly; send it as a string to keep every digit"
        )
        raise CellValueError(msg)

    return value


def _finite_float(number: float, source: t.Any) -> float:
    if not math.isfinite(number) or (number == 0 and source != 0):
        msg = (
            f"{source} is outside the range of Feishu's number fields (doubles); "
            "send it as a string to keep it"
        )
        raise CellValueError(msg)

    return number


def to_checkbox(value: t.Any) -> bool | None:
    """Checkbox cells get ``true``/``false``."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"

    msg = f"{value!r} is not a boolean"
    raise CellValueError(msg)


def to_options(value: t.Any) -> list[str] | None:
    """Multi-select cells get a list of option names."""
    if value is None:
        return None
    if isinstance(value, list):
        return [t.cast("str", to_text(item)) for item in value if item is not None]

    return [t.cast("str", to_text(value))]


def to_url(value: t.Any) -> dict[str, str] | None:
    """URL cells get ``{text, link}``."""
    if value is None:
        return None
    text = t.cast("str", to_text(value))

    return {"text": text, "link": text}


def read_value_text(value: t.Any) -> str:
    """Canonical text of a cell value as read back (segments joined)."""
    if isinstance(value, list):
        parts = [
            str(item.get("text", "")) if isinstance(item, dict) else str(item)
            for item in value
        ]
        return "".join(parts)
    if isinstance(value, dict) and "value" in value:
        return read_value_text(value["value"])
    if isinstance(value, float) and value.is_integer():
        return str(int(value))

    return "" if value is None else str(value)


def _json_default(value: t.Any) -> t.Any:
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()

    return str(value)
