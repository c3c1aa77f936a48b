"""The category registry: stream name, title, typed columns and keys per code."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from singer_sdk.exceptions import ConfigValidationError

COLUMN_TYPES = ("string", "number", "integer", "date-time", "date")
EXTRA_PROPERTIES = ("_business_date", "_cinema_link_id", "_cinema_name")


@dataclass(frozen=True)
class Column:
    """One CSV column: its Chinese header and its registry type."""

    name: str
    type: str


@dataclass(frozen=True)
class Category:
    """One Yuekeyun data category (``C01`` ... ``C25``) and its stream."""

    code: str
    stream: str
    title: str
    verified: bool
    selected_by_default: bool
    time_column: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] | None
    primary_key_reason: str | None = None

    @property
    def column_types(self) -> dict[str, str]:
        """Map each header to its type."""
        return {column.name: column.type for column in self.columns}

    def json_schema(self) -> dict[str, Any]:
        """Build the stream's JSON schema (top-level ``title`` = Chinese title)."""
        properties: dict[str, Any] = {
            column.name: _property_schema(column.type) for column in self.columns
        }
        properties["_business_date"] = {"type": ["string"], "format": "date"}
        properties["_cinema_link_id"] = {"type": ["string"]}
        properties["_cinema_name"] = {"type": ["string", "null"]}

        return {
            "title": self.title,
            "description": f"Yuekeyun category {self.code}",
            "type": "object",
            "properties": properties,
            "additionalProperties": {"type": ["string", "null"]},
        }


def _property_schema(column_type: str) -> dict[str, Any]:
    if column_type in ("date-time", "date"):
        return {"type": ["string", "null"], "format": column_type}
    return {"type": [column_type, "null"]}


def load_registry(categories_file: str | None = None) -> dict[str, Category]:
    """Load the packaged registry, then add or override entries from a user file.

    Args:
        categories_file: Optional path to a JSON object keyed by category code.

    Returns:
        Categories keyed by code, in code order.

    Raises:
        ConfigValidationError: The user file is missing, not JSON or malformed.
    """
    packaged = resources.files("tap_yuekeyun").joinpath("categories.json")
    entries: dict[str, Any] = json.loads(packaged.read_text(encoding="utf-8"))

    if categories_file:
        entries.update(_read_user_entries(categories_file))

    registry = {
        code: _parse_entry(code, entry, categories_file or "categories.json")
        for code, entry in sorted(entries.items())
    }
    _check_unique_streams(registry, categories_file or "categories.json")

    return registry


def _read_user_entries(categories_file: str) -> dict[str, Any]:
    path = Path(categories_file)
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        msg = f"categories_file {categories_file!r} cannot be read: {exc.strerror}"
        raise ConfigValidationError(msg, errors=[msg]) from exc
    except ValueError as exc:
        msg = f"categories_file {categories_file!r} is not valid JSON: {exc}"
        raise ConfigValidationError(msg, errors=[msg]) from exc

    if not isinstance(loaded, dict):
        msg = f"categories_file {categories_file!r} must hold a JSON object by code"
        raise ConfigValidationError(msg, errors=[msg])

    return loaded


def _parse_entry(code: str, entry: Any, source: str) -> Category:
    where = f"categories_file {source!r}, entry {code!r}"
    if not isinstance(entry, dict):
        msg = f"{where}: must be an object"
        raise ConfigValidationError(msg, errors=[msg])

    missing = [
        key for key in ("stream", "title", "time_column", "columns") if key not in entry
    ]
    if missing:
        msg = f"{where}: missing {', '.join(missing)}"
        raise ConfigValidationError(msg, errors=[msg])

    columns = tuple(_parse_column(where, raw) for raw in entry["columns"])
    names = [column.name for column in columns]
    if len(set(names)) != len(names) or not names:
        msg = f"{where}: columns must be a non-empty list of distinct names"
        raise ConfigValidationError(msg, errors=[msg])

    if entry["time_column"] not in names:
        msg = f"{where}: time_column {entry['time_column']!r} is not a column"
        raise ConfigValidationError(msg, errors=[msg])

    return Category(
        code=code,
        stream=str(entry["stream"]),
        title=str(entry["title"]),
        verified=bool(entry.get("verified", False)),
        selected_by_default=bool(entry.get("selected_by_default", False)),
        time_column=str(entry["time_column"]),
        columns=columns,
        primary_key=_parse_primary_key(where, entry, names),
        primary_key_reason=entry.get("primary_key_reason"),
    )


def _parse_column(where: str, raw: Any) -> Column:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        msg = f"{where}: each column needs a string 'name'"
        raise ConfigValidationError(msg, errors=[msg])

    column_type = raw.get("type", "string")
    if column_type not in COLUMN_TYPES:
        msg = (
            f"{where}: column {raw['name']!r} has type {column_type!r}; "
            f"expected one of {', '.join(COLUMN_TYPES)}"
        )
        raise ConfigValidationError(msg, errors=[msg])

    return Column(name=raw["name"], type=column_type)


def _parse_primary_key(
    where: str, entry: dict[str, Any], names: list[str]
) -> tuple[str, ...] | None:
    if "primary_key" not in entry:
        msg = f"{where}: give primary_key (a list, or null with a primary_key_reason)"
        raise ConfigValidationError(msg, errors=[msg])

    keys = entry["primary_key"]
    if keys is None:
        if not entry.get("primary_key_reason"):
            msg = f"{where}: primary_key null needs a primary_key_reason"
            raise ConfigValidationError(msg, errors=[msg])
        return None

    unknown = [key for key in keys if key not in names and key not in EXTRA_PROPERTIES]
    if unknown:
        msg = f"{where}: primary_key names unknown columns {unknown}"
        raise ConfigValidationError(msg, errors=[msg])

    return tuple(keys)


def _check_unique_streams(registry: dict[str, Category], source: str) -> None:
    seen: dict[str, str] = {}
    for code, category in registry.items():
        if category.stream in seen:
            msg = (
                f"categories_file {source!r}: stream {category.stream!r} is used by "
                f"both {seen[category.stream]} and {code}"
            )
            raise ConfigValidationError(msg, errors=[msg])
        seen[category.stream] = code
