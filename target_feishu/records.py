"""Record writes of one table: batch_create with bisection, batch_delete, search."""

from __future__ import annotations

import logging
import time
import typing as t
import uuid

from target_feishu.client import (
    ALREADY_WRITTEN,
    REJECTED_VALUE_CODES,
    FeishuAPIError,
    FeishuClient,
)
from target_feishu.tables import TableHandle

MAX_DELETE = 500
SEARCH_PAGE = 500
RECORD_ID_NOT_FOUND = 1254043

Cells = dict[str, t.Any]


class RejectedRowError(FeishuAPIError):
    """A row Feishu (or the value conversion) refused; names table, field, values."""


class RecordWriter:
    """Writes the rows of one table; callers hold the table's lock."""

    def __init__(
        self,
        client: FeishuClient,
        app_token: str,
        handle: TableHandle,
        logger: logging.Logger,
        *,
        batch_size: int,
        skip_rejected_rows: bool,
    ) -> None:
        self.client = client
        self.handle = handle
        self.logger = logger
        self.batch_size = batch_size
        self.skip_rejected_rows = skip_rejected_rows
        self.path = f"/open-apis/bitable/v1/apps/{app_token}/tables/{handle.table_id}"
        self.rejected_rows: list[str] = []

    def insert(self, rows: list[Cells]) -> list[str]:
        """Insert ``rows`` in batches; return the new record ids (when known)."""
        record_ids: list[str] = []
        for start in range(0, len(rows), self.batch_size):
            record_ids += self._create(rows[start : start + self.batch_size])

        return record_ids

    def reject(self, row: Cells, reason: str, field_name: str | None) -> None:
        """Report a row that cannot be written: fail, or skip it when allowed."""
        where = f" field {field_name!r}" if field_name else ""
        msg = (
            f"table {self.handle.name!r}{where}: row rejected: {reason}; row values: "
            f"{row!r}"
        )
        if not self.skip_rejected_rows:
            msg += " (set skip_rejected_rows to true to skip such rows)"
            raise RejectedRowError(msg, endpoint=f"POST {self.path}", code=None)
        self.logger.warning("Skipping a row (skip_rejected_rows is on): %s", msg)
        self.handle.rejected += 1
        self.rejected_rows.append(msg)

    def delete(self, record_ids: t.Sequence[str]) -> int:
        """Delete ``record_ids`` (500 per call); ids already gone are ignored."""
        deleted = 0
        for start in range(0, len(record_ids), MAX_DELETE):
            deleted += self._delete(list(record_ids[start : start + MAX_DELETE]))

        return deleted

    def search(
        self, filter_: dict[str, t.Any] | None, field_names: list[str]
    ) -> list[dict[str, t.Any]]:
        """Return every ``{record_id, fields}`` matching ``filter_`` (all pages)."""
        body: dict[str, t.Any] = {"field_names": field_names}
        if filter_:
            body["filter"] = filter_
        items: list[dict[str, t.Any]] = []
        page_token: str | None = None
        seen: set[str] = set()
        while True:
            params: dict[str, t.Any] = {"page_size": SEARCH_PAGE}
            if page_token:
                params["page_token"] = page_token
            data = self.client.request(
                "POST",
                f"{self.path}/records/search",
                bucket="search",
                params=params,
                body=body,
                stats=self.handle.stats,
            )
            items.extend(data.get("items") or [])
            page_token = data.get("page_token")
            if not data.get("has_more") or not page_token or page_token in seen:
                break
            seen.add(page_token)
        self.logger.debug("Search on %r found %s rows", self.handle.name, len(items))

        return items

    # Internals

    def _create(self, rows: list[Cells]) -> list[str]:
        started = time.monotonic()
        client_token = str(uuid.uuid4())
        try:
            data = self.client.request(
                "POST",
                f"{self.path}/records/batch_create",
                bucket="batch_create",
                params={"client_token": client_token},
                body={"records": [{"fields": row} for row in rows]},
                stats=self.handle.stats,
            )
        except FeishuAPIError as exc:
            if exc.code == ALREADY_WRITTEN:
                self.logger.info(
                    "Batch of %s rows for %r was already written (code %s)",
                    len(rows),
                    self.handle.name,
                    exc.code,
                )
                self.handle.inserted += len(rows)
                return []
            if exc.code not in REJECTED_VALUE_CODES:
                raise
            return self._bisect(rows, exc)

        self.handle.inserted += len(rows)
        self.logger.info(
            "Wrote %s rows to table %r in %.2fs",
            len(rows),
            self.handle.name,
            time.monotonic() - started,
        )

        return [
            str(item["record_id"])
            for item in data.get("records") or []
            if isinstance(item, dict) and item.get("record_id")
        ]

    def _bisect(self, rows: list[Cells], exc: FeishuAPIError) -> list[str]:
        if len(rows) == 1:
            row = rows[0]
            field_name = next((name for name in row if name in str(exc)), None)
            self.reject(row, str(exc), field_name)
            return []
        self.logger.warning(
            "Table %r refused a batch of %s rows (code %s); splitting it to find "
            "the bad row",
            self.handle.name,
            len(rows),
            exc.code,
        )
        middle = len(rows) // 2

        return self._create(rows[:middle]) + self._create(rows[middle:])

    def _delete(self, record_ids: list[str]) -> int:
        try:
            self.client.request(
                "POST",
                f"{self.path}/records/batch_delete",
                bucket="batch_delete",
                body={"records": record_ids},
                stats=self.handle.stats,
            )
        except FeishuAPIError as exc:
            if exc.code != RECORD_ID_NOT_FOUND:
                raise
            if len(record_ids) == 1:
                return 0
            middle = len(record_ids) // 2
            return self._delete(record_ids[:middle]) + self._delete(record_ids[middle:])
        self.handle.deleted += len(record_ids)
        self.logger.info(
            "Deleted %s old rows from table %r", len(record_ids), self.handle.name
        )

        return len(record_ids)
