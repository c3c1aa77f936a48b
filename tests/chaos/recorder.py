"""A recording reverse proxy on loopback: sees every request a plugin sends."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import requests

HOP_HEADERS = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}
)


@dataclass(frozen=True)
class Exchange:
    """One request through the proxy and the upstream's answer."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    answer: bytes


class RecordingProxy:
    """Forwards ``http://127.0.0.1:<port>/…`` to ``upstream`` and keeps a copy."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.exchanges: list[Exchange] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.base_url = ""

    def start(self) -> str:
        proxy = self

        class Handler(_Handler):
            owner: ClassVar[RecordingProxy] = proxy

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def keep(self, exchange: Exchange) -> None:
        with self._lock:
            self.exchanges.append(exchange)


class _Handler(BaseHTTPRequestHandler):
    owner: ClassVar[RecordingProxy]
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the recorded exchanges are the log."""

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {
            k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS
        }
        upstream = requests.request(
            self.command,
            self.owner.upstream + self.path,
            headers=headers,
            data=body or None,
            timeout=60,
            allow_redirects=False,
        )
        answer = upstream.content
        self.owner.keep(
            Exchange(
                self.command, self.path, headers, body, upstream.status_code, answer
            )
        )
        self.send_response(upstream.status_code)
        for name, value in upstream.headers.items():
            if name.lower() not in HOP_HEADERS | {"content-encoding"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward
