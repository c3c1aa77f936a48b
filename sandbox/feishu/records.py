"""Endpoints for records: batch_create, batch_update, batch_delete and search."""

from __future__ import annotations

import logging
from typing import Any

from sandbox.feishu import codec
from sandbox.feishu import values as v
from sandbox.feishu.errors import ApiError, wrong_body
from sandbox.feishu.ids import random_id, record_seq
from sandbox.feishu.search import (
    MAX_FIELD_NAMES,
    FilterCompiler,
    PageTokens,
    order_by,
)
from sandbox.feishu.service import Call, Service
from sandbox.feishu.store import StoredRecord
from sandbox.feishu.tables import page_size

LOGGER = logging.getLogger("sandbox.feishu")
MAX_DELETE_IDS = 500
SELECT_TYPES = (v.SINGLE_SELECT, v.MULTI_SELECT)
PLAIN_READ = frozenset({v.NUMBER, v.DATE, v.SINGLE_SELECT, v.MULTI_SELECT, v.CHECKBOX})


PLAIN, SEGMENTS, CREATED, MODIFIED, SERIAL, SHAPED = range(6)
ReadPlan = list[tuple[str, str, int, v.FieldDef]]


def read_plan(fields: list[v.FieldDef], only: set[str] | None = None) -> ReadPlan:
    """How to shape each returned field: ``(field_id, name, how, field)``."""
    plan: ReadPlan = []
    for field_def in fields:
        if only is not None and field_def.field_name not in only:
            continue
        kind = field_def.type
        how = {
            v.CREATED_TIME: CREATED,
            v.MODIFIED_TIME: MODIFIED,
            v.AUTO_NUMBER: SERIAL,
        }.get(kind, PLAIN if kind in PLAIN_READ else SHAPED)
        if kind == v.TEXT and field_def.ui_type != "Email":
            how = SEGMENTS
        plan.append((field_def.field_id, field_def.field_name, how, field_def))
    return plan


def read_fields(plan: ReadPlan, record: StoredRecord) -> dict[str, Any]:
    """The read-shape ``fields`` of a record, empty cells omitted."""
    shaped: dict[str, Any] = {}
    cells = record.cells
    for field_id, name, how, field_def in plan:
        if how == SEGMENTS:
            text = cells.get(field_id)
            if text is not None:
                shaped[name] = [{"type": "text", "text": text}]
        elif how == PLAIN:
            if field_id in cells:
                shaped[name] = cells[field_id]
        elif how == CREATED:
            shaped[name] = record.created_ms
        elif how == MODIFIED:
            shaped[name] = record.modified_ms
        elif how == SERIAL:
            shaped[name] = str(record.serial)
        elif field_id in cells:
            shaped[name] = v.read_value(field_def, cells[field_id])
    return shaped


def _record_list(call: Call, limit: int) -> list[Any]:
    records = call.body.get("records") if isinstance(call.body, dict) else None
    if not isinstance(records, list) or not records:
        error = wrong_body('"records" must be a non-empty array')
        raise error
    if len(records) > limit:
        msg = (
            f"RecordAddOnceExceedLimit: {len(records)} records in one call, max {limit}"
        )
        raise ApiError(1254104, msg)
    return records


def _cells(
    by_name: dict[str, v.FieldDef],
    raw: object,
    where: str,
    new_options: dict[str, list[str]],
    keep_empty: bool = False,
) -> dict[str, Any]:
    """Validate one record's ``fields``; empty cells are kept as None if asked."""
    if not isinstance(raw, dict):
        reason = f"{where}.fields must be an object"
        raise wrong_body(reason)
    cells: dict[str, Any] = {}
    for name, value in raw.items():
        field_def = by_name.get(name)
        if field_def is None:
            msg = f"FieldNameNotFound: {where}.fields has no field named {name!r}"
            raise ApiError(1254045, msg)
        kind = field_def.type
        if kind == v.TEXT and type(value) is str and len(value) <= v.MAX_TEXT_CHARS:
            if value or keep_empty:  # the common case, inline
                cells[field_def.field_id] = value or None
            continue
        try:
            stored = v.stored_value(field_def, value)
        except v.CellError as exc:
            msg = f"{exc.reason} ({where}, field {name!r})"
            raise ApiError(exc.code, msg) from None
        if stored is not None or keep_empty:
            cells[field_def.field_id] = stored
        if stored is not None and kind in SELECT_TYPES:
            names = stored if isinstance(stored, list) else [stored]
            pending = new_options.setdefault(field_def.field_id, [])
            for option in names:
                if option not in field_def.option_names and option not in pending:
                    pending.append(str(option))
    return cells


