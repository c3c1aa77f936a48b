"""Bitable field types: property rules, write-value validation and read shapes."""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

TEXT, NUMBER, SINGLE_SELECT, MULTI_SELECT, DATE, CHECKBOX = 1, 2, 3, 4, 5, 7
USER, PHONE, URL, ATTACHMENT, SINGLE_LINK, LOOKUP, FORMULA = 11, 13, 15, 17, 18, 19, 20
DUPLEX_LINK, LOCATION, GROUP = 21, 22, 23
CREATED_TIME, MODIFIED_TIME, CREATED_USER, MODIFIED_USER, AUTO_NUMBER = (
    1001,
    1002,
    1003,
    1004,
    1005,
)

UI_TYPES: dict[int, tuple[str, ...]] = {
    TEXT: ("Text", "Barcode", "Email"),
    NUMBER: ("Number", "Progress", "Currency", "Rating"),
    SINGLE_SELECT: ("SingleSelect",),
    MULTI_SELECT: ("MultiSelect",),
    DATE: ("DateTime",),
    CHECKBOX: ("Checkbox",),
    USER: ("User",),
    PHONE: ("Phone",),
    URL: ("Url",),
    ATTACHMENT: ("Attachment",),
    SINGLE_LINK: ("SingleLink",),
    FORMULA: ("Formula",),
    DUPLEX_LINK: ("DuplexLink",),
    LOCATION: ("Location",),
    GROUP: ("GroupChat",),
    CREATED_TIME: ("CreatedTime",),
    MODIFIED_TIME: ("ModifiedTime",),
    CREATED_USER: ("CreatedUser",),
    MODIFIED_USER: ("ModifiedUser",),
    AUTO_NUMBER: ("AutoNumber",),
}
KNOWN_TYPES = frozenset(UI_TYPES)
PRIMARY_TYPES = frozenset({TEXT, NUMBER, DATE, PHONE, URL, FORMULA, LOCATION})
READ_ONLY_TYPES = frozenset(
    {LOOKUP, FORMULA, CREATED_TIME, MODIFIED_TIME, CREATED_USER, MODIFIED_USER}
    | {AUTO_NUMBER}
)
DATE_TYPES = frozenset({DATE, CREATED_TIME, MODIFIED_TIME})

# The *FieldPropertyError code per type (the family is 1254080-1254096).
PROPERTY_ERROR_CODES: dict[int, int] = {
    TEXT: 1254080,
    NUMBER: 1254081,
    SINGLE_SELECT: 1254082,
    MULTI_SELECT: 1254083,
    DATE: 1254084,
    CHECKBOX: 1254085,
    USER: 1254086,
    PHONE: 1254087,
    URL: 1254088,
    ATTACHMENT: 1254089,
    SINGLE_LINK: 1254090,
    FORMULA: 1254091,
    DUPLEX_LINK: 1254092,
    LOCATION: 1254093,
    GROUP: 1254094,
    CREATED_TIME: 1254095,
    MODIFIED_TIME: 1254095,
    CREATED_USER: 1254096,
    MODIFIED_USER: 1254096,
    AUTO_NUMBER: 1254096,
}
CONVERSION_ERROR_CODES: dict[int, tuple[int, str]] = {
    TEXT: (1254060, "TextFieldConvFail"),
    NUMBER: (1254061, "NumberFieldConvFail"),
    SINGLE_SELECT: (1254062, "SingleSelectFieldConvFail"),
    MULTI_SELECT: (1254063, "MultiSelectFieldConvFail"),
    DATE: (1254064, "DatetimeFieldConvFail"),
    CHECKBOX: (1254065, "CheckboxFieldConvFail"),
    USER: (1254066, "UserFieldConvFail"),
    SINGLE_LINK: (1254067, "LinkFieldConvFail"),
    URL: (1254068, "URLFieldConvFail"),
    ATTACHMENT: (1254069, "AttachFieldConvFail"),
    PHONE: (1254072, "PhoneFieldConvFail"),
    DUPLEX_LINK: (1254074, "DuplexLinkFieldConvFail"),
    LOCATION: (1254015, "FieldTypeValueNotMatch"),
    GROUP: (1254015, "FieldTypeValueNotMatch"),
}
NUMBER_FORMATTERS = frozenset(
    {"0", "0.0", "0.00", "0.000", "0.0000", "1,000", "1,000.00", "%", "0.00%"}
    | {"¥", "¥0.00", "$", "$0.00"}
)
PROGRESS_FORMATTERS = frozenset({"0", "0.0", "0.00", "0%", "0.0%", "0.00%"})
DATE_FORMATTERS = frozenset(
    {"yyyy/MM/dd", "yyyy-MM-dd HH:mm", "MM-dd", "MM/dd/yyyy", "dd/MM/yyyy"}
    | {"yyyy/MM/dd HH:mm", "yyyy-MM-dd"}
)
PHONE_PATTERN = re.compile(r"\+?\d*")
MAX_TEXT_CHARS = 100_000
MIN_DATE_MS, MAX_DATE_MS = -62_135_596_800_000, 253_402_300_799_999


