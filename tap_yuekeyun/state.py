"""Checks of an incoming Singer state before the SDK merges it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from singer_sdk.exceptions import ConfigValidationError

from tap_yuekeyun.planning import parse_iso_date

BOOKMARK_KEYS = ("replication_key_value", "starting_replication_value")


def check_state(state: Any) -> None:
    """Refuse a state the streams could not read, naming the stream.

    ``bookmarks`` must be an object of objects; every bookmark value (of the
    stream or of a partition) must be a ``YYYY-MM-DD`` string.

    Raises:
        ConfigValidationError: Naming the state, the stream and the value to fix.
    """
    if not isinstance(state, Mapping):
        _refuse(f"state: must be a JSON object, got {type(state).__name__}")
    bookmarks = state.get("bookmarks", {})
    if not isinstance(bookmarks, Mapping):
        _refuse(
            f"state: bookmarks must be an object of streams, got "
            f"{type(bookmarks).__name__}; fix or remove the state"
        )

    for stream, stream_state in bookmarks.items():
        if not isinstance(stream_state, Mapping):
            _refuse(
                f"state: bookmarks of stream {stream!r} must be an object, got "
                f"{type(stream_state).__name__}; fix or remove it from the state"
            )
        _check_values(stream, "", stream_state)
        partitions = stream_state.get("partitions", [])
        if not isinstance(partitions, list) or not all(
            isinstance(partition, Mapping) for partition in partitions
        ):
            _refuse(
                f"state: partitions of stream {stream!r} must be a list of objects; "
                "fix or remove it from the state"
            )
        for partition in partitions:
            context = partition.get("context")
            if isinstance(context, Mapping) and "cinema_link_id" in context:
                where = f", cinema {context['cinema_link_id']}"
            else:
                where = f", partition {context!r}"
            _check_values(stream, where, partition)


def _check_values(stream: str, where: str, bookmark: Mapping[str, Any]) -> None:
    for key in BOOKMARK_KEYS:
        value = bookmark.get(key)
        if value is not None and parse_iso_date(value) is None:
            name = "bookmark" if key == "replication_key_value" else key
            _refuse(
                f"Stream {stream}{where}: {name} {value!r} in the state is not a "
                "YYYY-MM-DD date; fix or remove it from the state"
            )


def _refuse(msg: str) -> None:
    raise ConfigValidationError(msg, errors=[msg])
