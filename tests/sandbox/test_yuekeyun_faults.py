"""Every fault knob of the gateway sandbox, with its exact effect."""

from __future__ import annotations

import base64
import http.client
from collections.abc import Iterator
from datetime import date
from urllib.parse import urlsplit

import pytest
import requests

from sandbox.yuekeyun import YuekeyunSandbox
from tests.sandbox.test_yuekeyun_support import (
    as_dicts,
    ask,
    decrypt,
    entries,
    parse_file,
    raw_decrypt,
)

DAY = date(2026, 11, 30)


@pytest.fixture
def gateway() -> Iterator[YuekeyunSandbox]:
    """A started default gateway sandbox, stopped after the test."""
    with YuekeyunSandbox() as running:
        yield running


def file_of(gateway: YuekeyunSandbox, data_type: str = "C01") -> bytes:
    url = decrypt("democs", entries(ask(gateway, data_type))[0])
    response = requests.get(url, timeout=10)
    assert response.status_code == 200

    return response.content


@pytest.mark.parametrize(
    ("knob", "status", "error_code"),
    [
        ("gateway_errors", 500, "isp.InternalError"),
        ("gateway_busy", 503, "isp.ServiceBusy"),
        ("gateway_throttle", 429, "gw.QosAppFrequencyLimit"),
    ],
)
def test_gateway_json_faults_hit_the_next_n_calls(
    gateway: YuekeyunSandbox, knob: str, status: int, error_code: str
) -> None:
    setattr(gateway.faults, knob, 2)

    answers = [ask(gateway) for _ in range(3)]

    assert [a.status_code for a in answers] == [status, status, 200]
    assert [a.json().get("error_code") for a in answers[:2]] == [error_code] * 2
    assert getattr(gateway.faults, knob) == 0
    assert gateway.faults.injected[knob] == 2
    assert [c.error_code for c in gateway.calls] == [error_code, error_code, None]


def test_gateway_html_502(gateway: YuekeyunSandbox) -> None:
    gateway.faults.gateway_html_502 = 1

    first, second = ask(gateway), ask(gateway)

    assert first.status_code == 502
    assert first.headers["Content-Type"].startswith("text/html")
    assert first.text.startswith("<html>")
    with pytest.raises(ValueError, match="Expecting value"):
        first.json()
    assert len(entries(second)) == 1
    assert gateway.faults.injected["gateway_html_502"] == 1


def test_faults_respect_data_types(gateway: YuekeyunSandbox) -> None:
    gateway.faults.data_types = {"C02"}
    gateway.faults.gateway_errors = 1

    assert ask(gateway, "C01").status_code == 200
    assert ask(gateway, "C02").status_code == 500
    assert ask(gateway, "C02").status_code == 200


def test_bad_signature_is_reported_before_a_fault(gateway: YuekeyunSandbox) -> None:
    gateway.faults.gateway_busy = 1

    assert ask(gateway, channelCode="WRONG").status_code == 403
    assert gateway.faults.gateway_busy == 1
    assert ask(gateway).status_code == 503


def test_expired_urls_fault(gateway: YuekeyunSandbox) -> None:
    gateway.faults.expired_urls = 1
    url = decrypt("democs", entries(ask(gateway))[0])

    first, second = requests.get(url, timeout=10), requests.get(url, timeout=10)

    assert first.status_code == 403
    assert "<Code>AccessDenied</Code>" in first.text
    assert "<Message>Request has expired.</Message>" in first.text
    assert second.status_code == 200
    assert [d.status for d in gateway.downloads] == [403, 200]
    assert gateway.downloads[0].fault == "expired_urls"