@dataclass
class FieldDef:
    """A field of a table as the store keeps it."""

    field_id: str
    field_name: str
    type: int
    ui_type: str
    property: dict[str, Any] | None = None
    description: str = ""
    is_primary: bool = False
    option_names: set[str] = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        options = (self.property or {}).get("options") or []
        self.option_names = {option["name"] for option in options}

    def as_api(self) -> dict[str, Any]:
        """The field object of the fields endpoints."""
        return {
            "field_id": self.field_id,
            "field_name": self.field_name,
            "type": self.type,
            "ui_type": self.ui_type,
            "property": self.property,
            "description": self.description,
            "is_primary": self.is_primary,
            "is_hidden": False,
        }


class CellError(Exception):
    """A write value that the field's type rejects."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class PropertyError(Exception):
    """A field ``property`` that the field's type rejects."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _is_number(value: object) -> bool:
    # Bitable numbers are doubles: an integer beyond their range is no number.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if isinstance(value, int):
        return abs(value) <= sys.float_info.max
    return math.isfinite(value)


def _conv_fail(field_type: int, reason: str) -> CellError:
    code, name = CONVERSION_ERROR_CODES[field_type]
    return CellError(code, f"{name}: {reason}")


def _id_objects(field_type: int, value: object, cap: int, key: str) -> list[Any]:
    ok = isinstance(value, list) and all(
        isinstance(item, dict) and isinstance(item.get(key), str) and item[key]
        for item in value
    )
    if not ok:
        msg = f'expected a list of {{"{key}": "..."}} objects, got {value!r:.80}'
        raise _conv_fail(field_type, msg)
    assert isinstance(value, list)
    if len(value) > cap:
        error = _conv_fail(
            field_type, f"at most {cap} items per cell, got {len(value)}"
        )
        raise error
    return [{key: item[key]} for item in value]


def _string(kind: int, value: object) -> object | None:
    if type(value) is not str:
        error = _conv_fail(kind, f"expected a string, got {type(value).__name__}")
        raise error
    if len(value) > MAX_TEXT_CHARS:
        msg = f"TooLargeCell: {len(value)} characters, max {MAX_TEXT_CHARS}"
        raise CellError(1254130, msg)
    return value or None


def _number(kind: int, value: object) -> object | None:
    if not _is_number(value):
        error = _conv_fail(kind, f"expected a JSON number, got {value!r:.80}")
        raise error
    return value


def _date(kind: int, value: object) -> object | None:
    if type(value) is not int:
        msg = f"expected an integer millisecond timestamp, got {value!r:.80}"
        raise _conv_fail(kind, msg)
    if not MIN_DATE_MS <= value <= MAX_DATE_MS:
        error = _conv_fail(kind, f"timestamp {value} out of range")
        raise error
    return value


