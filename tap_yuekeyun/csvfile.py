"""Reading a downloaded file: bytes to text, comment and title lines, CSV rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from tap_yuekeyun.exceptions import FileFormatError

UTF8_BOM = b"\xef\xbb\xbf"
SAMPLE_CHARS = 80


def decode_file(data: bytes, label: str) -> str:
    """Decode a file's bytes.

    Files are GB18030 (a superset of GBK). A file starting with a UTF-8 BOM is
    read as UTF-8 after the BOM; if those bytes are not valid UTF-8, as GB18030.

    Raises:
        FileFormatError: Bytes invalid in the chosen encoding, with the offset.
    """
    if data.startswith(UTF8_BOM):
        body = data[len(UTF8_BOM) :]
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            return _decode_gb18030(body, label, len(UTF8_BOM))

    return _decode_gb18030(data, label, 0)


def _decode_gb18030(data: bytes, label: str, offset: int) -> str:
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        position = exc.start + offset
        sample = data[exc.start : exc.start + 8].hex(" ")
        msg = (
            f"File {label}: invalid GB18030 bytes at byte offset {position} ({sample})"
        )
        raise FileFormatError(msg) from None


@dataclass
class Table:
    """The header of one file and the CSV reader over its data rows."""

    label: str
    header: list[str]
    rows: Iterator[list[str]]
    header_line: int


def read_table(text: str, label: str) -> Table:
    """Split a decoded file into header and rows.

    Leading lines starting with ``#`` are comments; the next line is the title,
    the one after is the header. Later lines are CSV rows (a row starting with
    ``#`` is data). Quoted commas, quotes and newlines survive.

    Raises:
        FileFormatError: The file has no title or no header line.
    """
    position = 0
    line = 0
    while text.startswith("#", position):
        position = _next_line(text, position)
        line += 1

    if position >= len(text):
        msg = f"File {label}: no title line (empty file or only comments)"
        raise FileFormatError(msg)

    position = _next_line(text, position)
    line += 1
    reader = csv.reader(io.StringIO(text[position:], newline=""), strict=True)
    header = next(reader, None)
    if not header:
        msg = f"File {label}: no header line after the title (line {line + 1})"
        raise FileFormatError(msg)

    return Table(label=label, header=header, rows=reader, header_line=line + 1)


def _next_line(text: str, position: int) -> int:
    end = text.find("\n", position)
    return len(text) if end < 0 else end + 1


def sample_of(cells: list[str]) -> str:
    """A short sample of a row for error messages."""
    joined = ",".join(cells)
    if len(joined) > SAMPLE_CHARS:
        return joined[:SAMPLE_CHARS] + "..."
    return joined
