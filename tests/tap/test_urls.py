"""Download URL checks, redaction and the business date of a file window."""

from __future__ import annotations

import datetime as dt

import pytest

from tap_yuekeyun.exceptions import DownloadUrlError
from tap_yuekeyun.planning import Query
from tap_yuekeyun.urls import (
    check_download_url,
    check_windows,
    redact,
    redact_text,
    window_business_date,
)

URL = (
    "http://lark-bicore.oss-cn-hangzhou.aliyuncs.com/bicore/open/democs/C13/"
    "0123456789abcdef0123456789abcdef/2025-01-02%2006%3A00%3A00_2025-01-03%2005%3A59"
    "%3A59.csv?Expires=1753514081&OSSAccessKeyId=KEYID&Signature=SIG%3D"
)
SIX = dt.time(6, 0)


def test_redact_keeps_category_token_and_window_only() -> None:
    assert redact(URL) == (
        ".../C13/0123456789abcdef0123456789abcdef/"
        "2025-01-02%2006%3A00%3A00_2025-01-03%2005%3A59%3A59.csv"
    )


def test_redact_text_removes_secret_query_values() -> None:
    text = redact_text(f"GET {URL}&_aop_signature=ABCDEF")
    assert "KEYID" not in text
    assert "SIG%3D" not in text
    assert "1753514081" not in text
    assert text.endswith("&_aop_signature=<redacted>")


def test_default_pattern_accepts_oss_hosts() -> None:
    check_download_url(URL, ["*.aliyuncs.com"], "C13 day 2025-01-02")


def test_host_not_matching_is_refused() -> None:
    with pytest.raises(DownloadUrlError) as caught:
        check_download_url(URL, ["127.0.0.1"], "C13 day 2025-01-02")
    assert str(caught.value) == (
        "Download URL of C13 day 2025-01-02 points at host "
        "'lark-bicore.oss-cn-hangzhou.aliyuncs.com', which no pattern of "
        "download_hosts ['127.0.0.1'] matches; refusing to fetch it"
    )


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://x.aliyuncs.com/a.csv", "not a url", "http:///a.csv"],
)
def test_other_schemes_are_refused(url: str) -> None:
    with pytest.raises(DownloadUrlError, match="is not an http\\(s\\) URL with a host"):
        check_download_url(url, ["*"], "C01 day 2026-11-30")


def test_suffix_pattern_does_not_match_lookalike_host() -> None:
    with pytest.raises(DownloadUrlError, match=r"'aliyuncs\.com\.evil\.test'"):
        check_download_url(
            "https://aliyuncs.com.evil.test/a.csv", ["*.aliyuncs.com"], "C01"
        )


def test_window_business_date() -> None:
    assert window_business_date(URL, SIX) == dt.date(2025, 1, 2)
    assert window_business_date("http://x/a.csv", SIX) is None


ATTACKER_URL = (
    "http://127.0.0.1:8123\\@files.oss-cn-hangzhou.aliyuncs.com/bicore/open/democs/"
    "C01/0123456789abcdef0123456789abcdef/a.csv"
)


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        (ATTACKER_URL, "contains a backslash"),
        ("http://127.0.0.1@files.aliyuncs.com/a.csv", "contains '@' (userinfo)"),
        ("http://files.aliyuncs.com/a.csv?x=1@2", "contains '@' (userinfo)"),
        ("http://files.aliyuncs.com/a b.csv", "whitespace or a control character"),
        ("http://files.aliyuncs.com/a\t.csv", "whitespace or a control character"),
        ("http://files.aliyuncs.com/a\x00.csv", "whitespace or a control character"),
        ("http://files.aliyuncs.com/a\x7f.csv", "whitespace or a control character"),
    ],
)
def test_authority_tricks_are_refused(url: str, fragment: str) -> None:
    with pytest.raises(DownloadUrlError) as caught:
        check_download_url(url, ["*.aliyuncs.com", "127.0.0.1"], "C01 day 2026-11-30")
    message = str(caught.value)
    assert message.startswith("Download URL of C01 day 2026-11-30 (host ")
    assert fragment in message
    assert message.endswith("; refusing to fetch it (download_hosts)")


