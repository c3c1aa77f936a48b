"""A fake gateway of our own: wrong windows, authority tricks and redirects."""

from __future__ import annotations

import base64
import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from Crypto.Cipher import AES
from singer_sdk.exceptions import FatalAPIError

from tap_yuekeyun.cipher import derive_key
from tap_yuekeyun.exceptions import DownloadUrlError
from tests.tap.conftest import business_today, run_tap

LEASE_CODE = "democs"
STREAM = ("ticket_orders",)
API = "dme.lark.data.finance.getFinancialData"


def encrypt(url: str) -> str:
    plain = url.encode("ascii")
    size = 16 - len(plain) % 16
    cipher = AES.new(derive_key(LEASE_CODE), AES.MODE_ECB)
    return base64.b64encode(cipher.encrypt(plain + bytes([size]) * size)).decode()


def window_name(day: dt.date) -> str:
    start = f"{day} 06:00:00"
    end = f"{day + dt.timedelta(days=1)} 05:59:59"
    return f"{quote(start, safe='')}_{quote(end, safe='')}.csv"


@dataclass
class FakeGateway:
    """Answers every query with the URLs ``answer`` makes; logs every request."""

    answer: Any = None
    redirect_gateway_to: str | None = None
    redirect_files_to: str | None = None
    requests: list[str] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def file_url(self, day: dt.date, host: str | None = None) -> str:
        return (
            f"http://{host or self.base_url[7:]}/bicore/open/{LEASE_CODE}/C01/"
            f"{'ab' * 16}/{window_name(day)}?Expires=1&OSSAccessKeyId=K&Signature=S"
        )


