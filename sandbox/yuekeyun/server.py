"""``YuekeyunSandbox``: the gateway and its file host on one loopback port."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from http.server import ThreadingHTTPServer
from types import TracebackType
from urllib.parse import quote

from sandbox.cinema import SyntheticCinema
from sandbox.yuekeyun.bucket import FileBucket
from sandbox.yuekeyun.faults import GatewayFaults
from sandbox.yuekeyun.files import file_path, file_token
from sandbox.yuekeyun.gateway import FinancialQuery, GatewayRules
from sandbox.yuekeyun.handler import SandboxHandler
from sandbox.yuekeyun.journal import FileDownload, GatewayCall
from sandbox.yuekeyun.signing import file_signature
from sandbox.yuekeyun.url_cipher import (
    bad_padding_entry,
    encrypt_url,
    garbage_entry,
    short_entry,
)

logger = logging.getLogger(__name__)
FOREIGN_HOST = "evil.example.invalid"
OSS_ACCESS_KEY_ID = "LTAI5tSandboxKeyId"


class YuekeyunSandbox:
    """Loopback emulator of the Yuekeyun gateway (``getFinancialData``) and OSS.

    Use as a context manager or call ``start()``/``stop()``. Every gateway call
    lands in ``calls``, every file request in ``downloads``; ``faults`` holds the
    knobs that make the next answers fail in documented ways.
    """

    def __init__(
        self,
        *,
        app_key: str = "sandbox-app",
        secret_key: str = "sandbox-secret",
        channel_code: str = "SANDBOX",
        cinemas: Sequence[SyntheticCinema] | None = None,
        max_skew_seconds: int = 900,
        url_lifetime_seconds: int = 3600,
        data_cutoff: datetime | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        """Configure the sandbox; nothing listens before ``start()``."""
        self.app_key = app_key
        self.secret_key = secret_key
        self.channel_code = channel_code
        self.cinemas = list(cinemas) if cinemas else [SyntheticCinema()]
        self.max_skew_seconds = max_skew_seconds
        self.url_lifetime_seconds = url_lifetime_seconds
        self.host = host
        self.port = port
        self.faults = GatewayFaults()
        self.calls: list[GatewayCall] = []
        self.downloads: list[FileDownload] = []
        self.oss_secret = secrets.token_hex(16)
        self.oss_access_key_id = OSS_ACCESS_KEY_ID
        self.bucket = FileBucket(
            self.cinemas, self.faults, self.oss_secret, data_cutoff
        )
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._renderer: ThreadPoolExecutor | None = None
        self._by_pair = {(c.lease_code, c.cinema_link_id): c for c in self.cinemas}

    # Lifecycle.

    def start(self) -> str:
        """Listen on ``host:port`` (port 0: a free one) and return ``base_url``."""
        if self._server is not None:
            return self.base_url
        sandbox = self

        class Handler(SandboxHandler):
            owner = sandbox

        server = ThreadingHTTPServer((self.host, self.port), Handler)
        server.daemon_threads = True
        self._renderer = ThreadPoolExecutor(1, thread_name_prefix="yuekeyun-render")
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever,
            args=(0.05,),
            name="yuekeyun-sandbox",
            daemon=True,
        )
        self._thread.start()

        return self.base_url

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._renderer is not None:
            self._renderer.shutdown(wait=True, cancel_futures=True)
            self._renderer = None
        self._server = None
        self._thread = None

    def __enter__(self) -> YuekeyunSandbox:
        """Start and return the sandbox."""
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the sandbox."""
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``, the gateway's and file host's base URL."""
        return f"http://{self.file_url_host}"

    @property
    def file_url_host(self) -> str:
        """The ``host:port`` written into decrypted download URLs."""
        return f"{self.host}:{self.port}"

    @property
    def rules(self) -> GatewayRules:
        """What requests are checked against."""
        return GatewayRules(
            app_key=self.app_key,
            secret_key=self.secret_key,
            channel_code=self.channel_code,
            max_skew_seconds=self.max_skew_seconds,
            granted=frozenset(self._by_pair),
        )

    # Journal.

    def record_call(self, call: GatewayCall) -> None:
        """Append to ``calls`` (thread-safe)."""
        with self._lock:
            self.calls.append(call)

    def record_download(self, download: FileDownload) -> None:
        """Append to ``downloads`` (thread-safe)."""
        with self._lock:
            self.downloads.append(download)

    def reset_counters(self) -> None:
        """Forget recorded calls, downloads and the faults' ``injected`` counts."""
        with self._lock:
            self.calls.clear()
            self.downloads.clear()
            self.faults.injected.clear()

    # Data.

    @property
    def data_cutoff(self) -> datetime | None:
        """The simulated "now": later rows and business days are not served yet."""
        return self.bucket.data_cutoff

    @data_cutoff.setter
    def data_cutoff(self, value: datetime | None) -> None:
        self.bucket.data_cutoff = value

    def business_today(self) -> date:
        """The latest business day with data: ``data_cutoff``'s, else now's."""
        return self.bucket.business_today()

    def served_rows(
        self, cinema: SyntheticCinema, data_type: str, day: date
    ) -> list[list[str]] | None:
        """Rows of the file for ``day``, or None when that day has no file."""
        return self.bucket.served_rows(cinema, data_type, day)

    def file_bytes(
        self,
        cinema: SyntheticCinema,
        data_type: str,
        day: date,
        *,
        ragged: bool = False,
        invalid_bytes: bool = False,
    ) -> bytes | None:
        """The bytes the file host serves for ``day`` (None: no such file)."""
        return self.bucket.file_bytes(
            cinema, data_type, day, ragged=ragged, invalid_bytes=invalid_bytes
        )

    def expected_rows(
        self,
        lease_code: str,
        data_type: str,
        business_date: date,
        cinema_link_id: str | None = None,
    ) -> list[dict[str, str]]:
        """Ground truth: header → cell of every row the day's file holds.

        ``cinema_link_id`` picks the cinema when a lease has several.
        """
        return self.bucket.expected_rows(
            lease_code, data_type, business_date, cinema_link_id
        )

    # Answers.

    def download_urls(self, query: FinancialQuery) -> list[str]:
        """The encrypted ``downloadUrlList`` of a validated query."""
        cinema = self._by_pair[(query.lease_code, query.cinema_link_id)]
        entries: list[str] = []
        day = query.first_day
        while day <= query.last_day:
            if self.bucket.has_file(cinema, query.data_type, day):
                entries.append(self._entry(cinema, query.data_type, day))
                self._prerender(cinema, query.data_type, day)
            day += timedelta(days=1)

        return entries

    def _prerender(self, cinema: SyntheticCinema, data_type: str, day: date) -> None:
        """Render a file in the background so its download finds it cached."""
        renderer = self._renderer
        if renderer is None:
            return
        try:
            renderer.submit(
                self.bucket.file_bytes,
                cinema,
                data_type,
                day,
                ragged=False,
                invalid_bytes=False,
            )
        except RuntimeError:
            logger.debug(
                "renderer already stopped; %s %s not pre-rendered", data_type, day
            )

    def signed_url(
        self, cinema: SyntheticCinema, data_type: str, day: date, host: str
    ) -> str:
        """The plain pre-signed download URL of one day's file."""
        token = file_token(
            self.oss_secret, cinema.lease_code, cinema.cinema_link_id, data_type, day
        )
        path = file_path(cinema.lease_code, data_type, token, day)
        expires = int(time.time()) + self.url_lifetime_seconds
        signature = quote(file_signature(self.oss_secret, path, expires), safe="")

        return (
            f"http://{host}{path}?Expires={expires}"
            f"&OSSAccessKeyId={self.oss_access_key_id}&Signature={signature}"
        )

    def _entry(self, cinema: SyntheticCinema, data_type: str, day: date) -> str:
        lease = cinema.lease_code
        faults = self.faults
        if faults.consume("foreign_host_url", data_type):
            return encrypt_url(
                lease, self.signed_url(cinema, data_type, day, FOREIGN_HOST)
            )
        url = self.signed_url(cinema, data_type, day, self.file_url_host)

        if faults.consume("bad_ciphertext_length", data_type):
            return short_entry(lease, url)
        if faults.consume("bad_ciphertext_padding", data_type):
            return bad_padding_entry(lease, url)
        if faults.consume("garbage_url", data_type):
            return garbage_entry(lease)

        return encrypt_url(lease, url)
