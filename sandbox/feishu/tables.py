"""Endpoints for tables and fields: list, create, update, delete."""

from __future__ import annotations

import re
from typing import Any

from sandbox.feishu import values as v
from sandbox.feishu.errors import ApiError, field_violation
from sandbox.feishu.ids import random_id
from sandbox.feishu.properties import check_definition, normalize_property
from sandbox.feishu.search import PageTokens
from sandbox.feishu.service import Call, Service
from sandbox.feishu.store import StoredRecord

MAX_TABLES, MAX_FIELDS, MAX_TABLE_NAME_CHARS = 100, 300, 100
TABLE_NAME_FORBIDDEN = re.compile(r"[\[\]:\\/?*]")
DEFAULT_PRIMARY = {"field_name": "多行文本", "type": v.TEXT}


def page_size(call: Call, default: int, maximum: int, code: int = 99992402) -> int:
    """The ``page_size`` query parameter, checked against its bounds."""
    raw = call.query.get("page_size")
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        reason = f"page_size must be an integer from 1 to {maximum}, got {raw!r}"
        if code == 99992402:
            error = field_violation("page_size", reason)
            raise error
        raise ApiError(code, reason)
    return int(raw)


def paged(call: Call, items: list[Any], scope: str, default: int) -> dict[str, Any]:
    """One page of ``items`` with ``has_more``, ``page_token`` and ``total``."""
    size = page_size(call, default, 100)
    fingerprint = PageTokens.fingerprint(scope, None)
    token = call.query.get("page_token")
    start = PageTokens.decode(token, fingerprint) if token else 0
    end = start + size
    return {
        "items": items[start:end],
        "has_more": end < len(items),
        "page_token": PageTokens.encode(min(end, len(items)), fingerprint),
        "total": len(items),
    }


def list_tables(service: Service, call: Call) -> dict[str, Any]:
    """GET /apps/:app_token/tables."""
    base = service.base_for(call, write=False)
    items = [
        {"table_id": t.table_id, "revision": t.revision, "name": t.name}
        for t in service.store.tables(base.app_token)
    ]
    return paged(call, items, base.app_token, 20)


def _table_name(raw: object) -> str:
    if not isinstance(raw, str):
        error = field_violation("table.name", "must be a string")
        raise error
    name = raw.strip()
    if not 1 <= len(name) <= MAX_TABLE_NAME_CHARS:
        reason = f"must be 1-{MAX_TABLE_NAME_CHARS} characters after trimming"
        error = field_violation("table.name", f"{reason}, got {len(name)}")
        raise error
    if TABLE_NAME_FORBIDDEN.search(name):
        reason = f"{name!r} must not contain any of [ ] : \\ / ? *"
        error = field_violation("table.name", reason)
        raise error
    return name


def build_field(
    service: Service,
    app_token: str,
    body: object,
    where: str,
    previous: v.FieldDef | None = None,
    primary: bool = False,
) -> v.FieldDef:
    """A validated field definition (new id unless ``previous`` is given)."""
    name, field_type, ui_type, prop, description = check_definition(body, where)
    if primary and field_type not in v.PRIMARY_TYPES:
        reason = f"type {field_type} cannot be the primary field"
        error = field_violation(f"{where}.type", reason)
        raise error
    table_ids = [t.table_id for t in service.store.tables(app_token)]
    try:
        stored = normalize_property(
            field_type, ui_type, prop, previous, table_ids, random_id
        )
    except v.PropertyError as exc:
        error = ApiError(exc.code, f"{where}.property: {exc.reason}")
        raise error from None
    field_id = previous.field_id if previous else random_id("fld")
    return v.FieldDef(field_id, name, field_type, ui_type, stored, description, primary)


