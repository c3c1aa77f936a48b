"""A record validator compiled once per schema, with precompiled type checks."""

from __future__ import annotations

import datetime
import decimal
import typing as t

from jsonschema import (
    Draft202012Validator,
)
from singer_sdk.exceptions import InvalidJSONSchema, InvalidRecord
from singer_sdk.sinks.core import BaseJSONSchemaValidator

from target_feishu.fields import json_types, string_format

Check = t.Callable[[t.Any], bool]

# Schema keywords the fast path understands for a property; anything else is
# handed to jsonschema for that property.
SIMPLE_KEYWORDS = frozenset(
    {"type", "format", "title", "description", "default", "examples", "anyOf"}
)
ROOT_KEYWORDS = frozenset(
    {"type", "properties", "required", "title", "description", "$schema", "$id"}
    | {"additionalProperties"}
)

_PY_TYPES: dict[str, tuple[type, ...]] = {
    "null": (type(None),),
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float, decimal.Decimal),
    "object": (dict,),
    "array": (list,),
}


def _is_date(value: str) -> bool:
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _is_datetime(value: str) -> bool:
    try:
        datetime.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


class CompiledValidator(BaseJSONSchemaValidator):
    """Validates records against a stream schema in one pass of cheap checks.

    Simple properties (a ``type`` list, optionally a date/date-time ``format``, or
    an ``anyOf`` of such) get precompiled type checks; other properties, and
    schemas with root keywords beyond ``properties``/``required``, fall back to a
    cached jsonschema validator, so nothing the schema forbids gets through.
    """

    def __init__(self, schema: dict[str, t.Any]) -> None:
        super().__init__(schema)
        try:
            Draft202012Validator.check_schema(schema)
        except Exception as exc:
            msg = f"Schema Validation Error: {exc}"
            raise InvalidJSONSchema(msg) from exc

        self.required = tuple(schema.get("required") or ())
        extra = schema.get("additionalProperties", True)
        self.closed = extra is False
        # Keys outside ``properties`` are checked against a schema when one is given
        # (a tap passing unknown columns through as strings declares one).
        self.extra_check: Check | None = (
            self._compile(extra) if isinstance(extra, dict) else None
        )
        self.checks: dict[str, Check] = {}
        self._full: Draft202012Validator | None = None
        if set(schema) - ROOT_KEYWORDS or not isinstance(extra, bool | dict):
            self._full = Draft202012Validator(schema)
        for name, prop in (schema.get("properties") or {}).items():
            self.checks[name] = self._compile(prop if isinstance(prop, dict) else {})

    def validate(self, record: dict[str, t.Any]) -> None:
        """Raise ``InvalidRecord`` when ``record`` breaks the schema."""
        if self._full is not None:
            error = next(iter(self._full.iter_errors(record)), None)
            if error is not None:
                raise InvalidRecord(error.message, record)
            return

        checks = self.checks
        for key, value in record.items():
            check = checks.get(key)
            if check is None:
                if self.closed:
                    self._fail(f"additional property {key!r} is not allowed", record)
                if self.extra_check is not None and not self.extra_check(value):
                    self._fail(
                        f"{value!r} is not valid for additional property {key!r}",
                        record,
                    )
            elif not check(value):
                self._fail(f"{value!r} is not valid for property {key!r}", record)
        for key in self.required:
            if key not in record:
                self._fail(f"{key!r} is a required property", record)

    @staticmethod
    def _fail(message: str, record: dict[str, t.Any]) -> t.NoReturn:
        raise InvalidRecord(message, record)

    def _compile(self, prop: dict[str, t.Any]) -> Check:
        if not prop:
            return lambda _value: True
        simple = set(prop) <= SIMPLE_KEYWORDS and all(
            isinstance(option, dict) and set(option) <= SIMPLE_KEYWORDS - {"anyOf"}
            for option in prop.get("anyOf") or []
        )
        if not simple or ("type" not in prop and "anyOf" not in prop):
            validator = Draft202012Validator(prop)
            return validator.is_valid

        allowed = frozenset(
            py_type for name in json_types(prop) for py_type in _PY_TYPES.get(name, ())
        )
        fmt = string_format(prop)
        if fmt and prop.get("anyOf"):
            # The format belongs to one option only: check the types alone.
            fmt = None
        if not fmt:
            return lambda value: type(value) in allowed

        date_check = _is_date if fmt == "date" else _is_datetime
        valid_dates: set[str] = set()

        def check(value: t.Any) -> bool:
            if type(value) not in allowed:
                return False
            if type(value) is not str or value in valid_dates:
                return True
            if not date_check(value):
                return False
            if fmt == "date" and len(valid_dates) < 10_000:
                valid_dates.add(value)
            return True

        return check
