"""Gateway answers of the sandbox: errors, day and month queries, files."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from urllib.parse import unquote, urlsplit

import pytest
import requests

from sandbox.cinema import SyntheticCinema
from sandbox.yuekeyun import YuekeyunSandbox
from tests.sandbox.test_yuekeyun_support import (
    SECRET,
    as_dicts,
    ask,
    decrypt,
    entries,
    gateway_url,
    parse_file,
    query_params,
    sign,
)

SHANGHAI = timezone(timedelta(hours=8))


@pytest.fixture
def gateway() -> Iterator[YuekeyunSandbox]:
    """A started default gateway sandbox, stopped after the test."""
    with YuekeyunSandbox() as running:
        yield running


def error_of(response: requests.Response) -> tuple[int, str]:
    body = response.json()
    assert set(body) == {"error_code", "error_message", "request_id"}
    assert SECRET not in response.text

    return response.status_code, body["error_code"]


def window_of(url: str) -> str:
    return unquote(urlsplit(url).path.rsplit("/", 1)[1])


def test_day_query_answers_one_url_whose_file_is_the_expected_rows(
    gateway: YuekeyunSandbox,
) -> None:
    urls = [decrypt("democs", entry) for entry in entries(ask(gateway))]

    assert len(urls) == 1
    parts = urlsplit(urls[0])
    assert parts.netloc == gateway.file_url_host
    assert parts.path.startswith("/bicore/open/democs/C01/")
    assert parts.path.endswith(
        "/2026-11-30%2006%3A00%3A00_2026-12-01%2005%3A59%3A59.csv"
    )
    assert sorted(name.split("=")[0] for name in parts.query.split("&")) == [
        "Expires",
        "OSSAccessKeyId",
        "Signature",
    ]

    download = requests.get(urls[0], timeout=10)
    assert download.status_code == 200
    assert int(download.headers["Content-Length"]) == len(download.content)
    lines, header, rows = parse_file(download.content)
    assert lines == ["#影票订单数据", "#导出时间:2026-12-01 08:00:00", "影票订单数据"]
    expected = gateway.expected_rows("democs", "C01", date(2026, 11, 30))
    assert len(expected) == 400
    assert as_dicts(header, rows) == expected
    assert download.content.count(b"\r\n") >= 404


def test_month_query_answers_one_url_per_day(gateway: YuekeyunSandbox) -> None:
    urls = [
        decrypt("democs", e) for e in entries(ask(gateway, "C02", "month", "2026-11"))
    ]

    windows = [window_of(url) for url in urls]
    assert windows == [
        f"{day} 06:00:00_{day + timedelta(days=1)} 05:59:59.csv"
        for day in (date(2026, 11, 1) + timedelta(days=n) for n in range(30))
    ]
    _, header, rows = parse_file(requests.get(urls[9], timeout=10).content)
    assert as_dicts(header, rows) == gateway.expected_rows(
        "democs", "C02", date(2026, 11, 10)
    )


@pytest.mark.parametrize(
    ("search_date", "count"), [("2024-01", 31), ("2023-12", 0), ("2024-02", 29)]
)
def test_month_query_starts_at_the_opening(
    gateway: YuekeyunSandbox, search_date: str, count: int
) -> None:
    assert len(entries(ask(gateway, "C01", "month", search_date))) == count


def test_future_days_are_empty_except_the_c18_schedule(
    gateway: YuekeyunSandbox,
) -> None:
    tomorrow = (datetime.now(SHANGHAI) - timedelta(hours=6)).date() + timedelta(days=1)
    far = tomorrow + timedelta(days=40)

    assert entries(ask(gateway, "C01", "day", tomorrow.isoformat())) == []
    schedule = entries(ask(gateway, "C18", "day", tomorrow.isoformat()))
    assert len(schedule) == 1
    _, header, rows = parse_file(
        requests.get(decrypt("democs", schedule[0]), timeout=10).content
    )
    assert {row[header.index("放映日期")] for row in rows} == {tomorrow.isoformat()}
    assert entries(ask(gateway, "C18", "day", far.isoformat())) == []


def test_post_form_is_accepted(gateway: YuekeyunSandbox) -> None:
    response = requests.post(gateway_url(gateway), data=query_params(), timeout=10)

    assert len(entries(response)) == 1
    assert gateway.calls[-1].method == "POST"


def test_calls_are_recorded(gateway: YuekeyunSandbox) -> None:
    ask(gateway, "C03", "month", "2026-10")
    ask(gateway, "C03", "day", "2026-10-05", channelCode="OTHER")

    first, second = gateway.calls
    assert (first.data_type, first.search_date_type, first.search_date) == (
        "C03",
        "month",
        "2026-10",
    )
    assert (first.lease_code, first.cinema_link_id, first.status) == (
        "democs",
        "1001",
        200,
    )
    assert (first.error_code, first.url_count) == (None, 31)
    assert (second.status, second.error_code) == (403, "isv.PermissionDenied")
    gateway.reset_counters()
    assert (gateway.calls, gateway.downloads) == ([], [])


def test_bad_signature_is_401(gateway: YuekeyunSandbox) -> None:
    params = query_params()
    params["_aop_signature"] = sign("wrong-secret", "sandbox-app", params)
    response = requests.get(gateway_url(gateway), params=params, timeout=10)

    assert error_of(response) == (401, "gw.SignatureInvalid")


def test_lowercase_signature_is_rejected(gateway: YuekeyunSandbox) -> None:
    params = query_params()
    params["_aop_signature"] = params["_aop_signature"].lower()
    response = requests.get(gateway_url(gateway), params=params, timeout=10)

    assert error_of(response) == (401, "gw.SignatureInvalid")


def test_changed_parameter_breaks_the_signature(gateway: YuekeyunSandbox) -> None:
    params = query_params()
    params["searchDate"] = "2026-11-29"
    response = requests.get(gateway_url(gateway), params=params, timeout=10)

    assert error_of(response) == (401, "gw.SignatureInvalid")


@pytest.mark.parametrize("offset_seconds", [-1000, 1000])
def test_timestamp_skew_is_401(gateway: YuekeyunSandbox, offset_seconds: int) -> None:
    stamp = str(int((time.time() + offset_seconds) * 1000))
    response = ask(gateway, _aop_timestamp=stamp)

    assert error_of(response) == (401, "gw.TimestampInvalid")


def test_timestamp_within_skew_is_accepted(gateway: YuekeyunSandbox) -> None:
    stamp = str(int((time.time() - 800) * 1000))

    assert len(entries(ask(gateway, _aop_timestamp=stamp))) == 1


def test_unknown_app_key_is_401(gateway: YuekeyunSandbox) -> None:
    params = query_params()
    response = requests.get(
        gateway_url(gateway, "other-app"), params=params, timeout=10
    )

    assert error_of(response) == (401, "gw.AppKeyNotExist")


@pytest.mark.parametrize(
    "missing",
    [
        "leaseCode",
        "cinemaLinkId",
        "_aop_timestamp",
        "channelCode",
        "dataType",
        "searchDateType",
        "searchDate",
        "_aop_signature",
    ],
)
def test_missing_parameter_is_400(gateway: YuekeyunSandbox, missing: str) -> None:
    params = query_params()
    del params[missing]
    if missing != "_aop_signature":
        params["_aop_signature"] = sign(SECRET, "sandbox-app", params)
    response = requests.get(gateway_url(gateway), params=params, timeout=10)

    assert error_of(response) == (400, "gw.MissingParameter")
    assert missing in response.json()["error_message"]


@pytest.mark.parametrize(
    ("data_type", "search_date_type", "search_date"),
    [
        ("C26", "day", "2026-11-30"),
        ("c01", "day", "2026-11-30"),
        ("C01", "week", "2026-11-30"),
        ("C01", "day", "2026-11"),
        ("C01", "day", "2026-1-30"),
        ("C01", "day", "2026-02-30"),
        ("C01", "month", "2026-11-30"),
        ("C01", "month", "2026-13"),
        ("C01", "day", "20261130"),
    ],
)
def test_bad_parameter_value_is_400(
    gateway: YuekeyunSandbox, data_type: str, search_date_type: str, search_date: str
) -> None:
    response = ask(gateway, data_type, search_date_type, search_date)

    assert error_of(response) == (400, "isv.InvalidParameter")


def test_non_numeric_timestamp_is_400(gateway: YuekeyunSandbox) -> None:
    assert error_of(ask(gateway, _aop_timestamp="yesterday")) == (
        400,
        "isv.InvalidParameter",
    )


def test_repeated_parameter_is_400(gateway: YuekeyunSandbox) -> None:
    params = [*query_params().items(), ("dataType", "C02")]
    response = requests.get(gateway_url(gateway), params=params, timeout=10)

    assert error_of(response) == (400, "isv.InvalidParameter")


@pytest.mark.parametrize(
    "override",
    [{"leaseCode": "other"}, {"cinemaLinkId": "1002"}, {"channelCode": "POS_7777"}],
)
def test_ungranted_lease_cinema_or_channel_is_403(
    gateway: YuekeyunSandbox, override: dict[str, str]
) -> None:
    assert error_of(ask(gateway, **override)) == (403, "isv.PermissionDenied")


def test_unknown_api_path_is_404(gateway: YuekeyunSandbox) -> None:
    response = requests.get(f"{gateway.base_url}/openapi/other", timeout=10)

    assert error_of(response) == (404, "gw.ApiNotExist")


def test_several_cinemas_get_their_own_files() -> None:
    chain = [
        SyntheticCinema(seed=1, lease_code="chain", cinema_link_id="1", name="东店"),
        SyntheticCinema(seed=2, lease_code="chain", cinema_link_id="2", name="西店"),
    ]
    with YuekeyunSandbox(cinemas=chain) as running:
        for cinema in chain:
            response = ask(
                running, leaseCode="chain", cinemaLinkId=cinema.cinema_link_id
            )
            url = decrypt("chain", entries(response)[0])
            _, header, rows = parse_file(requests.get(url, timeout=10).content)
            expected = running.expected_rows(
                "chain", "C01", date(2026, 11, 30), cinema.cinema_link_id
            )
            assert as_dicts(header, rows) == expected
            assert {row[0] for row in rows} == {cinema.name}


def test_data_cutoff_trims_the_growing_day_and_hides_later_days() -> None:
    cutoff = datetime(2026, 11, 30, 14, 0, 0, tzinfo=SHANGHAI)
    with YuekeyunSandbox(data_cutoff=cutoff) as running:
        url = decrypt("democs", entries(ask(running))[0])
        _, header, rows = parse_file(requests.get(url, timeout=10).content)
        full = SyntheticCinema().rows("C01", date(2026, 11, 30))
        kept = [row for row in full if row[3] <= "2026-11-30 14:00:00"]

        assert rows == kept
        assert 0 < len(kept) < len(full)
        assert as_dicts(header, rows) == running.expected_rows(
            "democs", "C01", date(2026, 11, 30)
        )
        assert entries(ask(running, "C01", "day", "2026-12-01")) == []
        assert len(entries(ask(running, "C01", "month", "2026-11"))) == 30
        assert entries(ask(running, "C01", "month", "2026-12")) == []
        assert len(entries(ask(running, "C18", "day", "2026-12-05"))) == 1
        assert running.expected_rows("democs", "C01", date(2026, 12, 1)) == []


def test_data_cutoff_can_be_moved_forward() -> None:
    cutoff = datetime(2026, 11, 30, 9, 0, 0, tzinfo=SHANGHAI)
    with YuekeyunSandbox(data_cutoff=cutoff) as running:
        early = running.expected_rows("democs", "C01", date(2026, 11, 30))
        running.data_cutoff = cutoff + timedelta(hours=6)
        url = decrypt("democs", entries(ask(running))[0])
        _, header, rows = parse_file(requests.get(url, timeout=10).content)

        assert len(rows) > len(early)
        assert as_dicts(header, rows) == running.expected_rows(
            "democs", "C01", date(2026, 11, 30)
        )


def test_expired_url_is_403_with_oss_xml() -> None:
    with YuekeyunSandbox(url_lifetime_seconds=-5) as running:
        url = decrypt("democs", entries(ask(running))[0])
        response = requests.get(url, timeout=10)

        assert response.status_code == 403
        assert "<Code>AccessDenied</Code>" in response.text
        assert "<Message>Request has expired.</Message>" in response.text
        assert running.downloads[-1].status == 403


@pytest.mark.parametrize("field", ["Signature", "Expires", "path"])
def test_tampered_url_is_403_signature_does_not_match(
    gateway: YuekeyunSandbox, field: str
) -> None:
    url = decrypt("democs", entries(ask(gateway))[0])
    if field == "Signature":
        url = url.replace("Signature=", "Signature=AAAA")
    elif field == "Expires":
        url = url.replace("Expires=", "Expires=9")
    else:
        url = url.replace("/C01/", "/C02/")
    response = requests.get(url, timeout=10)

    assert response.status_code == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in response.text


def test_url_without_signature_is_403(gateway: YuekeyunSandbox) -> None:
    url = decrypt("democs", entries(ask(gateway))[0]).split("?")[0]
    response = requests.get(url, timeout=10)

    assert response.status_code == 403
    assert "<Code>AccessDenied</Code>" in response.text


def test_signed_url_of_a_file_that_does_not_exist_is_404(
    gateway: YuekeyunSandbox,
) -> None:
    cinema = gateway.cinemas[0]
    url = gateway.signed_url(cinema, "C01", date(2023, 6, 1), gateway.file_url_host)
    response = requests.get(url, timeout=10)

    assert response.status_code == 404
    assert "<Code>NoSuchKey</Code>" in response.text


def test_naive_data_cutoff_is_rejected() -> None:
    with pytest.raises(ValueError, match="data_cutoff must be an aware datetime"):
        YuekeyunSandbox(data_cutoff=datetime(2026, 11, 30, 14, 0))