def create_table(service: Service, call: Call) -> dict[str, Any]:
    """POST /apps/:app_token/tables."""
    base = service.base_for(call, write=True)
    spec = call.body.get("table") if isinstance(call.body, dict) else None
    if not isinstance(spec, dict):
        error = field_violation("table", "the body must hold a table object")
        raise error
    name = _table_name(spec.get("name"))
    existing = service.store.tables(base.app_token)
    if any(t.name == name for t in existing):
        error = ApiError(1254013, f"TableNameDuplicated: {name!r} exists in the base")
        raise error
    if len(existing) >= MAX_TABLES:
        error = ApiError(
            1254100, f"TableExceedLimit: a base holds at most {MAX_TABLES}"
        )
        raise error

    raw_fields = spec.get("fields")
    view_name = spec.get("default_view_name")
    if view_name is not None and (
        raw_fields is None
        or not isinstance(view_name, str)
        or "[" in view_name
        or "]" in view_name
    ):
        reason = "must be a string without [ or ], and needs fields"
        error = field_violation("table.default_view_name", reason)
        raise error
    definitions = _field_definitions(service, base.app_token, raw_fields)

    def action(conn: Any) -> dict[str, Any]:
        table_id, view_id = service.store.insert_table(
            conn, base.app_token, name, view_name or "表格"
        )
        for field_def in definitions:
            service.store.save_field(conn, table_id, field_def)
        return {
            "table_id": table_id,
            "default_view_id": view_id,
            "field_id_list": [f.field_id for f in definitions],
        }

    with service.store.transaction() as conn:
        data = action(conn)
    service.mark_schema_change(data["table_id"])
    service.after_commit(call)
    return data


def _field_definitions(
    service: Service, app_token: str, raw_fields: object
) -> list[v.FieldDef]:
    if raw_fields is None:
        raw_fields = [DEFAULT_PRIMARY]
    if not isinstance(raw_fields, list) or not raw_fields:
        error = field_violation("table.fields", "must be a list of 1-300 fields")
        raise error
    if len(raw_fields) > MAX_FIELDS:
        msg = f"ColumnExceedLimit: {len(raw_fields)} fields, max {MAX_FIELDS}"
        raise ApiError(1254105, msg)
    definitions: list[v.FieldDef] = []
    for index, raw in enumerate(raw_fields):
        where = f"table.fields[{index}]"
        field_def = build_field(service, app_token, raw, where, primary=index == 0)
        if field_def.type == v.ATTACHMENT:
            reason = "attachment fields cannot be created with the table"
            error = field_violation(f"{where}.type", reason)
            raise error
        if any(d.field_name == field_def.field_name for d in definitions):
            msg = f"FieldNameDuplicated: {where}.field_name {field_def.field_name!r}"
            raise ApiError(1254014, msg)
        definitions.append(field_def)
    return definitions


def delete_table(service: Service, call: Call) -> dict[str, Any]:
    """DELETE /apps/:app_token/tables/:table_id."""
    table = service.table_for(call, write=True)
    if len(service.store.tables(table.app_token)) == 1:
        error = ApiError(1254034, "cannot delete the last table of a base")
        raise error

    def action(conn: Any) -> dict[str, Any]:
        service.store.delete_table(conn, table.table_id)
        return {}

    return service.write(call, table.table_id, action)


def list_fields(service: Service, call: Call) -> dict[str, Any]:
    """GET /apps/:app_token/tables/:table_id/fields."""
    table = service.table_for(call, write=False)
    items = [f.as_api() for f in service.store.fields(table.table_id)]
    return paged(call, items, table.table_id, 20)


