"""The read-only HTML page: bases, their tables, and a table's rows by pages."""

from __future__ import annotations

import datetime as dt
import html
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from sandbox.feishu import codec
from sandbox.feishu import values as v
from sandbox.feishu.store import Store, StoredRecord

ROWS_PER_PAGE = 200
TYPE_LABELS = {
    v.TEXT: "text",
    v.NUMBER: "number",
    v.SINGLE_SELECT: "single select",
    v.MULTI_SELECT: "multi select",
    v.DATE: "date",
    v.CHECKBOX: "checkbox",
    v.USER: "user",
    v.PHONE: "phone",
    v.URL: "url",
    v.ATTACHMENT: "attachment",
    v.SINGLE_LINK: "link",
    v.FORMULA: "formula",
    v.DUPLEX_LINK: "duplex link",
    v.LOCATION: "location",
    v.GROUP: "group",
    v.CREATED_TIME: "created time",
    v.MODIFIED_TIME: "modified time",
    v.CREATED_USER: "created by",
    v.MODIFIED_USER: "modified by",
    v.AUTO_NUMBER: "auto number",
}
STYLE = (
    "body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:2px 6px;vertical-align:top}"
    "th{background:#f3f3f3}small{color:#666}"
)


def _document(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
        f"<body>{body}</body></html>"
    )


def render(store: Store, target: str, zone: ZoneInfo) -> tuple[int, str]:
    """The HTTP status and HTML of a page path under ``/sandbox``."""
    parts = urlsplit(target)
    segments = [s for s in parts.path.split("/") if s][1:]
    if not segments:
        return 200, _bases(store)
    if len(segments) == 2 and segments[0] == "table":
        page_numbers = parse_qs(parts.query).get("page", ["1"])
        number = int(page_numbers[0]) if page_numbers[0].isdigit() else 1
        found = _table(store, segments[1], max(number, 1), zone)
        if found is not None:
            return 200, found
    return 404, _document(
        "Not found", "<h1>Not found</h1><p><a href='/sandbox/'>Bases</a></p>"
    )


def _bases(store: Store) -> str:
    parts = ["<h1>Feishu sandbox: bases</h1>"]
    bases = store.bases()
    if not bases:
        parts.append("<p>No bases yet.</p>")
    for base in bases:
        name, token = html.escape(base.name), html.escape(base.app_token)
        parts.append(f"<h2>{name} <small>{token}</small></h2>")
        tables = store.tables(base.app_token)
        if not tables:
            parts.append("<p>No tables.</p>")
            continue
        counts = dict(
            store.query(
                "SELECT table_id, count(*) FROM records WHERE table_id IN"
                f" ({','.join('?' * len(tables))}) GROUP BY table_id",
                [t.table_id for t in tables],
            )
        )
        items = "".join(
            f"<li><a href='/sandbox/table/{html.escape(t.table_id)}'>"
            f"{html.escape(t.name)}</a> <small>{html.escape(t.table_id)},"
            f" {counts.get(t.table_id, 0)} rows</small></li>"
            for t in tables
        )
        parts.append(f"<ul>{items}</ul>")
    return _document("Feishu sandbox", "".join(parts))


def _cell(field_def: v.FieldDef, record: StoredRecord, zone: ZoneInfo) -> str:
    if field_def.type == v.CREATED_TIME:
        stored: object = record.created_ms
    elif field_def.type == v.MODIFIED_TIME:
        stored = record.modified_ms
    elif field_def.type == v.AUTO_NUMBER:
        stored = record.serial
    elif field_def.field_id in record.cells:
        stored = record.cells[field_def.field_id]
    else:
        return ""
    if field_def.type in v.DATE_TYPES and isinstance(stored, int):
        moment = dt.datetime.fromtimestamp(stored / 1000, zone)
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    return v.display_text(field_def, stored)


def _table(store: Store, table_id: str, number: int, zone: ZoneInfo) -> str | None:
    rows = store.query(
        "SELECT app_token, name FROM tables WHERE table_id = ?", (table_id,)
    )
    if not rows:
        return None
    app_token, name = rows[0]
    base = store.base(app_token)
    fields = store.fields(table_id)
    (total,) = store.query(
        "SELECT count(*) FROM records WHERE table_id = ?", (table_id,)
    )[0]
    found = store.query(
        "SELECT seq, fields, created_ms, modified_ms, serial FROM records"
        " WHERE table_id = ? ORDER BY seq LIMIT ? OFFSET ?",
        (table_id, ROWS_PER_PAGE, (number - 1) * ROWS_PER_PAGE),
    )
    records = [StoredRecord(r[0], codec.decode(r[1]), r[2], r[3], r[4]) for r in found]

    header = "".join(
        f"<th>{html.escape(f.field_name)}<br><small>{TYPE_LABELS.get(f.type, f.type)}"
        f"{' · primary' if f.is_primary else ''}</small></th>"
        for f in fields
    )
    body = "".join(
        f"<tr><td><small>{r.record_id}</small></td>"
        + "".join(f"<td>{html.escape(_cell(f, r, zone))}</td>" for f in fields)
        + "</tr>"
        for r in records
    )
    pages = max(1, -(-total // ROWS_PER_PAGE))
    nav = []
    if number > 1:
        nav.append(f"<a href='?page={number - 1}'>previous</a>")
    if number < pages:
        nav.append(f"<a href='?page={number + 1}'>next</a>")
    base_name = base.name if base else app_token
    content = (
        f"<p><a href='/sandbox/'>Bases</a> / {html.escape(base_name)}</p>"
        f"<h1>{html.escape(name)}</h1>"
        f"<p>{total} rows, page {number} of {pages} ({ROWS_PER_PAGE} per page) "
        f"{' '.join(nav)}</p>"
        f"<table><tr><th>record_id</th>{header}</tr>{body}</table>"
    )
    return _document(f"{name} - Feishu sandbox", content)