def _checkbox(kind: int, value: object) -> object | None:
    if not isinstance(value, bool):
        error = _conv_fail(kind, f"expected true or false, got {value!r:.80}")
        raise error
    return value


def _multi_select(kind: int, value: object) -> object | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        error = _conv_fail(kind, f"expected a list of strings, got {value!r:.80}")
        raise error
    if len(value) > 1000:
        error = _conv_fail(kind, f"at most 1000 options per cell, got {len(value)}")
        raise error
    names = [name for name in value if name]
    return names or None


def _phone(kind: int, value: object) -> object | None:
    if not isinstance(value, str) or not PHONE_PATTERN.fullmatch(value):
        msg = f"expected a string matching (\\+)?\\d*, got {value!r:.80}"
        raise _conv_fail(kind, msg)
    if len(value) > 64:
        error = _conv_fail(kind, f"at most 64 characters, got {len(value)}")
        raise error
    return value or None


def _links(kind: int, value: object) -> object | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        msg = f"expected a list of record_id strings, got {value!r:.80}"
        raise _conv_fail(kind, msg)
    if len(value) > 500:
        error = _conv_fail(kind, f"at most 500 record ids, got {len(value)}")
        raise error
    return list(value) or None


def _read_only(kind: int, value: object) -> object | None:
    raise CellError(1254015, "FieldTypeValueNotMatch: the field is read-only")


_VALIDATORS: dict[int, Callable[[int, object], object | None]] = {
    TEXT: _string,
    SINGLE_SELECT: _string,
    LOCATION: _string,
    NUMBER: _number,
    DATE: _date,
    CHECKBOX: _checkbox,
    MULTI_SELECT: _multi_select,
    PHONE: _phone,
    URL: lambda kind, value: _url_value(value),
    SINGLE_LINK: _links,
    DUPLEX_LINK: _links,
    USER: lambda kind, value: _id_objects(kind, value, 1000, "id") or None,
    GROUP: lambda kind, value: _id_objects(kind, value, 10, "id") or None,
    ATTACHMENT: lambda kind, value: _id_objects(kind, value, 100, "file_token") or None,
} | {kind: _read_only for kind in READ_ONLY_TYPES}


def stored_value(field_def: FieldDef, value: object) -> object | None:
    """Validate a write value; return what is stored, or None for an empty cell.

    Raises:
        CellError: the value does not have the write shape of the field's type.
    """
    if value is None:
        return None
    return _VALIDATORS[field_def.type](field_def.type, value)


def _url_value(value: object) -> dict[str, str]:
    if not isinstance(value, dict) or set(value) - {"text", "link"}:
        error = _conv_fail(URL, f'expected {{"text", "link"}}, got {value!r:.80}')
        raise error
    link, text = value.get("link"), value.get("text", value.get("link"))
    if not isinstance(link, str) or not link or not isinstance(text, str):
        error = _conv_fail(URL, f'"link" and "text" must be strings, got {value!r:.80}')
        raise error
    return {"text": text, "link": link}


def read_value(field_def: FieldDef, stored: object) -> object:
    """The read shape of a stored value (search and write echoes)."""
    kind = field_def.type
    if kind == TEXT:
        if field_def.ui_type == "Email":
            return [{"type": "url", "text": stored, "link": f"mailto:{stored}"}]
        return [{"type": "text", "text": stored}]
    if kind in (SINGLE_LINK, DUPLEX_LINK):
        return {"link_record_ids": stored}
    if kind == LOCATION:
        return {"location": stored, "full_address": stored, "name": stored}
    return stored


def display_text(field_def: FieldDef, stored: object) -> str:
    """A plain one-line rendering of a stored value for the HTML page."""
    if isinstance(stored, bool):
        return "✓" if stored else "✗"
    if isinstance(stored, list):
        parts = [
            str(item.get("id") or item.get("file_token"))
            if isinstance(item, dict)
            else str(item)
            for item in stored
        ]
        return ", ".join(parts)
    if isinstance(stored, dict):
        return f"{stored.get('text')} <{stored.get('link')}>"
    return str(stored)
