"""Validation of ``getFinancialData`` requests, in the gateway's order."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sandbox.yuekeyun.signing import API_PATH, SIGNATURE_PARAMETER, signature_matches

GATEWAY_PREFIX = f"/openapi/{API_PATH}/"
REQUIRED = (
    "leaseCode",
    "cinemaLinkId",
    "_aop_timestamp",
    "channelCode",
    "dataType",
    "searchDateType",
    "searchDate",
    SIGNATURE_PARAMETER,
)
DATA_TYPES = tuple(f"C{number:02d}" for number in range(1, 26))
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")


class GatewayError(Exception):
    """An error answer: HTTP status, Ocean ``error_code`` and message."""

    def __init__(self, status: int, error_code: str, message: str) -> None:
        """Describe the answer the gateway gives."""
        super().__init__(f"{status} {error_code}: {message}")
        self.status = status
        self.error_code = error_code
        self.message = message


@dataclass(frozen=True)
class FinancialQuery:
    """A validated query: which cinema, category and period."""

    lease_code: str
    cinema_link_id: str
    data_type: str
    search_date_type: str
    search_date: str
    first_day: date
    last_day: date


@dataclass(frozen=True)
class GatewayRules:
    """What the gateway checks a request against."""

    app_key: str
    secret_key: str
    channel_code: str
    max_skew_seconds: int
    granted: frozenset[tuple[str, str]]


def single_values(parameters: Mapping[str, list[str]]) -> dict[str, str]:
    """Flatten parsed parameters; a repeated parameter is a bad request."""
    values: dict[str, str] = {}
    for name, given in parameters.items():
        if len(given) != 1:
            msg = f"parameter {name} is given {len(given)} times"
            raise GatewayError(400, "isv.InvalidParameter", msg)
        values[name] = given[0]

    return values


def parse_period(search_date_type: str, search_date: str) -> tuple[date, date]:
    """First and last business day of a ``day`` or ``month`` search."""
    try:
        if search_date_type == "day" and _DAY.match(search_date):
            day = date.fromisoformat(search_date)
            return day, day
        if search_date_type == "month" and _MONTH.match(search_date):
            first = date.fromisoformat(f"{search_date}-01")
            following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
            return first, date.fromordinal(following.toordinal() - 1)
    except ValueError:
        pass
    if search_date_type not in ("day", "month"):
        msg = f"searchDateType must be day or month, got {search_date_type!r}"
    else:
        wanted = "YYYY-MM-DD" if search_date_type == "day" else "YYYY-MM"
        msg = f"searchDate must be {wanted} for {search_date_type}, got {search_date!r}"

    raise GatewayError(400, "isv.InvalidParameter", msg)


def validate(
    rules: GatewayRules, app_key: str, params: Mapping[str, str]
) -> FinancialQuery:
    """Check a request the way the gateway does and return the query.

    Order: app key, missing parameters, signature, timestamp, parameter values,
    then grants (channel code, lease code / cinema pair).

    Raises:
        GatewayError: the answer to give instead of data.
    """
    if app_key != rules.app_key:
        msg = f"app key {app_key!r} does not exist"
        raise GatewayError(401, "gw.AppKeyNotExist", msg)
    missing = [name for name in REQUIRED if not params.get(name)]
    if missing:
        msg = f"missing required parameter(s): {', '.join(missing)}"
        raise GatewayError(400, "gw.MissingParameter", msg)
    given = params[SIGNATURE_PARAMETER]
    if not signature_matches(rules.secret_key, app_key, params, given):
        msg = "signature does not match the request parameters"
        raise GatewayError(401, "gw.SignatureInvalid", msg)

    stamp = params["_aop_timestamp"]
    if not stamp.isdigit():
        msg = f"_aop_timestamp must be epoch milliseconds, got {stamp!r}"
        raise GatewayError(400, "isv.InvalidParameter", msg)
    skew = abs(int(stamp) - time.time() * 1000) / 1000
    if skew > rules.max_skew_seconds:
        msg = f"_aop_timestamp is {skew:.0f} s from the server clock"
        raise GatewayError(401, "gw.TimestampInvalid", msg)

    data_type = params["dataType"]
    if data_type not in DATA_TYPES:
        msg = f"dataType must be one of C01..C25, got {data_type!r}"
        raise GatewayError(400, "isv.InvalidParameter", msg)
    first, last = parse_period(params["searchDateType"], params["searchDate"])

    if params["channelCode"] != rules.channel_code:
        msg = f"channel {params['channelCode']!r} is not granted to this app"
        raise GatewayError(403, "isv.PermissionDenied", msg)
    pair = (params["leaseCode"], params["cinemaLinkId"])
    if pair not in rules.granted:
        msg = f"cinema {pair[1]!r} of lease {pair[0]!r} is not granted to this app"
        raise GatewayError(403, "isv.PermissionDenied", msg)

    return FinancialQuery(
        lease_code=pair[0],
        cinema_link_id=pair[1],
        data_type=data_type,
        search_date_type=params["searchDateType"],
        search_date=params["searchDate"],
        first_day=first,
        last_day=last,
    )