def test_truncated_files_fault_sends_half_then_closes(gateway: YuekeyunSandbox) -> None:
    full = file_of(gateway)
    gateway.faults.truncated_files = 1
    url = urlsplit(decrypt("democs", entries(ask(gateway))[0]))

    connection = http.client.HTTPConnection(url.netloc, timeout=10)
    connection.request("GET", f"{url.path}?{url.query}")
    response = connection.getresponse()
    assert int(response.headers["Content-Length"]) == len(full)
    with pytest.raises(http.client.IncompleteRead) as caught:
        response.read()
    connection.close()

    assert caught.value.partial == full[: len(full) // 2]
    assert gateway.downloads[-1].bytes_sent == len(full) // 2
    assert gateway.faults.injected["truncated_files"] == 1
    assert file_of(gateway) == full


def test_truncated_file_fails_a_requests_download(gateway: YuekeyunSandbox) -> None:
    gateway.faults.truncated_files = 1
    url = decrypt("democs", entries(ask(gateway))[0])

    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.get(url, timeout=10)


def test_bad_ciphertext_length_fault(gateway: YuekeyunSandbox) -> None:
    gateway.faults.bad_ciphertext_length = 1

    first, second = entries(ask(gateway, "C01", "month", "2026-11"))[:2]

    assert len(base64.b64decode(first)) % 16 != 0
    assert decrypt("democs", second).startswith(f"http://{gateway.file_url_host}/")
    assert gateway.faults.injected["bad_ciphertext_length"] == 1


def test_bad_ciphertext_padding_fault(gateway: YuekeyunSandbox) -> None:
    gateway.faults.bad_ciphertext_padding = 1

    entry = entries(ask(gateway))[0]
    plain = raw_decrypt("democs", entry)

    assert plain[-1] == 0
    assert plain.rstrip(b"\x00").decode("ascii").startswith("http://127.0.0.1:")
    assert gateway.faults.injected["bad_ciphertext_padding"] == 1


def test_garbage_url_fault(gateway: YuekeyunSandbox) -> None:
    gateway.faults.garbage_url = 1

    plain = raw_decrypt("democs", entries(ask(gateway))[0])
    size = plain[-1]

    assert plain[-size:] == bytes([size]) * size
    with pytest.raises(UnicodeDecodeError):
        plain[:-size].decode("ascii")
    assert not plain.startswith(b"http")


def test_foreign_host_url_fault(gateway: YuekeyunSandbox) -> None:
    gateway.faults.foreign_host_url = 1

    url = urlsplit(decrypt("democs", entries(ask(gateway))[0]))

    assert url.netloc == "evil.example.invalid"
    assert url.path.startswith("/bicore/open/democs/C01/")
    assert gateway.faults.injected["foreign_host_url"] == 1


def test_invalid_gbk_files_fault(gateway: YuekeyunSandbox) -> None:
    gateway.faults.invalid_gbk_files = 1

    broken = file_of(gateway)
    good = file_of(gateway)

    with pytest.raises(UnicodeDecodeError):
        broken.decode("gb18030")
    assert broken.count(b"\xff\xfe") == 1
    assert broken.replace(b"\xff\xfe", b"") == good
    assert gateway.faults.injected["invalid_gbk_files"] == 1


def test_ragged_row_files_fault(gateway: YuekeyunSandbox) -> None:
    gateway.faults.ragged_row_files = 1

    _, header, rows = parse_file(file_of(gateway))

    ragged = [n for n, row in enumerate(rows) if len(row) != len(header)]
    assert ragged == [200]
    assert rows[200][-1] == "多余的值"
    rows[200].pop()
    assert as_dicts(header, rows) == gateway.expected_rows("democs", "C01", DAY)
    assert parse_file(file_of(gateway))[2] == rows


def test_unknown_column_fault(gateway: YuekeyunSandbox) -> None:
    gateway.faults.unknown_column = "新增字段"

    _, header, rows = parse_file(file_of(gateway))

    assert header[-1] == "新增字段"
    assert len(header) == 68
    assert [row[-1] for row in rows] == [f"新增字段-{n}" for n in range(1, 401)]
    assert as_dicts(header, rows) == gateway.expected_rows("democs", "C01", DAY)
    assert gateway.faults.injected["unknown_column"] == 1


def test_utf8_bom_fault(gateway: YuekeyunSandbox) -> None:
    plain = file_of(gateway)
    gateway.faults.utf8_bom = True

    with_bom = file_of(gateway)

    assert with_bom == b"\xef\xbb\xbf" + plain
    assert gateway.faults.injected["utf8_bom"] == 1


def test_empty_day_answers_no_url_or_a_header_only_file(
    gateway: YuekeyunSandbox,
) -> None:
    # C17 (month-end weighted average) only has rows on the last day of a month.
    assert gateway.expected_rows("democs", "C17", DAY) != []
    assert gateway.cinemas[0].rows("C17", date(2026, 11, 29)) == []
    assert entries(ask(gateway, "C17", "day", "2026-11-29")) == []
    assert len(entries(ask(gateway, "C17", "month", "2026-11"))) == 1

    gateway.faults.empty_as_header_only = True
    url = decrypt("democs", entries(ask(gateway, "C17", "day", "2026-11-29"))[0])
    lines, header, rows = parse_file(requests.get(url, timeout=10).content)

    assert lines[2] == "利润毛利数据（月末加权平均）"
    assert header == gateway.cinemas[0].header("C17")
    assert rows == []
    assert len(entries(ask(gateway, "C17", "month", "2026-11"))) == 30


def test_clear_disarms_everything(gateway: YuekeyunSandbox) -> None:
    faults = gateway.faults
    faults.gateway_errors = 3
    faults.utf8_bom = True
    faults.unknown_column = "x"
    faults.data_types = {"C01"}
    assert ask(gateway).status_code == 500

    faults.clear()

    assert (faults.gateway_errors, faults.utf8_bom, faults.unknown_column) == (
        0,
        False,
        None,
    )
    assert faults.applies_to("C25")
    assert dict(faults.injected) == {}
    assert file_of(gateway).startswith(b"#")


def test_unknown_fault_kind_is_rejected(gateway: YuekeyunSandbox) -> None:
    with pytest.raises(ValueError, match="unknown fault kind 'gateway_oops'"):
        gateway.faults.consume("gateway_oops", "C01")


def test_persistent_knobs_respect_data_types(gateway: YuekeyunSandbox) -> None:
    plain_c01 = file_of(gateway, "C01")
    gateway.faults.data_types = {"C02"}
    gateway.faults.unknown_column = "新增字段"
    gateway.faults.utf8_bom = True
    gateway.faults.empty_as_header_only = True

    assert file_of(gateway, "C01") == plain_c01
    assert file_of(gateway, "C02").startswith(b"\xef\xbb\xbf#")
    assert parse_file(file_of(gateway, "C02")[3:])[1][-1] == "新增字段"
    assert entries(ask(gateway, "C17", "day", "2026-11-29")) == []
