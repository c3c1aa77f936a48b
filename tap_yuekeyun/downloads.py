"""Fetching the files behind decrypted URLs: retries, bounded concurrency, order."""

from __future__ import annotations

import logging
import re
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import requests
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError

from tap_yuekeyun.exceptions import UrlExpiredError
from tap_yuekeyun.retries import with_retries
from tap_yuekeyun.urls import host_of, redact

_OSS_CODE = re.compile(r"<Code>([^<]{1,100})</Code>")
_OSS_MESSAGE = re.compile(r"<Message>([^<]{1,300})</Message>")
TRANSIENT_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


class FileFetcher:
    """Downloads files with a requests session, at most ``max_workers`` at once."""

    max_tries = 4
    backoff_base_seconds = 1.0

    def __init__(
        self,
        session: requests.Session,
        *,
        timeout: float,
        max_workers: int,
        logger: logging.Logger,
    ) -> None:
        """Share one session; the window of in-flight files is ``max_workers``."""
        self.session = session
        self.timeout = timeout
        self.max_workers = max_workers
        self.logger = logger

    def fetch(self, url: str) -> bytes:
        """Download one file, retrying transient failures.

        Raises:
            UrlExpiredError: HTTP 403 (the pre-signed URL expired).
            FatalAPIError: Another 4xx, or retries exhausted.
        """
        label = redact(url)
        return with_retries(
            lambda: self._get(url, label),
            max_tries=self.max_tries,
            backoff_base_seconds=self.backoff_base_seconds,
            logger=self.logger,
        )

    def _get(self, url: str, label: str) -> bytes:
        self.logger.debug("GET file %s", label)
        try:
            response = self.session.get(
                url, timeout=self.timeout, allow_redirects=False
            )
            data = response.content
        except TRANSIENT_ERRORS as exc:
            # requests' texts embed the pre-signed URL: never pass them on.
            msg = f"File {label}: {type(exc).__name__} while downloading"
            raise RetriableAPIError(msg) from None
        except requests.RequestException as exc:
            msg = f"File {label}: {type(exc).__name__} while downloading"
            raise FatalAPIError(msg) from None

        return _check_download(label, response, data)

    def fetch_in_order(self, urls: Sequence[str]) -> Iterator[tuple[int, bytes | None]]:
        """Yield (index, bytes) in list order; ``None`` bytes mean "expired (403)".

        At most ``max_workers`` files are in flight or waiting to be consumed.
        """
        with ThreadPoolExecutor(max_workers=self.max_workers) as pool:
            pending: deque[tuple[int, Future[bytes]]] = deque()
            upcoming = iter(enumerate(urls))
            for index, url in upcoming:
                pending.append((index, pool.submit(self.fetch, url)))
                if len(pending) >= self.max_workers:
                    yield _result(*pending.popleft())

            while pending:
                yield _result(*pending.popleft())


def _result(index: int, future: Future[bytes]) -> tuple[int, bytes | None]:
    try:
        return index, future.result()
    except UrlExpiredError:
        return index, None


def _oss_error(data: bytes) -> tuple[str, str]:
    text = data[:4096].decode("utf-8", "replace")
    code = _OSS_CODE.search(text)
    message = _OSS_MESSAGE.search(text)
    return (code.group(1) if code else "", message.group(1) if message else "")


def _check_download(label: str, response: requests.Response, data: bytes) -> bytes:
    status = response.status_code
    if 300 <= status < 400:
        location = response.headers.get("Location", "")
        target = host_of(location) or "the same host"
        msg = (
            f"File {label}: HTTP {status} redirect to {target!r}; redirects are "
            "not followed (the file host must answer the URL itself)"
        )
        raise FatalAPIError(msg)
    if status == 403:
        code, message = _oss_error(data)
        if "expired" in message.lower():
            msg = f"File {label}: HTTP 403 {code}: {message}"
            raise UrlExpiredError(msg)
        msg = f"File {label}: HTTP 403 {code or '-'}: {message or 'access denied'}"
        raise FatalAPIError(msg)
    if status == 429 or status >= 500:
        msg = f"File {label}: HTTP {status} from the file host"
        raise RetriableAPIError(msg)
    if status != 200:
        msg = f"File {label}: HTTP {status} from the file host"
        raise FatalAPIError(msg)

    expected = response.headers.get("Content-Length")
    encoded = response.headers.get("Content-Encoding")
    if expected and expected.isdigit() and not encoded and int(expected) != len(data):
        msg = f"File {label}: got {len(data)} of {expected} bytes (truncated)"
        raise RetriableAPIError(msg)

    return data
