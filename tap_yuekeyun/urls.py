"""Download URLs: allowed-host check, redaction for logs and the file window."""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import requests
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from tap_yuekeyun.exceptions import DownloadUrlError
from tap_yuekeyun.planning import Query, business_date_of

_WINDOW = re.compile(
    r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})_(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})\.csv$"
)
_SECRET_QUERY = re.compile(r"(Signature|OSSAccessKeyId|Expires|_aop_signature)=[^&\s]*")
_FORBIDDEN = {"@": "'@' (userinfo)", "\\": "a backslash"}


@dataclass(frozen=True)
class FileWindow:
    """The ``{start}_{end}`` time window in a download URL's file name."""

    start: dt.datetime
    end: dt.datetime

    def __str__(self) -> str:
        """``YYYY-MM-DD HH:MM:SS_YYYY-MM-DD HH:MM:SS`` as in the file name."""
        return f"{self.start:%Y-%m-%d %H:%M:%S}_{self.end:%Y-%m-%d %H:%M:%S}"


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

    The host is read twice, by ``urllib.parse`` and by urllib3 from the URL
    requests would send; both must agree. URLs with ``@`` (userinfo), a
    backslash, whitespace or control characters are refused outright.

    Raises:
        DownloadUrlError: Another scheme, a forbidden character, hosts the two
            parsers disagree on, or a host no pattern matches; the URL is never
            fetched.
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

    forbidden = _forbidden_character(url)
    if forbidden:
        msg = (
            f"Download URL of {where} (host {host!r}) contains {forbidden}; "
            "refusing to fetch it (download_hosts)"
        )
        raise DownloadUrlError(msg)

    sent_host = _host_requests_uses(url)
    if sent_host != host:
        msg = (
            f"Download URL of {where}: host {host!r} as parsed by urllib, but "
            f"{sent_host!r} as requests would connect; refusing to fetch it "
            "(download_hosts)"
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


def _forbidden_character(url: str) -> str | None:
    for character in url:
        if character in _FORBIDDEN:
            return _FORBIDDEN[character]
        if character.isspace() or ord(character) < 0x20 or ord(character) == 0x7F:
            return f"whitespace or a control character ({character!r})"
    return None


def _host_requests_uses(url: str) -> str:
    """The host urllib3 connects to for the URL requests prepares ('' if none)."""
    try:
        prepared = requests.Request("GET", url).prepare().url or ""
        host = parse_url(prepared).host or ""
    except (requests.RequestException, LocationParseError, ValueError):
        return ""
    return host.lower().removeprefix("[").removesuffix("]")


def host_of(url: str) -> str:
    """The host of a URL for messages (``''`` when there is none)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def file_window(url: str) -> FileWindow | None:
    """The time window in the file name of a download URL, if present."""
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    match = _WINDOW.search(name)
    if match is None:
        return None

    try:
        start = dt.datetime.fromisoformat(match.group(1))
        end = dt.datetime.fromisoformat(match.group(2))
    except ValueError:
        return None
    return FileWindow(start, end)


def window_business_date(url: str, business_day_start: dt.time) -> dt.date | None:
    """The business date of a file from the window in its name, if present."""
    window = file_window(url)
    if window is None:
        return None

    return business_date_of(window.start, business_day_start)


def check_windows(
    urls: Sequence[str], query: Query, business_day_start: dt.time, where: str
) -> None:
    """Check that the files of one answer belong to the query, once each.

    A ``day`` query's windows start on ``searchDate``, a ``month`` query's inside
    that month; every window starts at ``business_day_start``. URLs without a
    window are left to the rows' time column.

    Raises:
        DownloadUrlError: A window of another period, one starting at another
            time of day than ``business_day_start``, or the same window twice.
    """
    seen: set[FileWindow] = set()
    for url in urls:
        window = file_window(url)
        if window is None:
            continue

        label = redact(url)
        if not query.first_day <= window.start.date() <= query.last_day:
            msg = (
                f"Download URL of {where}: the gateway answered the file of window "
                f"{window} ({label}), which is outside {query.search_date_type} "
                f"{query.search_date}; refusing another period's file"
            )
            raise DownloadUrlError(msg)

        if window.start.time() != business_day_start:
            msg = (
                f"Download URL of {where}: window {window} ({label}) starts at "
                f"{window.start:%H:%M:%S}, but business_day_start is "
                f"{business_day_start:%H:%M}; set business_day_start to the start "
                "time of the files' windows"
            )
            raise DownloadUrlError(msg)

        if window in seen:
            msg = (
                f"Download URL of {where}: window {window} ({label}) appears twice "
                "in one answer; refusing a duplicated file"
            )
            raise DownloadUrlError(msg)
        seen.add(window)
