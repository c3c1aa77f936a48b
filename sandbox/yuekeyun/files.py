"""The CSV files of the file host: paths, tokens, rendering to GBK bytes."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote, unquote

BAD_BYTES = b"\xff\xfe"
_BAD_MARK = "@@SANDBOX-INVALID-BYTES@@"
RAGGED_CELL = "多余的值"
_PATH = re.compile(
    r"^/bicore/open/(?P<lease>[^/]+)/(?P<code>C\d\d)/(?P<token>[0-9a-f]{32})/"
    r"(?P<window>[^/]+)\.csv$"
)


def business_window(business_date: date) -> tuple[str, str]:
    """The ``YYYY-MM-DD HH:MM:SS`` bounds of a business day (06:00 to 05:59:59)."""
    following = business_date + timedelta(days=1)

    return f"{business_date} 06:00:00", f"{following} 05:59:59"


def file_token(secret: str, lease_code: str, link_id: str, code: str, day: date) -> str:
    """The 32 lowercase hex digits that name one cinema's file of one day."""
    text = f"{secret}|{lease_code}|{link_id}|{code}|{day.isoformat()}"

    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def file_path(lease_code: str, code: str, token: str, day: date) -> str:
    """The percent-encoded path of a file on the file host."""
    start, end = business_window(day)
    window = f"{quote(start, safe='')}_{quote(end, safe='')}"

    return f"/bicore/open/{quote(lease_code, safe='')}/{code}/{token}/{window}.csv"


def parse_file_path(path: str) -> tuple[str, str, str, date] | None:
    """Split a file path into (lease code, category, token, business date)."""
    match = _PATH.match(path)
    if match is None:
        return None
    start, _, end = unquote(match["window"]).partition("_")
    try:
        day = date.fromisoformat(start[:10])
    except ValueError:
        return None
    if (start, end) != business_window(day):
        return None

    return unquote(match["lease"]), match["code"], match["token"], day


def render_file(
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    export_time: str,
    *,
    ragged: bool = False,
    invalid_bytes: bool = False,
) -> bytes:
    """Render one file: two ``#`` comments, the title, the header, the rows.

    Args:
        title: The category title, also the first comment.
        header: The column headers.
        rows: The data rows, one string per header.
        export_time: ``YYYY-MM-DD HH:MM:SS`` for the export-time comment.
        ragged: Give the middle row one cell too many.
        invalid_bytes: Put bytes that are invalid in GB18030 into the middle row
            (or the title line when there are no rows).

    Returns:
        GBK bytes with CRLF line ends, QUOTE_MINIMAL quoting.
    """
    buffer = io.StringIO(newline="")
    buffer.write(f"#{title}\r\n#导出时间:{export_time}\r\n")
    buffer.write(f"{title}{_BAD_MARK if invalid_bytes and not rows else ''}\r\n")
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(header)

    middle = len(rows) // 2
    if (ragged or invalid_bytes) and rows:
        row = list(rows[middle])
        if invalid_bytes:
            row[-1] = f"{row[-1]}{_BAD_MARK}"
        rows = [
            *rows[:middle],
            [*row, RAGGED_CELL] if ragged else row,
            *rows[middle + 1 :],
        ]
    _write_rows(buffer, writer, rows)
    data = buffer.getvalue().encode("gbk")

    return data.replace(_BAD_MARK.encode("ascii"), BAD_BYTES)


def _write_rows(
    buffer: io.StringIO, writer: Any, rows: Sequence[Sequence[str]]
) -> None:
    """Write rows as ``csv.writer`` would, joining plain rows directly (faster)."""
    lines: list[str] = []
    for row in rows:
        line = ",".join(row)
        plain = (
            line.count(",") == len(row) - 1
            and '"' not in line
            and "\n" not in line
            and "\r" not in line
        )
        if plain and line:
            lines.append(line + "\r\n")
            continue
        buffer.write("".join(lines))
        lines.clear()
        writer.writerow(row)
    buffer.write("".join(lines))


class FileCache:
    """A thread-safe LRU of rendered files, bounded by total bytes."""

    def __init__(self, max_bytes: int = 512 * 1024 * 1024) -> None:
        """Keep at most ``max_bytes`` of rendered files."""
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[object, ...], bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._pending: dict[tuple[object, ...], threading.Lock] = {}

    def get(self, key: tuple[object, ...]) -> bytes | None:
        """The cached bytes for ``key``, if any (and mark them recently used)."""
        with self._lock:
            data = self._items.get(key)
            if data is not None:
                self._items.move_to_end(key)

        return data

    def put(self, key: tuple[object, ...], data: bytes) -> None:
        """Store ``data``, evicting the least recently used files if needed."""
        with self._lock:
            old = self._items.pop(key, None)
            self._size -= len(old) if old is not None else 0
            self._items[key] = data
            self._size += len(data)
            while self._size > self.max_bytes and len(self._items) > 1:
                _, evicted = self._items.popitem(last=False)
                self._size -= len(evicted)

    def get_or_make(
        self, key: tuple[object, ...], make: Callable[[], bytes | None]
    ) -> bytes | None:
        """The cached bytes, else ``make()`` once even under concurrent calls."""
        with self._lock:
            data = self._items.get(key)
            if data is not None:
                self._items.move_to_end(key)
                return data
            pending = self._pending.setdefault(key, threading.Lock())

        with pending:
            data = self.get(key)
            if data is None:
                data = make()
                if data is not None:
                    self.put(key, data)
        with self._lock:
            self._pending.pop(key, None)

        return data

    def clear(self) -> None:
        """Forget every file."""
        with self._lock:
            self._items.clear()
            self._size = 0
