"""HTTP request handler of the gateway sandbox: gateway calls and file reads."""

from __future__ import annotations

import json
import logging
import secrets
import socket
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import parse_qs, urlsplit

from sandbox.yuekeyun.files import parse_file_path
from sandbox.yuekeyun.gateway import (
    GATEWAY_PREFIX,
    GatewayError,
    single_values,
    validate,
)
from sandbox.yuekeyun.journal import FileDownload, GatewayCall
from sandbox.yuekeyun.signing import file_signature

if TYPE_CHECKING:
    from sandbox.yuekeyun.server import YuekeyunSandbox

logger = logging.getLogger(__name__)

FAULT_ANSWERS: dict[str, tuple[int, str, str]] = {
    "gateway_errors": (500, "isp.InternalError", "internal error, please retry"),
    "gateway_busy": (503, "isp.ServiceBusy", "service busy, please retry later"),
    "gateway_throttle": (
        429,
        "gw.QosAppFrequencyLimit",
        "app call frequency exceeds the limit",
    ),
}
HTML_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>Tengine</center>\r\n"
    "</body>\r\n</html>\r\n"
).encode("ascii")
BOM = b"\xef\xbb\xbf"


def oss_error(code: str, message: str, **extra: str) -> bytes:
    """An OSS-style XML error document."""
    fields = "".join(f"  <{name}>{value}</{name}>\n" for name, value in extra.items())
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n'
        f"  <Code>{code}</Code>\n  <Message>{message}</Message>\n"
        f"  <RequestId>{secrets.token_hex(12).upper()}</RequestId>\n"
        f"  <HostId>sandbox-oss.local</HostId>\n{fields}</Error>\n"
    )

    return text.encode("utf-8")


