"""The loopback HTTP server and ``FeishuSandbox``, the emulator's Python handle."""

from __future__ import annotations

import collections
import logging
import shutil
import socket
import tempfile
import threading
from collections.abc import Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.feishu import page
from sandbox.feishu.clock import Clock
from sandbox.feishu.dispatch import CallRecord, Dispatcher, Response, new_log_id
from sandbox.feishu.limits import FeishuFaults, RateLimiter
from sandbox.feishu.service import Service
from sandbox.feishu.store import Store
from sandbox.feishu.tokens import TokenIssuer

LOGGER = logging.getLogger("sandbox.feishu")
DEFAULT_APPS = {"cli_sandbox": "sandbox-app-secret"}
PAGE_PREFIX = "/sandbox"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    dispatcher: Dispatcher | None
    store: Store
    zone: ZoneInfo


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Send each answer at once: headers and body go out as separate writes.
    disable_nagle_algorithm = True
    server: _Server
    timeout = 120

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        LOGGER.debug("http: %s", format % args)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        if self.path == PAGE_PREFIX or self.path.startswith(PAGE_PREFIX + "/"):
            status, html = page.render(self.server.store, self.path, self.server.zone)
            self._send(Response(status, html.encode(), "text/html; charset=utf-8"))
            return
        if self.server.dispatcher is None:
            self._send(Response(404, b"not found", "text/plain"))
            return
        headers = {key.lower(): value for key, value in self.headers.items()}
        response = self.server.dispatcher.handle(
            self.command, self.path, headers, raw_body
        )
        if response.dropped:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send(response)

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("X-Tt-Logid", new_log_id())
        for key, value in (response.headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve


def _start_server(
    host: str, port: int, store: Store, zone: ZoneInfo, dispatcher: Dispatcher | None
) -> tuple[_Server, threading.Thread]:
    server = _Server((host, port), _Handler)
    server.dispatcher, server.store, server.zone = dispatcher, store, zone
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="feishu-sandbox"
    )
    thread.daemon = True
    thread.start()
    return server, thread


class FeishuSandbox:
    """A loopback emulator of the Feishu Open API (auth, wiki, Bitable) with a page.

    Args:
        db_path: The SQLite file; None makes a temporary one, removed on stop.
        apps: app_id -> app_secret of the apps that may ask for tokens.
        rate_limits: Apply the documented per-app, per-endpoint rate limits.
        latency_ms: Sleep this long before handling each request.
        timezone: The documents' time zone (date filters compare calendar days).
        max_batch_records: Most records per batch_create/batch_update call.
        host: Address to bind; loopback only.
        port: Port to bind; 0 picks a free one.
    """

    def __init__(
        self,
        db_path: str | Path | None = None,
        apps: Mapping[str, str] | None = None,
        rate_limits: bool = False,
        latency_ms: float = 0,
        timezone: str = "Asia/Shanghai",
        max_batch_records: int = 1000,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self._temp_dir = None if db_path else Path(tempfile.mkdtemp(prefix="feishu-"))
        self.db_path = Path(db_path) if db_path else self._temp_dir / "feishu.sqlite"  # type: ignore[operator]
        self.host, self.port = host, port
        self.clock = Clock()
        self.faults = FeishuFaults()
        zone = ZoneInfo(timezone)
        self._service = Service(
            store=Store(self.db_path),
            clock=self.clock,
            tokens=TokenIssuer(apps or DEFAULT_APPS, self.clock),
            faults=self.faults,
            limiter=RateLimiter(self.clock, rate_limits),
            zone=zone,
            max_batch_records=max_batch_records,
        )
        self._dispatcher = Dispatcher(self._service, latency_ms)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""
        self.page_url = ""

    @property
    def calls(self) -> collections.Counter[str]:
        """Requests per endpoint name (``token``, ``batch_create``, ``search``…)."""
        return self._dispatcher.calls

    @property
    def call_log(self) -> list[CallRecord]:
        """Every request in arrival order of its answer."""
        return self._dispatcher.call_log

    def start(self) -> str:
        """Start serving; return the base URL ``http://127.0.0.1:<port>``."""
        self._server, self._thread = _start_server(
            self.host,
            self.port,
            self._service.store,
            self._service.zone,
            self._dispatcher,
        )
        host, port = self._server.server_address[:2]
        self.base_url = f"http://{host!s}:{port}"
        self.page_url = f"{self.base_url}{PAGE_PREFIX}/"
        LOGGER.info(
            "Feishu sandbox serving at %s (page %s)", self.base_url, self.page_url
        )
        return self.base_url

    def stop(self) -> None:
        """Stop serving, close the database and remove a temporary one."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self._service.store.close()
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)

    def __enter__(self) -> FeishuSandbox:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def create_base(
        self,
        name: str,
        collaborators: Iterable[str] = ("cli_sandbox",),
        editable: bool = True,
    ) -> str:
        """Create a base (with no tables) that the collaborator apps may use."""
        return self._service.store.add_base(name, collaborators, editable)

    def create_wiki_node(
        self,
        obj_token: str,
        obj_type: str = "bitable",
        title: str = "Sandbox wiki node",
        readers: Iterable[str] = ("cli_sandbox",),
    ) -> str:
        """Create a wiki node for an object; return its node token."""
        return self._service.store.add_wiki_node(
            obj_token, obj_type, title, readers, int(self.clock.now())
        )

    def table_names(self, app_token: str) -> list[str]:
        """The names of a base's tables in creation order."""
        return [t.name for t in self._service.store.tables(app_token)]

    def _table_id(self, app_token: str, table_name: str) -> str:
        for table in self._service.store.tables(app_token):
            if table.name == table_name:
                return table.table_id
        msg = f"no table named {table_name!r} in base {app_token!r}"
        raise KeyError(msg)

    def fields(self, app_token: str, table_name: str) -> list[tuple[str, int]]:
        """``(field_name, type)`` of a table's fields in order."""
        table_id = self._table_id(app_token, table_name)
        return [(f.field_name, f.type) for f in self._service.store.fields(table_id)]

    def rows(self, app_token: str, table_name: str) -> list[dict[str, Any]]:
        """Stored write-shape values by field name, in insertion order, no empties."""
        table_id = self._table_id(app_token, table_name)
        fields = self._service.store.fields(table_id)
        return [
            {f.field_name: r.cells[f.field_id] for f in fields if f.field_id in r.cells}
            for r in self._service.store.all_records(table_id)
        ]

    def expire_tokens(self) -> None:
        """Make every issued token invalid now (the next call answers 99991663)."""
        self._service.tokens.expire_all()

    def advance_clock(self, seconds: float) -> None:
        """Move the emulator clock forward (tokens, rate windows, replays, dates)."""
        self.clock.advance(seconds)

    def freeze_clock(self, frozen: bool = True) -> None:
        """Stop the emulator clock from following wall time (for exact rate tests)."""
        self.clock.freeze(frozen)

    def writes_in_flight(self) -> int:
        """How many tables have a write in progress right now."""
        return self._service.locks.in_flight()


class PageServer:
    """A server of the read-only HTML page only, over an existing SQLite file."""

    def __init__(
        self,
        db_path: str | Path,
        host: str = "127.0.0.1",
        port: int = 0,
        timezone: str = "Asia/Shanghai",
    ) -> None:
        path = Path(db_path)
        if not path.is_file():
            msg = f"serve_page: no sandbox database at {path} (check db_path)"
            raise FileNotFoundError(msg)
        self._store = Store(path)
        self._server, _ = _start_server(
            host, port, self._store, ZoneInfo(timezone), None
        )
        bound_host, bound_port = self._server.server_address[:2]
        self.url = f"http://{bound_host!s}:{bound_port}{PAGE_PREFIX}/"

    def stop(self) -> None:
        """Stop serving and close the database."""
        self._server.shutdown()
        self._server.server_close()
        self._store.close()

    def __enter__(self) -> PageServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def serve_page(
    db_path: str | Path,
    host: str = "127.0.0.1",
    port: int = 0,
    timezone: str = "Asia/Shanghai",
) -> PageServer:
    """Serve the read-only HTML page of a sandbox database file.

    Returns:
        A running ``PageServer``: browse ``.url``, end with ``.stop()``.
    """
    return PageServer(db_path, host, port, timezone)