def serve(fake: FakeGateway) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake.requests.append(self.path)
            parts = urlsplit(self.path)
            if parts.path.startswith("/openapi/"):
                self._gateway(parse_qs(parts.query))
            else:
                self._file()

        def _gateway(self, params: dict[str, list[str]]) -> None:
            if fake.redirect_gateway_to:
                self._redirect(fake.redirect_gateway_to)
                return
            search_date = params["searchDate"][0]  # a month query: its 1st day
            first_day = search_date if len(search_date) == 10 else search_date + "-01"
            urls = fake.answer(dt.date.fromisoformat(first_day))
            body = (
                '{"data": {"bizData": {"downloadUrlList": ['
                + ", ".join(f'"{encrypt(url)}"' for url in urls)
                + "]}}}"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _file(self) -> None:
            if fake.redirect_files_to:
                self._redirect(fake.redirect_files_to)
                return
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _redirect(self, location: str) -> None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def fake() -> Iterator[FakeGateway]:
    gateway = FakeGateway()
    gateway.server = serve(gateway)
    yield gateway
    gateway.server.shutdown()
    gateway.server.server_close()


@pytest.fixture
def elsewhere() -> Iterator[FakeGateway]:
    """A second loopback server: a redirect target that must never be asked."""
    target = FakeGateway()
    target.server = serve(target)
    yield target
    target.server.shutdown()
    target.server.server_close()


def config(fake: FakeGateway, **overrides: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "app_key": "fake-app",
        "secret_key": "fake-secret",
        "channel_code": "FAKE",
        "lease_code": LEASE_CODE,
        "cinema_link_id": "1001",
        "start_date": business_today().isoformat(),
        "lookback_days": 0,
        "base_url": fake.base_url,
        "download_hosts": ["127.0.0.1"],
        "request_timeout": 5,
    }
    settings.update(overrides)
    return settings


def file_requests(fake: FakeGateway) -> list[str]:
    return [path for path in fake.requests if not path.startswith("/openapi/")]


def test_a_day_answered_with_another_days_file_stops_the_run(
    fake: FakeGateway,
) -> None:
    today = business_today()
    fake.answer = lambda day: [fake.file_url(day - dt.timedelta(days=1))]

    run = run_tap(config(fake), streams=STREAM, expect_error=True)

    other = today - dt.timedelta(days=1)
    assert isinstance(run.error, DownloadUrlError)
    assert str(run.error) == (
        f"Download URL of C01 day {today}: the gateway answered the file of window "
        f"{other} 06:00:00_{today} 05:59:59 (.../C01/{'ab' * 16}/"
        f"{window_name(other)}), which is outside day {today}; refusing another "
        "period's file"
    )
    assert file_requests(fake) == []
    assert run.records == {}


def test_the_same_window_twice_stops_the_run(fake: FakeGateway) -> None:
    fake.answer = lambda day: [fake.file_url(day), fake.file_url(day)]

    run = run_tap(config(fake), streams=STREAM, expect_error=True)

    assert isinstance(run.error, DownloadUrlError)
    assert "appears twice in one answer; refusing a duplicated file" in str(run.error)
    assert file_requests(fake) == []


def test_business_day_start_contradicting_the_windows_stops_the_run(
    fake: FakeGateway,
) -> None:
    fake.answer = lambda day: [fake.file_url(day)]

    run = run_tap(
        config(fake, business_day_start="23:59", start_date="2026-11-01"),
        streams=STREAM,
        expect_error=True,
    )

    assert isinstance(run.error, DownloadUrlError)
    message = str(run.error)
    assert message.startswith("Download URL of C01 month 2026-11: window 2026-11-01 ")
    assert message.endswith(
        "starts at 06:00:00, but business_day_start is 23:59; set "
        "business_day_start to the start time of the files' windows"
    )
    assert file_requests(fake) == []


def test_a_backslash_authority_trick_is_never_fetched(fake: FakeGateway) -> None:
    port = fake.base_url.rsplit(":", 1)[1]
    host = f"127.0.0.1:{port}\\@files.oss-cn-hangzhou.aliyuncs.com"
    fake.answer = lambda day: [fake.file_url(day, host=host)]

    run = run_tap(
        config(fake, download_hosts=["*.aliyuncs.com"]),
        streams=STREAM,
        expect_error=True,
    )

    assert isinstance(run.error, DownloadUrlError)
    assert str(run.error) == (
        f"Download URL of C01 day {business_today()} (host "
        "'files.oss-cn-hangzhou.aliyuncs.com') contains a backslash; refusing to "
        "fetch it (download_hosts)"
    )
    assert file_requests(fake) == []


def test_a_userinfo_url_is_never_fetched(fake: FakeGateway) -> None:
    host = f"files.oss-cn-hangzhou.aliyuncs.com@{fake.base_url[7:]}"
    fake.answer = lambda day: [fake.file_url(day, host=host)]

    run = run_tap(
        config(fake, download_hosts=["*.aliyuncs.com", "127.0.0.1"]),
        streams=STREAM,
        expect_error=True,
    )

    assert isinstance(run.error, DownloadUrlError)
    assert str(run.error) == (
        f"Download URL of C01 day {business_today()} (host '127.0.0.1') contains "
        "'@' (userinfo); refusing to fetch it (download_hosts)"
    )
    assert file_requests(fake) == []


def test_a_file_redirect_is_an_error_and_never_followed(
    fake: FakeGateway, elsewhere: FakeGateway
) -> None:
    fake.answer = lambda day: [fake.file_url(day)]
    fake.redirect_files_to = elsewhere.base_url + "/stolen.csv?Signature=S"

    run = run_tap(config(fake), streams=STREAM, expect_error=True)

    today = business_today()
    assert isinstance(run.error, FatalAPIError)
    assert str(run.error) == (
        f"File .../C01/{'ab' * 16}/{window_name(today)}: HTTP 302 redirect to "
        "'127.0.0.1'; redirects are not followed (the file host must answer the "
        "URL itself)"
    )
    assert len(file_requests(fake)) == 1
    assert elsewhere.requests == []


def test_a_gateway_redirect_is_an_error_naming_base_url(
    fake: FakeGateway, elsewhere: FakeGateway
) -> None:
    fake.redirect_gateway_to = elsewhere.base_url + "/openapi/x"

    run = run_tap(config(fake), streams=STREAM, expect_error=True)

    assert isinstance(run.error, FatalAPIError)
    assert str(run.error) == (
        f"{API} (C01 day {business_today()}, cinema 1001): HTTP 302 redirect to "
        "'127.0.0.1'; redirects are not followed, check base_url (it must name "
        "the gateway itself)"
    )
    assert len(fake.requests) == 1
    assert elsewhere.requests == []
