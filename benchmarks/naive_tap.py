"""Baseline (a): a naive singer-sdk tap over the decoded CSV files."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from singer_sdk import Stream, Tap
from singer_sdk import typing as th

from benchmarks.decoded_csv import csv_files, read_header, read_rows


class DecodedCsvStream(Stream):
    """One stream of plain string columns, read with the csv module."""

    name = "ticket_orders"

    def __init__(self, tap: Tap, csv_dir: Path) -> None:
        """Build the all-string schema from the first file's header."""
        self.csv_dir = csv_dir
        header = read_header(csv_files(csv_dir)[0])
        schema = th.PropertiesList(
            *(th.Property(column, th.StringType) for column in header)
        ).to_dict()
        super().__init__(tap, schema=schema, name=self.name)

    def get_records(
        self, context: Mapping[str, Any] | None
    ) -> Iterable[dict[str, Any]]:
        """Yield every row of every file, in file order."""
        for path in csv_files(self.csv_dir):
            yield from read_rows(path)


class NaiveTap(Tap):
    """A singer-sdk tap with default settings, as a user would first write it."""

    name = "naive-tap"
    config_jsonschema = th.PropertiesList(
        th.Property(
            "csv_dir",
            th.StringType,
            required=True,
            description="Directory of decoded (UTF-8) Yuekeyun CSV files.",
        ),
    ).to_dict()

    def discover_streams(self) -> list[Stream]:
        """Return the one stream."""
        return [DecodedCsvStream(self, Path(self.config["csv_dir"]))]


if __name__ == "__main__":
    NaiveTap.cli()
