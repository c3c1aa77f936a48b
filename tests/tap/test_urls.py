"""Download URL checks, redaction and the business date of a file window."""

from __future__ import annotations

import datetime as dt

import pytest

from tap_yuekeyun.exceptions import DownloadUrlError
from tap_yuekeyun.urls import (
    check_download_url,
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
