"""File rendering and caching of the gateway sandbox."""

from __future__ import annotations

import csv
import io
import threading
from datetime import date

import pytest

from sandbox.cinema import SyntheticCinema
from sandbox.yuekeyun import YuekeyunSandbox
from sandbox.yuekeyun.files import (
    FileCache,
    business_window,
    file_path,
    parse_file_path,
    render_file,
)

HOSTILE_ROWS = [
    ["plain", "1.00"],
    ["满2张,减5元", "2.00"],
    ['"周末"观影节', "3.00"],
    ["爆米花\r\n可乐", "4.00"],
    ["line\n#加料", ""],
    ["", ""],
    ["喆", "-5.00"],
]


def csv_module_file(title: str, header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    text = (
        f"#{title}\r\n#导出时间:2026-12-01 08:00:00\r\n{title}\r\n{buffer.getvalue()}"
    )

    return text.encode("gbk")


def test_render_file_equals_the_csv_module_on_hostile_rows() -> None:
    rendered = render_file(
        "测试", ["名称", "金额"], HOSTILE_ROWS, "2026-12-01 08:00:00"
    )

    assert rendered == csv_module_file("测试", ["名称", "金额"], HOSTILE_ROWS)
    assert '"满2张,减5元"'.encode("gbk") in rendered
    parsed = list(csv.reader(io.StringIO(rendered.decode("gbk"), newline="")))
    assert parsed[4:] == HOSTILE_ROWS


@pytest.mark.parametrize("code", ["C01", "C02", "C06", "C18"])
def test_render_file_equals_the_csv_module_on_cinema_rows(code: str) -> None:
    cinema = SyntheticCinema(tickets_per_day=1500)
    rows = cinema.rows(code, date(2026, 11, 30))
    header = cinema.header(code)
    title = cinema.title(code)

    rendered = render_file(title, header, rows, "2026-12-01 08:00:00")

    assert rendered == csv_module_file(title, header, rows)


def test_file_path_round_trip() -> None:
    path = file_path("BJ-CINEMA-0042", "C18", "ab" * 16, date(2026, 11, 30))

    assert path == (
        "/bicore/open/BJ-CINEMA-0042/C18/abababababababababababababababab/"
        "2026-11-30%2006%3A00%3A00_2026-12-01%2005%3A59%3A59.csv"
    )
    assert parse_file_path(path) == (
        "BJ-CINEMA-0042",
        "C18",
        "ab" * 16,
        date(2026, 11, 30),
    )
    assert business_window(date(2026, 12, 31)) == (
        "2026-12-31 06:00:00",
        "2027-01-01 05:59:59",
    )


@pytest.mark.parametrize(
    "path",
    [
        "/bicore/open/democs/C01/abc/2026-11-30%2006%3A00%3A00_2026-12-01%2005%3A59%3A59.csv",
        "/bicore/open/democs/C01/" + "ab" * 16 + "/2026-11-30_2026-12-01.csv",
        "/bicore/open/democs/C01/"
        + "ab" * 16
        + "/2026-11-30%2007%3A00%3A00_2026-12-01%2005%3A59%3A59.csv",
    ],
)
def test_parse_file_path_rejects_malformed_paths(path: str) -> None:
    assert parse_file_path(path) is None


def test_file_cache_is_bounded_by_bytes() -> None:
    cache = FileCache(max_bytes=25)
    for number in range(5):
        cache.put(("file", number), b"x" * 10)

    assert cache.get(("file", 0)) is None
    assert cache.get(("file", 3)) == b"x" * 10
    assert cache.get(("file", 4)) == b"x" * 10


def test_file_cache_makes_each_file_once_under_concurrency() -> None:
    cache = FileCache()
    made: list[int] = []
    gate = threading.Barrier(8)

    def make() -> bytes:
        made.append(1)
        return b"data"

    def worker(results: list[bytes | None]) -> None:
        gate.wait()
        results.append(cache.get_or_make(("same",), make))

    results: list[bytes | None] = []
    threads = [threading.Thread(target=worker, args=(results,)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == [b"data"] * 8
    assert made == [1]


def test_file_bytes_are_cached_and_faulty_variants_are_not() -> None:
    gateway = YuekeyunSandbox()
    cinema = gateway.cinemas[0]
    day = date(2026, 11, 30)

    first = gateway.file_bytes(cinema, "C01", day, ragged=False, invalid_bytes=False)
    ragged = gateway.file_bytes(cinema, "C01", day, ragged=True, invalid_bytes=False)
    again = gateway.file_bytes(cinema, "C01", day, ragged=False, invalid_bytes=False)

    assert first is again
    assert ragged is not None
    assert first is not None
    assert len(ragged) == len(first) + len(",多余的值".encode("gbk"))
