"""The signed ``getFinancialData`` call and the one place its errors are mapped."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import requests
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError

from tap_yuekeyun.planning import Query
from tap_yuekeyun.retries import with_retries
from tap_yuekeyun.signing import API_PATH, sign
from tap_yuekeyun.urls import host_of

API_NAME = "dme.lark.data.finance.getFinancialData"
SETTING_HINTS = {
    "gw.SignatureInvalid": "check the secret_key setting",
    "gw.AppKeyNotExist": "check the app_key setting",
    "gw.TimestampInvalid": "check the clock of this machine",
    "isv.PermissionDenied": (
        "check lease_code, cinema_link_id and channel_code (cinemas) settings"
    ),
}


@dataclass(frozen=True)
class GatewaySettings:
    """What the client needs from the tap's settings."""

    base_url: str
    app_key: str
    secret_key: str
    channel_code: str
    request_timeout: float


class GatewayClient:
    """Signs and sends gateway queries; retries transient failures with backoff."""

    max_tries = 4
    backoff_base_seconds = 1.0

    def __init__(
        self,
        settings: GatewaySettings,
        session: requests.Session,
        logger: logging.Logger,
    ) -> None:
        """Keep one session for every query of the run."""
        self.settings = settings
        self.session = session
        self.logger = logger
        self.url = (
            f"{settings.base_url.rstrip('/')}/openapi/{API_PATH}{settings.app_key}"
        )

    def download_url_list(
        self, *, lease_code: str, cinema_link_id: str, data_type: str, query: Query
    ) -> list[str]:
        """Return the encrypted download URLs of one query.

        Raises:
            FatalAPIError: A permanent error, or retries exhausted.
        """
        endpoint = (
            f"{API_NAME} ({data_type} {query.search_date_type} {query.search_date}, "
            f"cinema {cinema_link_id})"
        )
        body = with_retries(
            lambda: self._request(
                endpoint, lease_code, cinema_link_id, data_type, query
            ),
            max_tries=self.max_tries,
            backoff_base_seconds=self.backoff_base_seconds,
            logger=self.logger,
        )
        return _url_list(endpoint, body)

    def _request(
        self,
        endpoint: str,
        lease_code: str,
        cinema_link_id: str,
        data_type: str,
        query: Query,
    ) -> Any:
        params = {
            "leaseCode": lease_code,
            "cinemaLinkId": cinema_link_id,
            "_aop_timestamp": str(int(time.time() * 1000)),
            "channelCode": self.settings.channel_code,
            "dataType": data_type,
            "searchDateType": query.search_date_type,
            "searchDate": query.search_date,
        }
        params["_aop_signature"] = sign(
            self.settings.app_key, self.settings.secret_key, params
        )
        self.logger.debug("GET %s", endpoint)
        try:
            response = self.session.get(
                self.url,
                params=params,
                timeout=self.settings.request_timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            # requests' own texts embed the signed URL: never pass them on.
            msg = f"{endpoint}: {type(exc).__name__} talking to the gateway"
            raise RetriableAPIError(msg) from None

        return check_response(endpoint, response)


def check_response(endpoint: str, response: requests.Response) -> Any:
    """Map a gateway answer to its JSON body or to the SDK's error classes.

    429, 5xx and non-JSON answers (an HTML 502) are retriable, other 4xx fatal.
    Messages carry the endpoint, the error code and the gateway's message.
    """
    status = response.status_code
    if 300 <= status < 400:
        target = host_of(response.headers.get("Location", "")) or "the same host"
        msg = (
            f"{endpoint}: HTTP {status} redirect to {target!r}; redirects are not "
            "followed, check base_url (it must name the gateway itself)"
        )
        raise FatalAPIError(msg)

    try:
        body = response.json()
    except (ValueError, json.JSONDecodeError):
        body = None

    if 200 <= status < 300 and isinstance(body, dict):
        return body

    code = str(body.get("error_code", "")) if isinstance(body, dict) else ""
    text = str(body.get("error_message", "")) if isinstance(body, dict) else ""
    if body is None:
        kind = response.headers.get("Content-Type", "unknown type").split(";")[0]
        text = f"non-JSON answer ({kind})"

    hint = SETTING_HINTS.get(code)
    msg = f"{endpoint}: HTTP {status} {code or '-'}: {text}" + (
        f"; {hint}" if hint else ""
    )
    if (
        status == 429
        or status >= 500
        or code == "isp.ServiceBusy"
        or (body is None and 200 <= status < 300)
    ):
        raise RetriableAPIError(msg)
    raise FatalAPIError(msg)


def _url_list(endpoint: str, body: dict[str, Any]) -> list[str]:
    try:
        urls = body["data"]["bizData"]["downloadUrlList"]
    except (KeyError, TypeError):
        msg = f"{endpoint}: answer has no data.bizData.downloadUrlList"
        raise FatalAPIError(msg) from None

    if urls is None:
        return []
    if not isinstance(urls, list) or not all(isinstance(url, str) for url in urls):
        msg = f"{endpoint}: data.bizData.downloadUrlList is not a list of strings"
        raise FatalAPIError(msg)

    return urls
