"""A streamlined per-record path through the SDK for JSON-ready records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from singer_sdk import Stream
from singer_sdk import singerlib as singer
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.mapper import SameRecordTransform

if TYPE_CHECKING:
    from singer_sdk.helpers.types import Context


class JsonReadyStream(Stream):
    """A stream whose records are already JSON-ready and typed by the tap.

    With no stream map, no flattening and no deselected property, a RECORD
    message is built straight from the record (the SDK would copy and walk each
    record for nothing); otherwise the SDK's own path runs. The bookmark is
    advanced only when the replication value changes (rows of one file share it).
    """

    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    _plain_path: bool | None = None
    _last_bookmark: tuple[tuple[Any, ...], Any] | None = None

    def _generate_record_messages(
        self, record: dict[str, Any]
    ) -> Generator[singer.RecordMessage, None, None]:
        """Yield the RECORD message; the SDK's path when maps or masks apply."""
        if self._plain_path is None:
            self._plain_path = self._record_is_unchanged_by_sdk()
        if not self._plain_path:
            yield from super()._generate_record_messages(record)
            return

        yield singer.RecordMessage(
            stream=self.name,
            record=record,
            version=self._stream_version,
            time_extracted=dt.datetime.now(dt.timezone.utc),
        )

    def _write_record_message(self, record: dict[str, Any]) -> None:
        """Write one RECORD message without the generator of the SDK's path."""
        if self._plain_path is None:
            self._plain_path = self._record_is_unchanged_by_sdk()
        if not self._plain_path:
            super()._write_record_message(record)
            return

        self._tap.write_message(
            singer.RecordMessage(
                stream=self.name,
                record=record,
                version=self._stream_version,
                time_extracted=dt.datetime.now(dt.timezone.utc),
            )
        )
        self.state_manager.is_flushed = False

    def _record_is_unchanged_by_sdk(self) -> bool:
        maps = self.stream_maps
        if len(maps) != 1 or type(maps[0]) is not SameRecordTransform:
            return False
        if maps[0].flattening_enabled:
            return False

        deselected = [
            breadcrumb
            for breadcrumb, selected in self.mask.items()
            if len(breadcrumb) >= 2 and not selected
        ]
        return not deselected

    def _increment_stream_state(
        self, latest_record: dict[str, Any], *, context: Context | None = None
    ) -> None:
        """Advance the bookmark once per distinct replication value."""
        key = self.replication_key
        value = latest_record.get(key) if key else None
        marker = (tuple(context.values()) if context else (), value)
        if value is not None and marker == self._last_bookmark:
            return

        super()._increment_stream_state(latest_record, context=context)
        self._last_bookmark = marker
