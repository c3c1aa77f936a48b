"""Download URLs: allowed-host check, redaction for logs and the file window."""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from collections.abc import Sequence
from urllib.parse import unquote, urlsplit

from tap_yuekeyun.exceptions import DownloadUrlError
from tap_yuekeyun.planning import business_date_of

_WINDOW = re.compile(
    r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})_(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})\.csv$"
)
_SECRET_QUERY = re.compile(r"(Signature|OSSAccessKeyId|Expires|_aop_signature)=[^&\s]*")


def redact(url: str) -> str:
    """The last three path segments, no host, no query: ``.../C01/<hex>/<w>.csv``."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return "<unparseable URL>"

    segments = [segment for segment in path.split("/") if segment]
    return ".../" + "/".join(segments[-3:])


def redact_text(text: str) -> str:
    """Remove the values of secret query parameters from any text."""
    return _SECRET_QUERY.sub(r"\1=<redacted>", text)


def check_download_url(url: str, download_hosts: Sequence[str], where: str) -> None:
    """Accept only http(s) URLs whose host matches a ``download_hosts`` pattern.

    Raises:
        DownloadUrlError: Another scheme, or a host no pattern matches; the URL is
            never fetched.
    """
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        parts, host = None, ""

    if parts is None or parts.scheme not in ("http", "https") or not host:
        scheme = parts.scheme if parts is not None else "?"
        msg = (
            f"Download URL of {where} is not an http(s) URL with a host "
            f"(scheme {scheme!r}); refusing to fetch it (download_hosts)"
        )
        raise DownloadUrlError(msg)

    if not any(
        fnmatch.fnmatchcase(host, pattern.lower()) for pattern in download_hosts
    ):
        msg = (
            f"Download URL of {where} points at host {host!r}, which no pattern of "
            f"download_hosts {list(download_hosts)} matches; refusing to fetch it"
        )
        raise DownloadUrlError(msg)


def window_business_date(url: str, business_day_start: dt.time) -> dt.date | None:
    """The business date of a file from the window in its name, if present."""
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    match = _WINDOW.search(name)
    if match is None:
        return None

    start = dt.datetime.fromisoformat(match.group(1))
    return business_date_of(start, business_day_start)
