"""The Feishu Open API client: token cache, pacing, retries and error mapping."""

from __future__ import annotations

import logging
import random
import threading
import time
import typing as t
from dataclasses import dataclass

import msgspec
import requests
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError

from target_feishu.pacing import Pacer

TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal"
TOKEN_REFRESH_MARGIN_S = 300.0
TOKEN_EXPIRED = 99991663
ALREADY_WRITTEN = 1254608
TABLE_NAME_DUPLICATED = 1254013
MAX_TRIES = 8
BASE_DELAY_S = 0.5
MAX_DELAY_S = 20.0

# Business codes that mean "try again later" (also honoured inside HTTP 200 bodies).
TRANSIENT_CODES = frozenset(
    {99991400, 1254290, 1254291, 1254607, 1254112, 1254036, 1255040}
    | set(range(1255001, 1255006))
)
# A value in a record was refused (1254130: a cell over the size limit): the batch
# is split to find the row.
REJECTED_VALUE_CODES = frozenset({1254015, *range(1254060, 1254075), 1254130})
COLLABORATOR_CODES = frozenset({91403, 131006, 1254302, 1254304})
CREDENTIAL_CODES = frozenset({10003, 10014, 10015, 99991543})
DESTINATION_CODES = frozenset({91402, 1254003, 1254040})


_ENCODER = msgspec.json.Encoder(decimal_format="number")
_DECODER = msgspec.json.Decoder()


class FeishuAPIError(FatalAPIError):
    """A Feishu call that failed for good; carries the endpoint and the API code."""

    def __init__(self, message: str, *, endpoint: str, code: int | None) -> None:
        super().__init__(message)
        self.endpoint = endpoint
        self.code = code