def create_field(service: Service, call: Call) -> dict[str, Any]:
    """POST /apps/:app_token/tables/:table_id/fields."""
    table = service.table_for(call, write=True)
    service.client_token(call)

    def action(conn: Any) -> dict[str, Any]:
        fields = service.store.fields(table.table_id)
        field_def = build_field(service, table.app_token, call.body, "field")
        if any(f.field_name == field_def.field_name for f in fields):
            msg = f"FieldNameDuplicated: {field_def.field_name!r} exists in the table"
            raise ApiError(1254014, msg)
        if len(fields) >= MAX_FIELDS:
            raise ApiError(
                1254105, f"ColumnExceedLimit: a table has at most {MAX_FIELDS}"
            )
        service.store.save_field(conn, table.table_id, field_def)
        service.store.bump_revision(conn, table.table_id)
        return {"field": field_def.as_api()}

    data = service.write(call, table.table_id, action, replay_scope=table.table_id)
    service.mark_schema_change(table.table_id)
    return data


def _field_or_fail(service: Service, table_id: str, field_id: str) -> v.FieldDef:
    for field_def in service.store.fields(table_id):
        if field_def.field_id == field_id:
            return field_def
    error = ApiError(
        1254044, f"FieldIdNotFound: field {field_id!r} is not in the table"
    )
    raise error


def update_field(service: Service, call: Call) -> dict[str, Any]:
    """PUT /apps/:app_token/tables/:table_id/fields/:field_id (full overwrite)."""
    table = service.table_for(call, write=True)
    field_id = call.path_args["field_id"]

    def action(conn: Any) -> dict[str, Any]:
        previous = _field_or_fail(service, table.table_id, field_id)
        field_def = build_field(
            service, table.app_token, call.body, "field", previous, previous.is_primary
        )
        others = [
            f for f in service.store.fields(table.table_id) if f.field_id != field_id
        ]
        if any(f.field_name == field_def.field_name for f in others):
            msg = f"FieldNameDuplicated: {field_def.field_name!r} exists in the table"
            raise ApiError(1254014, msg)
        service.store.save_field(conn, table.table_id, field_def)
        if (
            field_def.type != previous.type
            or field_def.option_names != previous.option_names
        ):
            _reconcile(service, conn, table.table_id, field_def)
        service.store.bump_revision(conn, table.table_id)
        return {"field": field_def.as_api()}

    return service.write(call, table.table_id, action)


def _reconcile(
    service: Service, conn: Any, table_id: str, field_def: v.FieldDef
) -> None:
    """Convert or clear a field's cells after its type or options changed."""
    old, new = [], []
    for record in service.store.all_records(table_id):
        if field_def.field_id not in record.cells:
            continue
        cells = dict(record.cells)
        cell = cells.pop(field_def.field_id)
        if field_def.type == v.TEXT and isinstance(cell, int | float | str):
            cell = str(cell)
        if field_def.type in (v.SINGLE_SELECT, v.MULTI_SELECT):
            names = cell if isinstance(cell, list) else [cell]
            kept = [n for n in names if n in field_def.option_names]
            cell = kept if field_def.type == v.MULTI_SELECT else (kept or [None])[0]
        try:
            converted = v.stored_value(field_def, cell)
        except v.CellError:
            converted = None
        if converted is not None:
            cells[field_def.field_id] = converted
        old.append(record)
        new.append(
            StoredRecord(
                record.seq, cells, record.created_ms, record.modified_ms, record.serial
            )
        )
    service.store.replace_records(conn, table_id, old, new)
    service.store.reindex_dates(
        conn, table_id, field_def.field_id, rebuild=field_def.type == v.DATE
    )


def delete_field(service: Service, call: Call) -> dict[str, Any]:
    """DELETE /apps/:app_token/tables/:table_id/fields/:field_id."""
    table = service.table_for(call, write=True)
    field_id = call.path_args["field_id"]

    def action(conn: Any) -> dict[str, Any]:
        field_def = _field_or_fail(service, table.table_id, field_id)
        if field_def.is_primary:
            msg = "OperationTypeError: the primary field cannot be deleted"
            raise ApiError(1254301, msg)
        service.store.delete_field(conn, table.table_id, field_id)
        service.store.bump_revision(conn, table.table_id)
        return {"field_id": field_id, "deleted": True}

    return service.write(call, table.table_id, action)
