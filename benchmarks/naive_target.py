"""Baseline of the target: a naive singer-sdk BatchSink that validates and discards."""

from __future__ import annotations

from typing import Any

from singer_sdk import Target
from singer_sdk import typing as th
from singer_sdk.sinks import BatchSink


class DiscardingSink(BatchSink):
    """Validates every record against its schema (SDK default), then drops it."""

    def process_batch(self, context: dict[str, Any]) -> None:
        """Forget the batch; only reading and validation are measured."""
        context.pop("records", None)


class NaiveTarget(Target):
    """A singer-sdk target with default settings and record validation on."""

    name = "naive-target"
    config_jsonschema = th.PropertiesList().to_dict()
    default_sink_class = DiscardingSink


if __name__ == "__main__":
    NaiveTarget.cli()