def _json(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def _error_json(error: GatewayError) -> bytes:
    """The Ocean error body: ``error_code``, ``error_message``, ``request_id``."""
    return _json(
        {
            "error_code": error.error_code,
            "error_message": error.message,
            "request_id": secrets.token_hex(8),
        }
    )


class SandboxHandler(BaseHTTPRequestHandler):
    """Serves ``getFinancialData`` and ``/bicore/open/...`` files."""

    owner: ClassVar[YuekeyunSandbox]
    protocol_version = "HTTP/1.1"
    server_version = "YuekeyunSandbox/1.0"
    # Send each answer at once: headers and body go out as separate writes.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        """Log at DEBUG without the query string (it holds signatures)."""
        logger.debug("%s %s", self.command, urlsplit(self.path).path)

    def do_GET(self) -> None:
        """Route a GET to the gateway or the file host."""
        self._route(body=b"")

    def do_POST(self) -> None:
        """Route a POST (form data, as Alibaba's SDK sends it)."""
        length = int(self.headers.get("Content-Length") or 0)
        self._route(body=self.rfile.read(length))

    def _route(self, body: bytes) -> None:
        parts = urlsplit(self.path)
        if parts.path.startswith(GATEWAY_PREFIX):
            self._gateway(parts.path[len(GATEWAY_PREFIX) :], parts.query, body)
        elif parts.path.startswith("/bicore/open/") and self.command == "GET":
            self._file(parts.path, parts.query)
        else:
            error = GatewayError(404, "gw.ApiNotExist", f"no API at {parts.path}")
            self._send(404, _error_json(error), "application/json;charset=UTF-8")

    # Gateway.

    def _gateway(self, app_key: str, query: str, body: bytes) -> None:
        raw = parse_qs(query, keep_blank_values=True)
        form = body.decode("utf-8", "replace") if body else ""
        for name, values in parse_qs(form, keep_blank_values=True).items():
            raw.setdefault(name, []).extend(values)
        flat = {name: values[-1] for name, values in raw.items()}
        owner = self.owner
        status, error_code, count = 200, None, 0
        content_type = "application/json;charset=UTF-8"

        try:
            params = single_values(raw)
            request = validate(owner.rules, app_key, params)
            fault = owner.faults.first_gateway_fault(request.data_type)
            if fault == "gateway_html_502":
                status, payload = 502, HTML_502
                content_type = "text/html; charset=utf-8"
            elif fault is not None:
                status, error_code, message = FAULT_ANSWERS[fault]
                raise GatewayError(status, error_code, message)
            else:
                urls = owner.download_urls(request)
                count = len(urls)
                payload = _json({"data": {"bizData": {"downloadUrlList": urls}}})
        except GatewayError as error:
            status, error_code = error.status, error.error_code
            payload = _error_json(error)

        # Record before answering, so a client that saw the answer sees the call.
        owner.record_call(
            GatewayCall(
                data_type=flat.get("dataType"),
                search_date_type=flat.get("searchDateType"),
                search_date=flat.get("searchDate"),
                lease_code=flat.get("leaseCode"),
                cinema_link_id=flat.get("cinemaLinkId"),
                status=status,
                error_code=error_code,
                url_count=count,
                method=self.command,
            )
        )
        self._send(status, payload, content_type)

    # File host.

    def _file(self, path: str, query: str) -> None:
        owner, faults = self.owner, self.owner.faults
        params = {name: values[-1] for name, values in parse_qs(query).items()}
        parsed = parse_file_path(path)
        data_type = parsed[1] if parsed else ""
        expires = params.get("Expires", "")

        if not expires.isdigit() or "Signature" not in params:
            return self._oss(
                path, 403, "AccessDenied", "Signature and Expires are required."
            )
        if params.get("OSSAccessKeyId") != owner.oss_access_key_id:
            return self._oss(
                path,
                403,
                "InvalidAccessKeyId",
                "The OSS Access Key Id you provided does not exist.",
            )
        expected = file_signature(owner.oss_secret, path, int(expires))
        if not secrets.compare_digest(expected, params["Signature"]):
            return self._oss(
                path,
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match.",
            )
        if int(expires) < time.time():
            return self._expired(path, expires, None)
        if faults.consume("expired_urls", data_type):
            return self._expired(path, expires, "expired_urls")

        cinema = owner.bucket.find_file(*parsed) if parsed else None
        data = None
        if cinema is not None and parsed is not None:
            ragged = faults.consume("ragged_row_files", data_type)
            invalid = faults.consume("invalid_gbk_files", data_type)
            data = owner.bucket.file_bytes(
                cinema, data_type, parsed[3], ragged=ragged, invalid_bytes=invalid
            )
        if data is None:
            return self._oss(
                path, 404, "NoSuchKey", "The specified key does not exist."
            )

        fault = None
        if faults.utf8_bom and faults.applies_to(data_type):
            data = BOM + data
            faults.note("utf8_bom")
        if faults.extra_column(data_type) is not None:
            faults.note("unknown_column")
        if faults.consume("truncated_files", data_type):
            fault = "truncated_files"
        sent = len(data) // 2 if fault else len(data)
        owner.record_download(FileDownload(path, 200, sent, fault))
        self._send(200, data, "text/csv; charset=GBK", truncate=fault is not None)

    def _expired(self, path: str, expires: str, fault: str | None) -> None:
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        stamp = datetime.fromtimestamp(int(expires), timezone.utc)
        body = oss_error(
            "AccessDenied",
            "Request has expired.",
            Expires=stamp.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            ServerTime=now,
        )
        self.owner.record_download(FileDownload(path, 403, len(body), fault))
        self._send(403, body, "application/xml")

    def _oss(self, path: str, status: int, code: str, message: str) -> None:
        body = oss_error(code, message)
        self.owner.record_download(FileDownload(path, status, len(body)))
        self._send(status, body, "application/xml")

    # Output.

    def _send(
        self, status: int, body: bytes, content_type: str, *, truncate: bool = False
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if truncate:
            self.send_header("Connection", "close")
        self.end_headers()
        if not truncate:
            self.wfile.write(body)
            return

        self.wfile.write(body[: len(body) // 2])
        self.wfile.flush()
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            logger.debug("connection already closed after truncated body")