def _add_options(
    service: Service, conn: Any, table_id: str, new_options: dict[str, list[str]]
) -> None:
    """Create the select options that written values named for the first time."""
    for field_def in service.store.fields(table_id):
        names = new_options.get(field_def.field_id)
        if not names:
            continue
        options = list((field_def.property or {}).get("options", []))
        for name in names:
            color = len(options) % 55
            options.append({"name": name, "id": random_id("opt"), "color": color})
        updated = v.FieldDef(
            field_def.field_id,
            field_def.field_name,
            field_def.type,
            field_def.ui_type,
            {"options": options},
            field_def.description,
            field_def.is_primary,
        )
        service.store.save_field(conn, table_id, updated)


def batch_create(service: Service, call: Call) -> dict[str, Any]:
    """POST .../records/batch_create (atomic)."""
    table = service.table_for(call, write=True)
    raw_records = _record_list(call, service.max_batch_records)

    def action(conn: Any) -> dict[str, Any]:
        fields = service.store.fields(table.table_id)
        by_name = {f.field_name: f for f in fields}
        new_options: dict[str, list[str]] = {}
        rows = []
        for index, raw in enumerate(raw_records):
            where = f"records[{index}]"
            if not isinstance(raw, dict):
                reason = f"{where} must be an object with fields"
                raise wrong_body(reason)
            cells = _cells(by_name, raw.get("fields", {}), where, new_options)
            rows.append(cells)
        _add_options(service, conn, table.table_id, new_options)
        stored = service.store.insert_records(
            conn, table.table_id, rows, service.clock.now_ms()
        )
        plan = read_plan(service.store.fields(table.table_id))
        return {"records": [_echo(plan, record) for record in stored]}

    data = service.write(call, table.table_id, action, replay_scope=table.table_id)
    LOGGER.info("batch_create %s: %s records", table.table_id, len(data["records"]))
    return data


def _echo(plan: ReadPlan, record: StoredRecord) -> dict[str, Any]:
    record_id = record.record_id
    return {
        "record_id": record_id,
        "id": record_id,
        "fields": read_fields(plan, record),
    }


def _existing(
    service: Service, table_id: str, record_ids: list[Any]
) -> list[StoredRecord]:
    """The stored records of ``record_ids`` in request order (1254043 if absent)."""
    seqs: list[int] = []
    for index, record_id in enumerate(record_ids):
        seq = record_seq(record_id) if isinstance(record_id, str) else None
        if seq is None:
            msg = f"RecordIdNotFound: records[{index}] {record_id!r} is not a record id"
            raise ApiError(1254043, msg)
        seqs.append(seq)
    found = {
        r.seq: r for r in service.store.records_by_seq(table_id, sorted(set(seqs)))
    }
    for index, seq in enumerate(seqs):
        if seq not in found:
            msg = (
                f"RecordIdNotFound: records[{index}] {record_ids[index]!r} not in table"
            )
            raise ApiError(1254043, msg)
    return [found[seq] for seq in seqs]


def batch_update(service: Service, call: Call) -> dict[str, Any]:
    """POST .../records/batch_update (partial per record; null clears)."""
    table = service.table_for(call, write=True)
    raw_records = _record_list(call, service.max_batch_records)
    if not all(isinstance(r, dict) for r in raw_records):
        reason = "every item of records must be {record_id, fields}"
        raise wrong_body(reason)

    def action(conn: Any) -> dict[str, Any]:
        by_name = {f.field_name: f for f in service.store.fields(table.table_id)}
        old = _existing(
            service, table.table_id, [r.get("record_id") for r in raw_records]
        )
        new_options: dict[str, list[str]] = {}
        merged: dict[int, StoredRecord] = {}
        now_ms = service.clock.now_ms()
        for index, (raw, record) in enumerate(zip(raw_records, old, strict=True)):
            where = f"records[{index}]"
            changes = _cells(by_name, raw.get("fields", {}), where, new_options, True)
            base = merged.get(record.seq, record)
            cells = dict(base.cells)
            for field_id, cell in changes.items():
                if cell is None:
                    cells.pop(field_id, None)
                else:
                    cells[field_id] = cell
            merged[record.seq] = StoredRecord(
                record.seq, cells, record.created_ms, now_ms, record.serial
            )
        _add_options(service, conn, table.table_id, new_options)
        originals = list({r.seq: r for r in old}.values())
        service.store.replace_records(
            conn, table.table_id, originals, [merged[r.seq] for r in originals]
        )
        plan = read_plan(service.store.fields(table.table_id))
        return {"records": [_echo(plan, merged[r.seq]) for r in old]}

    data = service.write(call, table.table_id, action, replay_scope=table.table_id)
    LOGGER.info("batch_update %s: %s records", table.table_id, len(data["records"]))
    return data


