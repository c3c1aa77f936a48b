"""The tap's settings schema and the cross-field rules JSON Schema cannot express."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from singer_sdk import typing as th
from singer_sdk.exceptions import ConfigValidationError

from tap_yuekeyun.planning import parse_iso_date

SECRETS = frozenset({"secret_key"})
DEFAULT_BASE_URL = "https://gw.open.yuekeyun.com"
DEFAULT_DOWNLOAD_HOSTS = ("*.aliyuncs.com",)
MAX_DAYS = 3660  # ten years: bounds lookback_days and screening_days_ahead
FIRST_YEAR = 2000
_APP_KEY = re.compile(r"[A-Za-z0-9._-]+")

CINEMA_TYPE = th.ObjectType(
    th.Property("lease_code", th.StringType, required=True, title="Lease code"),
    th.Property("cinema_link_id", th.StringType, required=True, title="Cinema link id"),
    th.Property("name", th.StringType, title="Cinema name"),
)

CONFIG_SCHEMA = th.PropertiesList(
    th.Property(
        "app_key",
        th.StringType,
        required=True,
        title="App key",
        description="Yuekeyun application key (last path segment of the API).",
    ),
    th.Property(
        "secret_key",
        th.StringType,
        required=True,
        secret=True,
        title="Secret key",
        description="Yuekeyun secret key: signs every request, never sent.",
    ),
    th.Property(
        "channel_code",
        th.StringType,
        required=True,
        title="Channel code",
        description="Channel code issued by Yuekeyun (channelCode).",
    ),
    th.Property(
        "lease_code",
        th.StringType,
        title="Lease code",
        description=(
            "Tenant code (租户代码) of a single cinema; also the URL decryption "
            "seed. Use with cinema_link_id, or use cinemas instead."
        ),
    ),
    th.Property(
        "cinema_link_id",
        th.StringType,
        title="Cinema link id",
        description="Cinema internal id (影院内码) of a single cinema.",
    ),
    th.Property(
        "cinema_name",
        th.StringType,
        title="Cinema name",
        description="Optional name of the single cinema, emitted as _cinema_name.",
    ),
    th.Property(
        "cinemas",
        th.ArrayType(CINEMA_TYPE),
        title="Cinemas",
        description=(
            "A chain: list of {lease_code, cinema_link_id, name}. Use instead of "
            "lease_code + cinema_link_id."
        ),
    ),
    th.Property(
        "start_date",
        th.DateType,
        title="Start date",
        description="First business date to fetch, YYYY-MM-DD; needed for a first run.",
    ),
    th.Property(
        "lookback_days",
        th.IntegerType,
        default=3,
        title="Lookback days",
        description="Days before the bookmark re-fetched on every run.",
    ),
    th.Property(
        "screening_days_ahead",
        th.IntegerType,
        default=30,
        title="Screening days ahead",
        description="Screenings (C18) fetched for today through today + N - 1.",
    ),
    th.Property(
        "timezone",
        th.StringType,
        default="Asia/Shanghai",
        title="Time zone",
        description="IANA time zone of business dates and of CSV times.",
    ),
    th.Property(
        "business_day_start",
        th.StringType,
        default="06:00",
        title="Business day start",
        description="HH:MM at which a business day starts; earlier is the day before.",
    ),
    th.Property(
        "base_url",
        th.StringType,
        default=DEFAULT_BASE_URL,
        title="Gateway base URL",
        description="Base URL of the Yuekeyun open gateway.",
    ),
    th.Property(
        "download_hosts",
        th.ArrayType(th.StringType),
        default=list(DEFAULT_DOWNLOAD_HOSTS),
        title="Download hosts",
        description="Host patterns (fnmatch) a decrypted download URL may point at.",
    ),
    th.Property(
        "categories_file",
        th.StringType,
        title="Categories file",
        description="JSON file of registry entries by code; adds to or overrides ours.",
    ),
    th.Property(
        "max_workers",
        th.IntegerType,
        default=4,
        title="Max workers",
        description="Concurrent file downloads (also the in-memory window).",
    ),
    th.Property(
        "request_timeout",
        th.NumberType,
        default=30,
        title="Request timeout",
        description="Seconds to wait for the gateway or the file host.",
    ),
    th.Property(
        "on_unknown_column",
        th.StringType,
        default="keep",
        allowed_values=["keep", "fail"],
        title="On unknown column",
        description=(
            "keep: pass a column missing from the registry as a string; fail: stop."
        ),
    ),
).to_dict()


@dataclass(frozen=True)
class Cinema:
    """One cinema to sync: its partition is ``{"cinema_link_id": ...}``."""

    lease_code: str
    cinema_link_id: str
    name: str | None


@dataclass(frozen=True)
class RunSettings:
    """Validated, parsed settings used by the streams."""

    base_url: str
    cinemas: tuple[Cinema, ...]
    start_date: dt.date | None
    lookback_days: int
    screening_days_ahead: int
    timezone: dt.tzinfo
    business_day_start: dt.time
    download_hosts: tuple[str, ...]
    max_workers: int
    request_timeout: float
    on_unknown_column: str


def parse_settings(config: Mapping[str, Any]) -> RunSettings:
    """Apply the cross-field rules and parse values.

    Raises:
        ConfigValidationError: Naming the setting; never echoing a secret.
    """
    _check_app_key(config.get("app_key"))
    _check_secret_key(config.get("secret_key"))
    return RunSettings(
        base_url=_parse_base_url(_or_default(config, "base_url", DEFAULT_BASE_URL)),
        cinemas=parse_cinemas(config),
        start_date=_parse_date(config.get("start_date")),
        lookback_days=_day_count(config, "lookback_days", 3),
        screening_days_ahead=_day_count(config, "screening_days_ahead", 30),
        timezone=_parse_timezone(_or_default(config, "timezone", "Asia/Shanghai")),
        business_day_start=_parse_day_start(
            _or_default(config, "business_day_start", "06:00")
        ),
        download_hosts=_parse_download_hosts(config.get("download_hosts")),
        max_workers=_positive_workers(config),
        request_timeout=_positive_timeout(config),
        on_unknown_column=str(config.get("on_unknown_column") or "keep"),
    )


def parse_cinemas(config: Mapping[str, Any]) -> tuple[Cinema, ...]:
    """Read exactly one of the two forms: ``lease_code`` + ``cinema_link_id`` or
    ``cinemas``."""
    single = config.get("lease_code") or config.get("cinema_link_id")
    chain = config.get("cinemas")
    if bool(single) == bool(chain):
        msg = (
            "Give exactly one of: lease_code + cinema_link_id (one cinema), or "
            "cinemas (a list of {lease_code, cinema_link_id, name})"
        )
        raise ConfigValidationError(msg, errors=[msg])

    if single:
        if not config.get("lease_code") or not config.get("cinema_link_id"):
            msg = "lease_code and cinema_link_id must be given together"
            raise ConfigValidationError(msg, errors=[msg])
        entries = [
            {
                "lease_code": config["lease_code"],
                "cinema_link_id": config["cinema_link_id"],
                "name": config.get("cinema_name"),
            }
        ]
    else:
        entries = list(chain or [])

    cinemas = tuple(_parse_cinema(index, entry) for index, entry in enumerate(entries))
    ids = [cinema.cinema_link_id for cinema in cinemas]
    if len(set(ids)) != len(ids):
        msg = f"cinemas: cinema_link_id values must be distinct, got {ids}"
        raise ConfigValidationError(msg, errors=[msg])

    return cinemas


def _parse_cinema(index: int, entry: Any) -> Cinema:
    if (
        not isinstance(entry, Mapping)
        or not entry.get("lease_code")
        or not entry.get("cinema_link_id")
    ):
        msg = f"cinemas[{index}]: needs lease_code and cinema_link_id"
        raise ConfigValidationError(msg, errors=[msg])

    name = entry.get("name")
    return Cinema(
        lease_code=str(entry["lease_code"]),
        cinema_link_id=str(entry["cinema_link_id"]),
        name=str(name) if name else None,
    )


def _or_default(config: Mapping[str, Any], name: str, default: Any) -> Any:
    """The value of ``name``; the default only when it is absent or null."""
    value = config.get(name)
    return default if value is None else value


def _check_app_key(value: Any) -> None:
    # app_key is the last segment of the request path: no "/", "?", "..".
    if value is None:
        return
    if (
        not isinstance(value, str)
        or not _APP_KEY.fullmatch(value)
        or not value.strip(".")
    ):
        msg = (
            f"app_key: {value!r} may hold only letters, digits, '-', '_' and '.' "
            "(and not only dots)"
        )
        raise ConfigValidationError(msg, errors=[msg])


def _check_secret_key(value: Any) -> None:
    if isinstance(value, str) and not value.strip():
        msg = "secret_key: must not be empty"
        raise ConfigValidationError(msg, errors=[msg])


def _parse_base_url(value: Any) -> str:
    try:
        parts = urlsplit(value) if isinstance(value, str) else None
        host = parts.hostname if parts is not None else None
    except ValueError:
        parts, host = None, None

    if parts is None or parts.scheme not in ("http", "https") or not host:
        msg = (
            f"base_url: {value!r} is not an http(s) URL with a host "
            f"(e.g. {DEFAULT_BASE_URL})"
        )
        raise ConfigValidationError(msg, errors=[msg])
    return value


def _parse_download_hosts(value: Any) -> tuple[str, ...]:
    if value is None:
        return DEFAULT_DOWNLOAD_HOSTS
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(pattern, str) and pattern.strip() for pattern in value)
    ):
        msg = (
            f"download_hosts: {value!r} must be a non-empty list of host patterns "
            f"(e.g. {list(DEFAULT_DOWNLOAD_HOSTS)}); leave it out for the default"
        )
        raise ConfigValidationError(msg, errors=[msg])
    return tuple(value)


def _parse_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        parsed: dt.date | None = value
    else:
        parsed = parse_iso_date(value)
    if parsed is None:
        msg = f"start_date: {value!r} is not a YYYY-MM-DD date"
        raise ConfigValidationError(msg, errors=[msg])
    if parsed.year < FIRST_YEAR:
        msg = f"start_date: {value!r} is before {FIRST_YEAR}; give a real first date"
        raise ConfigValidationError(msg, errors=[msg])
    return parsed


def _day_count(config: Mapping[str, Any], name: str, default: int) -> int:
    days = _non_negative(config, name, default)
    if days > MAX_DAYS:
        msg = f"{name}: must be at most {MAX_DAYS} days, got {days}"
        raise ConfigValidationError(msg, errors=[msg])
    return days


def _non_negative(config: Mapping[str, Any], name: str, default: int) -> int:
    value = config.get(name, default)
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        msg = f"{name}: must be a non-negative integer, got {value!r}"
        raise ConfigValidationError(msg, errors=[msg])
    return value


def _positive_workers(config: Mapping[str, Any]) -> int:
    workers = _non_negative(config, "max_workers", 4)
    if workers < 1:
        msg = "max_workers: must be at least 1, got 0"
        raise ConfigValidationError(msg, errors=[msg])
    return workers


def _positive_timeout(config: Mapping[str, Any]) -> float:
    value = config.get("request_timeout", 30)
    if value is None:
        return 30.0
    # The SDK reads JSON numbers such as 1.5 as Decimal.
    numeric = isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)
    seconds = float(value) if numeric else math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        msg = f"request_timeout: must be a positive number of seconds, got {value!r}"
        raise ConfigValidationError(msg, errors=[msg])
    return seconds


def _parse_timezone(name: Any) -> dt.tzinfo:
    try:
        if not isinstance(name, str) or not name:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        msg = f"timezone: {name!r} is not an IANA time zone (e.g. Asia/Shanghai)"
        raise ConfigValidationError(msg, errors=[msg]) from None


def _parse_day_start(value: Any) -> dt.time:
    try:
        parsed = dt.datetime.strptime(str(value), "%H:%M").time()
    except ValueError:
        msg = f"business_day_start: {value!r} is not HH:MM (e.g. 06:00)"
        raise ConfigValidationError(msg, errors=[msg]) from None
    return parsed
