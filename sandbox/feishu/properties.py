"""Validation of field definitions: name, type, ui_type and ``property``."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from sandbox.feishu import values as v
from sandbox.feishu.errors import ApiError, field_violation

MAX_FIELD_NAME_CHARS = 100
MAX_OPTION_COLOR = 54


def _fail(field_type: int, reason: str) -> v.PropertyError:
    return v.PropertyError(v.PROPERTY_ERROR_CODES[field_type], reason)


def _only_keys(field_type: int, prop: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(prop) - allowed)
    if unknown:
        msg = f"unknown property keys {unknown} for type {field_type}"
        raise _fail(field_type, msg)


def _bool_key(field_type: int, prop: dict[str, Any], key: str) -> None:
    if key in prop and not isinstance(prop[key], bool):
        error = _fail(field_type, f"property.{key} must be a boolean")
        raise error


def _number_property(ui_type: str, prop: dict[str, Any]) -> None:
    formatter = prop.get("formatter", "0.0")
    if ui_type == "Progress":
        _only_keys(v.NUMBER, prop, {"formatter", "range_customize", "min", "max"})
        if formatter not in v.PROGRESS_FORMATTERS:
            error = _fail(v.NUMBER, f"unknown progress formatter {formatter!r}")
            raise error
        _bool_key(v.NUMBER, prop, "range_customize")
    elif ui_type == "Rating":
        _only_keys(v.NUMBER, prop, {"formatter", "min", "max", "rating"})
        if formatter != "0" or prop.get("min", 0) not in (0, 1):
            error = _fail(v.NUMBER, 'rating needs formatter "0" and min 0 or 1')
            raise error
        top = prop.get("max", 5)
        if not isinstance(top, int) or isinstance(top, bool) or not 1 <= top <= 10:
            error = _fail(v.NUMBER, "rating max must be an integer from 1 to 10")
            raise error
    else:
        allowed = {"formatter", "currency_code"} if ui_type == "Currency" else None
        _only_keys(v.NUMBER, prop, allowed or {"formatter"})
        if formatter not in v.NUMBER_FORMATTERS:
            error = _fail(v.NUMBER, f"unknown number formatter {formatter!r}")
            raise error
        code = prop.get("currency_code", "CNY")
        if not (isinstance(code, str) and len(code) == 3 and code.isupper()):
            error = _fail(v.NUMBER, f"currency_code must be like CNY, got {code!r}")
            raise error


def _options(
    field_type: int,
    prop: dict[str, Any],
    previous: v.FieldDef | None,
    new_id: Callable[[str], str],
) -> dict[str, Any]:
    _only_keys(field_type, prop, {"options"})
    options = prop.get("options", [])
    if not isinstance(options, list):
        error = _fail(field_type, "property.options must be a list")
        raise error
    known_ids = {
        option["id"]
        for option in ((previous.property or {}) if previous else {}).get("options", [])
    }
    seen: set[str] = set()
    result = []
    for index, option in enumerate(options):
        if not isinstance(option, dict) or set(option) - {"name", "id", "color"}:
            error = _fail(field_type, f"options[{index}] must be {{name, id?, color?}}")
            raise error
        name = option.get("name")
        if not isinstance(name, str) or not name.strip():
            msg = f"EmptyOptionName: options[{index}] has no name"
            raise ApiError(1254026, msg)
        if name in seen:
            error = _fail(field_type, f"duplicate option name {name!r}")
            raise error
        seen.add(name)
        color = option.get("color", index % (MAX_OPTION_COLOR + 1))
        if not isinstance(color, int) or not 0 <= color <= MAX_OPTION_COLOR:
            error = _fail(field_type, f"options[{index}].color must be 0-54")
            raise error
        option_id = option.get("id")
        if option_id not in known_ids:
            option_id = new_id("opt")
        result.append({"name": name, "id": option_id, "color": color})
    return {"options": result}


def normalize_property(
    field_type: int,
    ui_type: str,
    prop: object,
    previous: v.FieldDef | None,
    table_ids: Collection[str],
    new_id: Callable[[str], str],
) -> dict[str, Any] | None:
    """Validate a field's ``property`` and return the stored form.

    Raises:
        PropertyError: the property does not fit the type (1254080-1254096).
    """
    if prop is None:
        prop = {}
    if not isinstance(prop, dict):
        error = _fail(field_type, "property must be an object or null")
        raise error
    if field_type in (v.TEXT, v.CHECKBOX, v.PHONE, v.URL, v.ATTACHMENT):
        _only_keys(field_type, prop, set())
        return None
    if field_type == v.NUMBER:
        _number_property(ui_type, prop)
        return dict(prop) or {"formatter": "0.0"}
    if field_type in (v.SINGLE_SELECT, v.MULTI_SELECT):
        return _options(field_type, prop, previous, new_id)
    if field_type in (v.DATE, v.CREATED_TIME, v.MODIFIED_TIME):
        _only_keys(field_type, prop, {"date_formatter", "auto_fill"})
        if prop.get("date_formatter", "yyyy/MM/dd") not in v.DATE_FORMATTERS:
            raise _fail(
                field_type, f"unknown date_formatter {prop['date_formatter']!r}"
            )
        _bool_key(field_type, prop, "auto_fill")
        return {"date_formatter": "yyyy/MM/dd", "auto_fill": False} | prop
    if field_type in (v.USER, v.GROUP):
        _only_keys(field_type, prop, {"multiple"})
        _bool_key(field_type, prop, "multiple")
        return {"multiple": True} | prop
    if field_type in (v.SINGLE_LINK, v.DUPLEX_LINK):
        _only_keys(field_type, prop, {"table_id", "multiple", "back_field_name"})
        if prop.get("table_id") not in table_ids:
            error = _fail(
                field_type, f"unknown linked table_id {prop.get('table_id')!r}"
            )
            raise error
        _bool_key(field_type, prop, "multiple")
        return {"multiple": True} | prop
    if field_type == v.FORMULA:
        _only_keys(field_type, prop, {"formula_expression", "formatter"})
        if not isinstance(prop.get("formula_expression"), str):
            error = _fail(field_type, "property.formula_expression must be a string")
            raise error
        return dict(prop)
    if field_type == v.LOCATION:
        _only_keys(field_type, prop, {"location"})
        location = prop.get("location", {"input_type": "not_limit"})
        if not isinstance(location, dict) or location.get("input_type") not in (
            "only_mobile",
            "not_limit",
        ):
            error = _fail(
                field_type, "location.input_type must be only_mobile|not_limit"
            )
            raise error
        return {"location": location}
    if field_type == v.AUTO_NUMBER:
        _only_keys(field_type, prop, {"auto_serial"})
        serial = prop.get("auto_serial", {"type": "auto_increment_number"})
        if not isinstance(serial, dict) or serial.get("type") not in (
            "custom",
            "auto_increment_number",
        ):
            raise _fail(
                field_type, "auto_serial.type must be custom|auto_increment_number"
            )
        return {"auto_serial": serial}
    _only_keys(field_type, prop, set())
    return None


def check_definition(body: object, where: str) -> tuple[str, int, str, object, str]:
    """Check a field definition body; return name, type, ui_type, property, description.

    Raises:
        ApiError: 1254028 empty name, 1254029 invalid name, 99992402 bad type.
    """
    if not isinstance(body, dict):
        error = field_violation(where, "must be a field object")
        raise error
    name = body.get("field_name")
    if not isinstance(name, str) or not name.strip():
        error = ApiError(1254028, f"EmptyFieldName: {where}.field_name is empty")
        raise error
    if len(name) > MAX_FIELD_NAME_CHARS or name != name.strip():
        msg = (
            f"InvalidFieldName: {where}.field_name {name!r} must be 1-"
            f"{MAX_FIELD_NAME_CHARS} characters without surrounding spaces"
        )
        raise ApiError(1254029, msg)
    field_type = body.get("type")
    if isinstance(field_type, bool) or field_type not in v.KNOWN_TYPES:
        error = field_violation(
            f"{where}.type", f"unsupported field type {field_type!r}"
        )
        raise error
    assert isinstance(field_type, int)
    ui_type = body.get("ui_type") or v.UI_TYPES[field_type][0]
    if ui_type not in v.UI_TYPES[field_type]:
        error = field_violation(f"{where}.ui_type", f"{ui_type!r} not for {field_type}")
        raise error
    description = body.get("description") or ""
    if isinstance(description, dict):
        description = str(description.get("text", ""))
    if not isinstance(description, str):
        error = field_violation(f"{where}.description", "must be a string")
        raise error
    return name, field_type, ui_type, body.get("property"), description