def batch_delete(service: Service, call: Call) -> dict[str, Any]:
    """POST .../records/batch_delete (up to 500 ids)."""
    table = service.table_for(call, write=True)
    record_ids = _record_list(call, MAX_DELETE_IDS)
    if not all(isinstance(r, str) for r in record_ids):
        error = wrong_body('"records" must be an array of record_id strings')
        raise error

    def action(conn: Any) -> dict[str, Any]:
        found = _existing(service, table.table_id, record_ids)
        unique = list({r.seq: r for r in found}.values())
        service.store.delete_records(conn, table.table_id, unique)
        return {"records": [{"deleted": True, "record_id": r} for r in record_ids]}

    data = service.write(call, table.table_id, action, replay_scope=table.table_id)
    LOGGER.info("batch_delete %s: %s records", table.table_id, len(record_ids))
    return data


def search(service: Service, call: Call) -> dict[str, Any]:
    """POST .../records/search."""
    table = service.table_for(call, write=False)
    if service.faults.take("data_not_ready", call.endpoint):
        error = ApiError(1254607, "Data not ready, please try again later")
        raise error
    body = call.body if call.body is not None else {}
    if not isinstance(body, dict):
        reason = "the search body must be an object"
        raise wrong_body(reason)
    size = page_size(call, 20, 500, code=1254011)
    fields = service.store.fields(table.table_id)

    only = _field_names(fields, body.get("field_names"))
    view_id = body.get("view_id")
    if view_id is not None and view_id != table.default_view_id:
        error = ApiError(
            1254042, f"ViewIdNotFound: view {view_id!r} is not in the table"
        )
        raise error
    automatic = body.get("automatic_fields", False)
    if not isinstance(automatic, bool):
        reason = "automatic_fields must be a boolean"
        raise wrong_body(reason)
    compiler = FilterCompiler(fields, service.zone, service.clock.now_ms())
    where = compiler.compile(body.get("filter"))
    for field_id in sorted(compiler.indexable):
        service.store.ensure_cell_index(field_id)
    ordering = order_by(fields, body.get("sort") or None)

    fingerprint = PageTokens.fingerprint(table.table_id, body)
    token = call.query.get("page_token")
    position = PageTokens.decode(token, fingerprint) if token else 0
    keyset = ordering == "seq"
    sql = (
        "SELECT seq, fields, created_ms, modified_ms, serial FROM records"
        f" WHERE table_id = ? AND ({where.sql})"
    )
    params: list[Any] = [table.table_id, *where.params]
    if keyset:
        rows = service.store.query(
            sql + " AND seq > ? ORDER BY seq LIMIT ?", [*params, position, size + 1]
        )
    else:
        rows = service.store.query(
            sql + f" ORDER BY {ordering} LIMIT ? OFFSET ?",
            [*params, size + 1, position],
        )
    has_more = len(rows) > size
    rows = rows[:size]

    count_sql = f"SELECT count(*) FROM records WHERE table_id = ? AND ({where.sql})"
    total = service.totals.get(
        (table.table_id, table.revision, where.sql, tuple(map(str, where.params))),
        lambda: int(service.store.query(count_sql, params)[0][0]),
    )
    records = [StoredRecord(r[0], codec.decode(r[1]), r[2], r[3], r[4]) for r in rows]
    plan = read_plan(fields, only)
    items = [_item(call, plan, record, automatic) for record in records]
    if keyset:
        next_position = records[-1].seq if records else position
    else:
        next_position = position + len(records)
    LOGGER.info("search %s: %s of %s records", table.table_id, len(items), total)
    return {
        "items": items,
        "has_more": has_more,
        "page_token": PageTokens.encode(next_position, fingerprint),
        "total": total,
    }


def _field_names(fields: list[v.FieldDef], names: object) -> set[str] | None:
    if names is None:
        return None
    if not isinstance(names, list) or len(names) > MAX_FIELD_NAMES:
        msg = f"InvalidFieldNames: field_names must be a list of <= {MAX_FIELD_NAMES}"
        raise ApiError(1254024, msg)
    known = {f.field_name for f in fields}
    for name in names:
        if name not in known:
            error = ApiError(1254045, f"FieldNameNotFound: field_names has {name!r}")
            raise error
    return set(names)


def _item(
    call: Call, plan: ReadPlan, record: StoredRecord, automatic: bool
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "record_id": record.record_id,
        "fields": read_fields(plan, record),
    }
    if automatic:
        author = {"id": f"ou_{call.app_id}", "name": call.app_id}
        item |= {
            "created_by": author,
            "created_time": record.created_ms,
            "last_modified_by": author,
            "last_modified_time": record.modified_ms,
        }
    return item
