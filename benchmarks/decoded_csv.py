"""Reading the decoded Yuekeyun CSV files that the baselines share."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

CSV_SUFFIX = ".csv"


def csv_files(csv_dir: Path) -> list[Path]:
    """Return the decoded CSV files of ``csv_dir`` in name (business date) order."""
    return sorted(path for path in csv_dir.iterdir() if path.suffix == CSV_SUFFIX)


def read_rows(path: Path) -> Iterator[dict[str, str | None]]:
    """Yield the data rows of one decoded file as dicts of string columns.

    The file layout is the gateway's: ``#`` comment lines, one title line, the
    header, then rows. Empty cells become ``None``; a row whose width differs
    from the header's raises, so nothing is padded or truncated silently.

    Args:
        path: a UTF-8 file holding the decoded text of one download.

    Yields:
        One dict per data row, keyed by the Chinese headers.

    Raises:
        ValueError: when a row's width differs from the header's.
    """
    with path.open(encoding="utf-8", newline="") as text:
        line = text.readline()
        while line.startswith("#"):
            line = text.readline()
        reader = csv.reader(text)
        header = next(reader)

        for row in reader:
            if len(row) != len(header):
                msg = (
                    f"{path.name}: row {reader.line_num} has {len(row)} cells, "
                    f"the header has {len(header)}"
                )
                raise ValueError(msg)
            yield {name: cell or None for name, cell in zip(header, row, strict=True)}


def read_header(path: Path) -> list[str]:
    """Return the header of one decoded file."""
    with path.open(encoding="utf-8", newline="") as text:
        line = text.readline()
        while line.startswith("#"):
            line = text.readline()
        return next(csv.reader(text))