class FeishuRetriableError(RetriableAPIError):
    """A Feishu call that may succeed when repeated."""

    def __init__(
        self, message: str, *, code: int | None = None, reset_s: float | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reset_s = reset_s


class _TokenExpiredError(Exception):
    """The tenant token was refused (99991663): refresh and replay once."""


@dataclass
class CallStats:
    """API calls and retries spent on one table (or on setup)."""

    calls: int = 0
    retries: int = 0


class FeishuClient:
    """Thin ``requests`` client for the Feishu endpoints the target uses.

    Every call is paced by endpoint family, retried with exponential backoff and
    jitter on transient failures, and mapped to ``FeishuAPIError`` (fatal) or
    ``FeishuRetriableError`` in :meth:`_check` - the one place errors are mapped.
    """

    def __init__(
        self,
        *,
        base_url: str,
        app_id: str,
        app_secret: str,
        timeout: float,
        logger: logging.Logger,
        pacer: Pacer | None = None,
        max_tries: int | None = None,
        base_delay_s: float | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.app_id = app_id
        self._app_secret = app_secret
        self.timeout = timeout
        self.logger = logger
        self.pacer = pacer or Pacer()
        self.max_tries = max_tries or MAX_TRIES
        self.base_delay_s = BASE_DELAY_S if base_delay_s is None else base_delay_s
        self.totals = CallStats()
        self._token: str | None = None
        self._token_expires_at = 0.0
        self._token_lock = threading.Lock()
        self._totals_lock = threading.Lock()
        self._local = threading.local()

    # Public API

    def request(
        self,
        method: str,
        path: str,
        *,
        bucket: str,
        params: dict[str, t.Any] | None = None,
        body: dict[str, t.Any] | None = None,
        stats: CallStats | None = None,
    ) -> dict[str, t.Any]:
        """Call an Open API endpoint and return the ``data`` of its envelope.

        Raises:
            FeishuAPIError: when the call fails for good (after the retries).
        """
        envelope = self._send(method, path, bucket, params, body, stats, auth=True)
        data = envelope.get("data")

        return data if isinstance(data, dict) else {}

    def invalidate_token(self) -> None:
        """Forget the cached tenant token (used on 99991663)."""
        with self._token_lock:
            self._token = None
            self._token_expires_at = 0.0

    def scrub(self, text: str) -> str:
        """Remove the app secret and the tenant token from a message."""
        for secret in (self._app_secret, self._token):
            if secret:
                text = text.replace(secret, "***")

        return text

    # Token cache

    def tenant_token(self) -> str:
        """Return a tenant token with at least five minutes of life left."""
        with self._token_lock:
            now = time.monotonic()
            if self._token and now < self._token_expires_at - TOKEN_REFRESH_MARGIN_S:
                return self._token

            body = {"app_id": self.app_id, "app_secret": self._app_secret}
            envelope = self._send("POST", TOKEN_PATH, "token", None, body, None, False)
            token = envelope.get("tenant_access_token")
            if not isinstance(token, str) or not token:
                msg = f"POST {TOKEN_PATH}: the answer holds no tenant_access_token"
                raise FeishuAPIError(msg, endpoint=TOKEN_PATH, code=None)

            self._token = token
            self._token_expires_at = now + float(envelope.get("expire", 0))
            self.logger.debug("Tenant token refreshed for app %s", self.app_id)

            return token

    # Transport and retries

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.trust_env = False
            self._local.session = session

        return t.cast("requests.Session", session)

    def _send(
        self,
        method: str,
        path: str,
        bucket: str,
        params: dict[str, t.Any] | None,
        body: dict[str, t.Any] | None,
        stats: CallStats | None,
        auth: bool,
    ) -> dict[str, t.Any]:
        endpoint = f"{method} {path}"
        payload = _ENCODER.encode(body) if body else None
        replayed_token = False
        tries = 0
        while True:
            tries += 1
            self._count(stats, retry=tries > 1 or replayed_token)
            self.pacer.wait(bucket)
            headers = {"Content-Type": "application/json; charset=utf-8"}
            if auth:
                headers["Authorization"] = f"Bearer {self.tenant_token()}"

            started = time.monotonic()
            try:
                response = self._session().request(
                    method,
                    self.base_url + path,
                    params=params,
                    data=payload,
                    headers=headers,
                    timeout=self.timeout,
                )
                envelope = self._check(response, endpoint)
            except _TokenExpiredError:
                if replayed_token:
                    msg = f"{endpoint}: code {TOKEN_EXPIRED}: the tenant token was "
                    msg += (
                        "refused again right after a refresh; check app_id/app_secret"
                    )
                    raise FeishuAPIError(
                        msg, endpoint=endpoint, code=TOKEN_EXPIRED
                    ) from None
                self.logger.warning(
                    "%s: tenant token expired (code %s); refreshing and replaying",
                    endpoint,
                    TOKEN_EXPIRED,
                )
                self.invalidate_token()
                replayed_token = True
                tries -= 1
                continue
            except (requests.Timeout, requests.ConnectionError) as exc:
                error = FeishuRetriableError(f"{endpoint}: {type(exc).__name__}")
            except FeishuRetriableError as exc:
                error = exc
            else:
                self.logger.debug(
                    "%s -> %s in %.3fs",
                    endpoint,
                    response.status_code,
                    time.monotonic() - started,
                )
                return envelope

            if tries >= self.max_tries:
                msg = f"{endpoint} failed after {tries} tries: {error}"
                raise FeishuAPIError(msg, endpoint=endpoint, code=error.code) from error

            delay = self._delay(tries, error.reset_s)
            self.logger.warning(
                "%s; retry %s/%s in %.2fs",
                error,
                tries,
                self.max_tries - 1,
                delay,
            )
            time.sleep(delay)

    def _delay(self, tries: int, reset_s: float | None) -> float:
        if reset_s is not None and reset_s > 0:
            return min(reset_s, 60.0) + random.uniform(0.0, 0.1)

        backoff = min(self.base_delay_s * 2 ** (tries - 1), MAX_DELAY_S)

        return backoff * random.uniform(0.5, 1.0)

    def _count(self, stats: CallStats | None, *, retry: bool) -> None:
        with self._totals_lock:
            self.totals.calls += 1
            self.totals.retries += int(retry)
        if stats is not None:
            stats.calls += 1
            stats.retries += int(retry)

    # Error mapping: the one place HTTP outcomes become SDK exceptions

    def _check(self, response: requests.Response, endpoint: str) -> dict[str, t.Any]:
        status = response.status_code
        try:
            envelope = _DECODER.decode(response.content)
        except msgspec.DecodeError:
            envelope = None
        if not isinstance(envelope, dict):
            msg = f"{endpoint}: HTTP {status} with a non-JSON body"
            if status == 429 or status >= 500:
                raise FeishuRetriableError(msg) from None
            msg += "; check the base_url setting"
            raise FeishuAPIError(msg, endpoint=endpoint, code=None)

        code = envelope.get("code", 0 if status < 400 else None)
        api_msg = self.scrub(str(envelope.get("msg", "")))
        if code == 0 and status < 400:
            return envelope
        if code == TOKEN_EXPIRED:
            raise _TokenExpiredError

        msg = f"{endpoint}: HTTP {status}, code {code}: {api_msg}"
        if status == 429 or status >= 500 or code in TRANSIENT_CODES:
            raise FeishuRetriableError(msg, code=code, reset_s=_reset_seconds(response))

        hint = self._hint(code, api_msg, envelope)
        if hint:
            msg = f"{msg} - {hint}"
        raise FeishuAPIError(msg, endpoint=endpoint, code=code)

    def _hint(self, code: t.Any, api_msg: str, envelope: dict[str, t.Any]) -> str:
        if code in COLLABORATOR_CODES:
            return (
                f"the app {self.app_id} is not a collaborator of the base (or wiki "
                "node): add it from the base's '…' menu → 更多 → 添加文档应用, with "
                "edit rights when advanced permissions are on"
            )
        if code == 99991672:
            error = envelope.get("error") or {}
            scopes = [
                str(item.get("subject"))
                for item in error.get("permission_violations") or []
                if isinstance(item, dict)
            ]
            listed = ", ".join(scopes) if scopes else api_msg
            return (
                f"the app {self.app_id} lacks the API scopes: {listed}; enable them "
                "in the developer console (权限管理) and publish a new version"
            )
        if code in CREDENTIAL_CODES:
            return "check the app_id and app_secret settings"
        if code in DESTINATION_CODES:
            return "check the app_token (or wiki_node_token) setting"
        if code == 99991403:
            return "the tenant's monthly API quota is exhausted"

        return ""


def _reset_seconds(response: requests.Response) -> float | None:
    value = response.headers.get("x-ogw-ratelimit-reset")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None
