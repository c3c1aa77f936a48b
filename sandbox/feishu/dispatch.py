"""Routing and the request pipeline: auth, quotas, limits, faults, envelope."""

from __future__ import annotations

import logging
import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from sandbox.feishu import codec, records, tables, wiki
from sandbox.feishu.errors import ApiError
from sandbox.feishu.limits import RATE_LIMITS, rate_limit_error
from sandbox.feishu.service import Call, DropConnection, Service

LOGGER = logging.getLogger("sandbox.feishu")
Handler = Callable[[Service, Call], dict[str, Any]]
APP = r"/open-apis/bitable/v1/apps/(?P<app_token>[^/]+)"
TABLE = APP + r"/tables/(?P<table_id>[^/]+)"
TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal"
ROUTES: list[tuple[str, re.Pattern[str], str, Handler | None]] = [
    ("POST", re.compile(re.escape(TOKEN_PATH)), "token", None),
    (
        "GET",
        re.compile(r"/open-apis/wiki/v2/spaces/get_node"),
        "get_node",
        wiki.get_node,
    ),
    ("GET", re.compile(APP + "/tables"), "tables_list", tables.list_tables),
    ("POST", re.compile(APP + "/tables"), "tables_create", tables.create_table),
    ("DELETE", re.compile(TABLE), "tables_delete", tables.delete_table),
    ("GET", re.compile(TABLE + "/fields"), "fields_list", tables.list_fields),
    ("POST", re.compile(TABLE + "/fields"), "fields_create", tables.create_field),
    (
        "PUT",
        re.compile(TABLE + r"/fields/(?P<field_id>[^/]+)"),
        "fields_update",
        tables.update_field,
    ),
    (
        "DELETE",
        re.compile(TABLE + r"/fields/(?P<field_id>[^/]+)"),
        "fields_delete",
        tables.delete_field,
    ),
    (
        "POST",
        re.compile(TABLE + "/records/batch_create"),
        "batch_create",
        records.batch_create,
    ),
    (
        "POST",
        re.compile(TABLE + "/records/batch_update"),
        "batch_update",
        records.batch_update,
    ),
    (
        "POST",
        re.compile(TABLE + "/records/batch_delete"),
        "batch_delete",
        records.batch_delete,
    ),
    ("POST", re.compile(TABLE + "/records/search"), "search", records.search),
]
HTML_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)


@dataclass(frozen=True)
class CallRecord:
    """One answered (or dropped) request, as kept in ``FeishuSandbox.call_log``."""

    method: str
    path: str
    endpoint: str
    http_status: int
    code: int | None
    client_token: str | None


@dataclass
class Response:
    """An HTTP answer, or ``dropped`` for a connection closed without one."""

    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] | None = None
    dropped: bool = False


def _json(payload: dict[str, Any]) -> bytes:
    return codec.encode(payload)


class Dispatcher:
    """Turns one HTTP request into one answer, recording the call."""

    def __init__(self, service: Service, latency_ms: float) -> None:
        self.service = service
        self.latency_ms = latency_ms
        self.calls: Counter[str] = Counter()
        self.call_log: list[CallRecord] = []
        self._log_lock = threading.Lock()

    def handle(
        self, method: str, target: str, headers: dict[str, str], raw_body: bytes
    ) -> Response:
        """Answer one request to ``/open-apis/...``."""
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000)
        parts = urlsplit(target)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        endpoint, handler, path_args = "unknown", None, {}
        for route_method, pattern, name, route_handler in ROUTES:
            match = pattern.fullmatch(parts.path)
            if match and route_method == method:
                endpoint, handler, path_args = name, route_handler, match.groupdict()
                break
        with self._log_lock:
            self.calls[endpoint] += 1

        code: int | None = None
        try:
            response, code = self._answer(
                method, endpoint, handler, path_args, query, headers, raw_body
            )
        except DropConnection:
            response = Response(0, b"", dropped=True)
        except ApiError as exc:
            code = exc.code
            LOGGER.debug("%s %s -> %s %s", method, parts.path, exc.code, exc.msg)
            response = Response(exc.http_status, _json(exc.body()), headers=exc.headers)
        except Exception:
            LOGGER.exception("sandbox bug answering %s %s", method, parts.path)
            code = 1255002
            body = {"code": code, "msg": "internal error", "data": {}}
            response = Response(500, _json(body))

        record = CallRecord(
            method,
            parts.path,
            endpoint,
            response.status,
            code,
            query.get("client_token"),
        )
        with self._log_lock:
            self.call_log.append(record)
        return response

    def _answer(
        self,
        method: str,
        endpoint: str,
        handler: Handler | None,
        path_args: dict[str, str],
        query: dict[str, str],
        headers: dict[str, str],
        raw_body: bytes,
    ) -> tuple[Response, int | None]:
        faults = self.service.faults
        if endpoint == "unknown":
            error = ApiError(99991201, f"path not found: {method} (check the URL)")
            raise error
        if faults.take("html_502", endpoint):
            return Response(502, HTML_502, "text/html"), None
        body = self._body(method, raw_body)
        if endpoint == "token":
            return self._token(body), 0

        app_id = self._authenticate(endpoint, headers)
        if faults.monthly_quota_exhausted and faults.applies_to(endpoint):
            faults.record("monthly_quota_exhausted")
            error = ApiError(99991403, "monthly API call quota of the tenant exhausted")
            raise error
        self.service.limiter.admit(app_id, endpoint)
        if faults.take("rate_limited_429", endpoint):
            raise rate_limit_error(RATE_LIMITS.get(endpoint, (50, 1.0))[0], 1)
        if faults.take("rate_limited_1254290", endpoint):
            error = ApiError(1254290, "TooManyRequest: request too frequent")
            raise error
        if faults.take("server_errors", endpoint):
            error = ApiError(1255001, "internal error, please retry")
            raise error

        assert handler is not None
        call = Call(endpoint, app_id, query, body, path_args)
        data = handler(self.service, call)
        return Response(200, _json({"code": 0, "msg": "success", "data": data})), 0

    @staticmethod
    def _body(method: str, raw_body: bytes) -> Any:
        if method not in ("POST", "PUT") or not raw_body.strip():
            return None
        try:
            return codec.decode(raw_body)
        except (UnicodeDecodeError, ValueError) as exc:
            error = ApiError(1254000, f"WrongRequestJson: {exc}")
            raise error from None

    def _token(self, body: Any) -> Response:
        if not isinstance(body, dict):
            body = {}
        try:
            token, expire = self.service.tokens.issue(
                body.get("app_id"), body.get("app_secret")
            )
        except ApiError as exc:
            return Response(200, _json({"code": exc.code, "msg": exc.msg}))
        payload = {
            "code": 0,
            "msg": "ok",
            "tenant_access_token": token,
            "expire": expire,
        }
        return Response(200, _json(payload))

    def _authenticate(self, endpoint: str, headers: dict[str, str]) -> str:
        faults = self.service.faults
        status = faults.token_error_http_status
        authorization = headers.get("authorization", "")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            msg = "missing access token: send Authorization: Bearer <token>"
            raise ApiError(99991661, msg, http_status=status)
        app_id = self.service.tokens.app_for(token.strip())
        if faults.take("token_expired", endpoint) or app_id is None:
            msg = (
                "Invalid access token for authorization."
                " Please make a new request with token attached."
            )
            raise ApiError(99991663, msg, http_status=status)
        return app_id


def new_log_id() -> str:
    """A value for the ``X-Tt-Logid`` header."""
    return time.strftime("%Y%m%d%H%M%S") + secrets.token_hex(10).upper()