def test_the_attacker_url_names_the_host_urllib_sees() -> None:
    with pytest.raises(DownloadUrlError) as caught:
        check_download_url(ATTACKER_URL, ["*.aliyuncs.com"], "C01 day 2026-11-30")
    assert str(caught.value) == (
        "Download URL of C01 day 2026-11-30 (host "
        "'files.oss-cn-hangzhou.aliyuncs.com') contains a backslash; refusing to "
        "fetch it (download_hosts)"
    )


@pytest.mark.parametrize(
    ("url", "seen", "sent"),
    [
        ("http://%31%32%37.0.0.1/a.csv", "%31%32%37.0.0.1", "127.0.0.1"),
        ("http://a.aliyuncs.com:80:80/a.csv", "a.aliyuncs.com", ""),
    ],
)
def test_parsers_that_disagree_on_the_host_are_refused(
    url: str, seen: str, sent: str
) -> None:
    with pytest.raises(DownloadUrlError) as caught:
        check_download_url(url, ["*"], "C01 day 2026-11-30")
    assert str(caught.value) == (
        f"Download URL of C01 day 2026-11-30: host {seen!r} as parsed by urllib, "
        f"but {sent!r} as requests would connect; refusing to fetch it "
        "(download_hosts)"
    )


def day_url(start: str, end: str, token: str = "0" * 32) -> str:
    window = f"{start}_{end}".replace(" ", "%20").replace(":", "%3A")
    return f"http://127.0.0.1:1/bicore/open/democs/C01/{token}/{window}.csv?Expires=1"


DAY = Query.day(dt.date(2026, 11, 30))
MONTH = Query.month(dt.date(2026, 11, 1))
NOV_30 = day_url("2026-11-30 06:00:00", "2026-12-01 05:59:59")
DEC_01 = day_url("2026-12-01 06:00:00", "2026-12-02 05:59:59", "1" * 32)


def test_windows_of_the_query_pass() -> None:
    check_windows([NOV_30], DAY, SIX, "C01 day 2026-11-30")
    nov_01 = day_url("2026-11-01 06:00:00", "2026-11-02 05:59:59", "2" * 32)
    check_windows([nov_01, NOV_30], MONTH, SIX, "C01 month 2026-11")
    check_windows(["http://127.0.0.1:1/a.csv"], DAY, SIX, "C01 day 2026-11-30")


@pytest.mark.parametrize(
    ("query", "where"), [(DAY, "day 2026-11-30"), (MONTH, "month 2026-11")]
)
def test_a_window_of_another_period_is_refused(query: Query, where: str) -> None:
    with pytest.raises(DownloadUrlError) as caught:
        check_windows([DEC_01], query, SIX, f"C01 {where}")
    assert str(caught.value) == (
        f"Download URL of C01 {where}: the gateway answered the file of window "
        "2026-12-01 06:00:00_2026-12-02 05:59:59 (.../C01/"
        "11111111111111111111111111111111/2026-12-01%2006%3A00%3A00_2026-12-02"
        f"%2005%3A59%3A59.csv), which is outside {where}; refusing another "
        "period's file"
    )


def test_a_window_starting_at_another_time_names_business_day_start() -> None:
    with pytest.raises(DownloadUrlError) as caught:
        check_windows([NOV_30], DAY, dt.time(23, 59), "C01 day 2026-11-30")
    assert str(caught.value) == (
        "Download URL of C01 day 2026-11-30: window 2026-11-30 06:00:00_2026-12-01 "
        "05:59:59 (.../C01/00000000000000000000000000000000/2026-11-30%2006%3A00"
        "%3A00_2026-12-01%2005%3A59%3A59.csv) starts at 06:00:00, but "
        "business_day_start is 23:59; set business_day_start to the start time of "
        "the files' windows"
    )


def test_the_same_window_twice_is_refused() -> None:
    again = NOV_30.replace("0" * 32, "f" * 32)
    with pytest.raises(DownloadUrlError) as caught:
        check_windows([NOV_30, again], DAY, SIX, "C01 day 2026-11-30")
    assert str(caught.value) == (
        "Download URL of C01 day 2026-11-30: window 2026-11-30 06:00:00_2026-12-01 "
        "05:59:59 (.../C01/ffffffffffffffffffffffffffffffff/2026-11-30%2006%3A00"
        "%3A00_2026-12-01%2005%3A59%3A59.csv) appears twice in one answer; "
        "refusing a duplicated file"
    )
