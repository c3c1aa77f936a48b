"""Finding and creating Bitable tables and their fields, once per run."""

from __future__ import annotations

import threading
import typing as t
from dataclasses import dataclass, field

from singer_sdk.exceptions import ConfigValidationError

from target_feishu.client import (
    TABLE_NAME_DUPLICATED,
    CallStats,
    FeishuAPIError,
    FeishuClient,
)
from target_feishu.fields import FieldSpec

MAX_PAGES = 10_000
MAX_FIELDS = 300


@dataclass
class TableHandle:
    """A table of the base as this run knows it."""

    name: str
    table_id: str
    fields: dict[str, int]
    created_in_run: bool
    stats: CallStats = field(default_factory=CallStats)
    inserted: int = 0
    deleted: int = 0
    rejected: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class TableDirectory:
    """The base's tables: resolved destination, listed once, created on demand."""

    def __init__(
        self,
        client: FeishuClient,
        *,
        app_token: str | None,
        wiki_node_token: str | None,
    ) -> None:
        self.client = client
        self._app_token = app_token
        self._wiki_node_token = wiki_node_token
        self._tables: dict[str, str] | None = None
        self._handles: dict[str, TableHandle] = {}
        self._opening: dict[str, threading.Lock] = {}
        self._lock = threading.RLock()
        self.stats = CallStats()

    @property
    def app_token(self) -> str:
        """The base's app token, resolved once from ``wiki_node_token``."""
        with self._lock:
            if self._app_token is None:
                self._app_token = self._resolve_wiki_node()

            return self._app_token

    def handles(self) -> list[TableHandle]:
        """Every table this run has touched."""
        return list(self._handles.values())

    def table(self, name: str, specs: t.Sequence[FieldSpec]) -> TableHandle:
        """Return the table called ``name``, created with ``specs`` if missing.

        Fields of ``specs`` the table lacks are added (existing ones keep their
        type).
        """
        app_token = self.app_token
        with self._lock:
            if self._tables is None:
                self._tables = self._list_tables(app_token)
            opening = self._opening.setdefault(name, threading.Lock())
        with opening:  # tables open in parallel, each name once
            handle = self._handles.get(name)
            if handle is None:
                handle = self._open(app_token, name, specs)
                with self._lock:
                    self._handles[name] = handle
        self.ensure_fields(handle, specs)

        return handle

    def ensure_fields(self, handle: TableHandle, specs: t.Sequence[FieldSpec]) -> None:
        """Add the fields of ``specs`` that ``handle``'s table does not have yet."""
        missing = [spec for spec in specs if spec.name not in handle.fields]
        if not missing:
            return
        if len(handle.fields) + len(missing) > MAX_FIELDS:
            msg = (
                f"table {handle.name!r} would need {len(handle.fields) + len(missing)}"
                f" fields; Feishu allows {MAX_FIELDS} per table"
            )
            raise ConfigValidationError(msg, errors=[msg])

        path = f"/open-apis/bitable/v1/apps/{self.app_token}/tables/"
        path += f"{handle.table_id}/fields"
        for spec in missing:
            try:
                data = self.client.request(
                    "POST",
                    path,
                    bucket="fields_create",
                    body={"field_name": spec.name, "type": spec.type},
                    stats=handle.stats,
                )
            except FeishuAPIError as exc:
                if exc.code != 1254014:  # FieldNameDuplicated: someone added it
                    raise
                handle.fields = self._list_fields(handle.table_id, handle.stats)
                continue
            created = data.get("field") or {}
            handle.fields[spec.name] = int(created.get("type", spec.type))
            self.client.logger.info(
                "Added field %r (type %s) to table %r",
                spec.name,
                spec.type,
                handle.name,
            )

    # Internals

    def _resolve_wiki_node(self) -> str:
        node_token = self._wiki_node_token or ""
        data = self.client.request(
            "GET",
            "/open-apis/wiki/v2/spaces/get_node",
            bucket="get_node",
            params={"token": node_token, "obj_type": "wiki"},
            stats=self.stats,
        )
        node = data.get("node") or {}
        if node.get("obj_type") != "bitable" or not node.get("obj_token"):
            msg = (
                f"wiki_node_token {node_token!r} points to a "
                f"{node.get('obj_type') or 'unknown'} node, not a Bitable base; set "
                "wiki_node_token to the node of a base, or set app_token instead"
            )
            raise ConfigValidationError(msg, errors=[msg])
        self.client.logger.info(
            "Resolved wiki node %s to base %s", node_token, node["obj_token"]
        )

        return str(node["obj_token"])

    def _open(
        self, app_token: str, name: str, specs: t.Sequence[FieldSpec]
    ) -> TableHandle:
        tables = t.cast("dict[str, str]", self._tables)
        table_id = tables.get(name)
        if table_id is not None:
            stats = CallStats()
            fields = self._list_fields(table_id, stats)
            return TableHandle(name, table_id, fields, False, stats)

        stats = CallStats()
        body = {
            "table": {
                "name": name,
                "default_view_name": "表格",
                "fields": [
                    {"field_name": spec.name, "type": spec.type}
                    for spec in specs[:MAX_FIELDS]
                ],
            }
        }
        try:
            data = self.client.request(
                "POST",
                f"/open-apis/bitable/v1/apps/{app_token}/tables",
                bucket="tables_create",
                body=body,
                stats=stats,
            )
        except FeishuAPIError as exc:
            if exc.code != TABLE_NAME_DUPLICATED:
                raise
            self.client.logger.warning(
                "Table %r already exists (code %s); re-listing and reusing it",
                name,
                exc.code,
            )
            with self._lock:
                self._tables = self._list_tables(app_token)
            if name not in self._tables:
                raise
            table_id = self._tables[name]
            return TableHandle(
                name, table_id, self._list_fields(table_id, stats), False, stats
            )

        table_id = str(data["table_id"])
        with self._lock:
            tables[name] = table_id
        self.client.logger.info("Created table %r (%s)", name, table_id)
        fields = self._list_fields(table_id, stats)

        return TableHandle(name, table_id, fields, True, stats)

    def _list_tables(self, app_token: str) -> dict[str, str]:
        path = f"/open-apis/bitable/v1/apps/{app_token}/tables"
        items = self._pages(path, "tables_list", self.stats)

        return {str(item["name"]): str(item["table_id"]) for item in items}

    def _list_fields(self, table_id: str, stats: CallStats) -> dict[str, int]:
        path = f"/open-apis/bitable/v1/apps/{self.app_token}/tables/{table_id}/fields"
        items = self._pages(path, "fields_list", stats)

        return {str(item["field_name"]): int(item["type"]) for item in items}

    def _pages(
        self, path: str, bucket: str, stats: CallStats
    ) -> list[dict[str, t.Any]]:
        items: list[dict[str, t.Any]] = []
        page_token: str | None = None
        seen_tokens: set[str] = set()
        for _ in range(MAX_PAGES):
            params: dict[str, t.Any] = {"page_size": 100}
            if page_token:
                params["page_token"] = page_token
            data = self.client.request(
                "GET", path, bucket=bucket, params=params, stats=stats
            )
            items.extend(data.get("items") or [])
            page_token = data.get("page_token")
            if not data.get("has_more") or not page_token or page_token in seen_tokens:
                break
            seen_tokens.add(page_token)

        return items
