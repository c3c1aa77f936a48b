"""The launcher: both sandboxes on loopback ports, for a person or for Meltano."""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import FrameType
from unicodedata import east_asian_width

from sandbox.cinema import SyntheticCinema
from sandbox.feishu import FeishuSandbox, serve_page
from sandbox.yuekeyun import YuekeyunSandbox

logger = logging.getLogger("sandbox.serve")

LOOPBACK = "127.0.0.1"
ENV_FILE_NAME = "sandbox.env"
DB_FILE_NAME = "feishu.sqlite3"
BASE_FILE_NAME = "feishu-base.json"
BASE_NAME = "悦刻云数据"

# The sandbox's fake credentials, under the analysts' old `.env` names.
GATEWAY_APP_KEY = "sandbox-app"
GATEWAY_SECRET_KEY = "sandbox-secret"
GATEWAY_CHANNEL_CODE = "SANDBOX"
FEISHU_APP_ID = "cli_sandbox"
FEISHU_APP_SECRET = "sandbox-app-secret"


@dataclass(frozen=True)
class SandboxOptions:
    """What `python -m sandbox serve` starts.

    Attributes:
        state_dir: Folder of the env file and the Feishu SQLite file.
        seed: Seed of the synthetic cinema.
        tickets_per_day: Tickets the synthetic cinema sells per business day.
        history_days: Days of history before today; gives SANDBOX_START_DATE.
        lease_code: Lease code of the synthetic cinema.
        cinema_link_id: cinemaLinkId of the synthetic cinema.
        cinema_name: Display name of the synthetic cinema.
    """

    state_dir: Path
    seed: int = 1
    tickets_per_day: int = 60
    history_days: int = 35
    lease_code: str = "democs"
    cinema_link_id: str = "1001"
    cinema_name: str = "悦刻示范影城"


class SandboxServices:
    """The Yuekeyun gateway and the Feishu Open API sandboxes, started together."""

    def __init__(self, options: SandboxOptions) -> None:
        """Prepare both sandboxes; nothing listens before `start`."""
        self.options = options
        self.db_path = options.state_dir / DB_FILE_NAME
        self.cinema = SyntheticCinema(
            seed=options.seed,
            lease_code=options.lease_code,
            cinema_link_id=options.cinema_link_id,
            name=options.cinema_name,
            tickets_per_day=options.tickets_per_day,
        )
        self.gateway = YuekeyunSandbox(
            app_key=GATEWAY_APP_KEY,
            secret_key=GATEWAY_SECRET_KEY,
            channel_code=GATEWAY_CHANNEL_CODE,
            cinemas=[self.cinema],
        )
        options.state_dir.mkdir(parents=True, exist_ok=True)
        self.kept_data = self.db_path.exists()
        self.feishu = FeishuSandbox(
            db_path=self.db_path, apps={FEISHU_APP_ID: FEISHU_APP_SECRET}
        )
        self.env: dict[str, str] = {}

    def start(self) -> dict[str, str]:
        """Start both servers and return the environment that points at them."""
        gateway_url = self.gateway.start()
        feishu_url = self.feishu.start()
        app_token, node_token = self._base_tokens(self.kept_data)
        start_date = self.gateway.business_today() - timedelta(
            days=self.options.history_days
        )
        self.env = {
            "SANDBOX_YUEKEYUN_BASE_URL": gateway_url,
            "SANDBOX_FEISHU_BASE_URL": feishu_url,
            "SANDBOX_FEISHU_PAGE_URL": self.feishu.page_url,
            "SANDBOX_FEISHU_DB": str(self.db_path.resolve()),
            "SANDBOX_FEISHU_APP_TOKEN": app_token,
            "SANDBOX_START_DATE": start_date.isoformat(),
            "SANDBOX_PID": str(os.getpid()),
            "APP_KEY": GATEWAY_APP_KEY,
            "SECRET_KEY": GATEWAY_SECRET_KEY,
            "CHANNEL_CODE": GATEWAY_CHANNEL_CODE,
            "LEASE_CODE": self.options.lease_code,
            "CINEMA_LINK_ID": self.options.cinema_link_id,
            "TAP_YUEKEYUN_CINEMA_NAME": self.options.cinema_name,
            "FEISHU_APP_KEY": FEISHU_APP_ID,
            "FEISHU_APP_SECRET": FEISHU_APP_SECRET,
            "WIKI_APP_TOKEN": node_token,
        }
        logger.info(
            "Sandbox up: gateway %s, Feishu %s, history from %s",
            gateway_url,
            feishu_url,
            start_date,
        )
        return self.env

    def stop(self) -> None:
        """Stop both servers (the Feishu data stays in the SQLite file)."""
        self.gateway.stop()
        self.feishu.stop()
        logger.info("Sandbox stopped")

    def _base_tokens(self, kept_data: bool) -> tuple[str, str]:
        """Reuse the base kept beside the SQLite file, or create one with a node."""
        base_file = self.options.state_dir / BASE_FILE_NAME
        if kept_data and base_file.exists():
            kept = json.loads(base_file.read_text(encoding="utf-8"))
            return str(kept["app_token"]), str(kept["wiki_node_token"])

        app_token = self.feishu.create_base(BASE_NAME, collaborators=[FEISHU_APP_ID])
        node_token = self.feishu.create_wiki_node(app_token, title=BASE_NAME)
        kept_text = json.dumps({"app_token": app_token, "wiki_node_token": node_token})
        base_file.write_text(kept_text + "\n", encoding="utf-8")
        return app_token, node_token


def write_env_file(path: Path, env: dict[str, str]) -> None:
    """Write ``KEY=value`` lines atomically, readable by make, sh and Meltano."""
    lines = ["# Written by `python -m sandbox serve`; removed when it stops."]
    lines += [f"{key}={_shell_quote(value)}" for key, value in env.items()]
    partial = path.with_suffix(".partial")
    partial.write_text("\n".join(lines) + "\n", encoding="utf-8")
    partial.chmod(0o600)
    partial.replace(path)


def _shell_quote(value: str) -> str:
    if value and all(ch.isalnum() or ch in "-_.:/@%+," for ch in value):
        return value

    return "'" + value.replace("'", "'\"'\"'") + "'"


def wait_for_stop_signal() -> None:
    """Block until SIGTERM or SIGINT arrives."""
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        logger.info("Received %s, stopping", signal.Signals(signum).name)
        stopping.set()

    previous = {
        signum: signal.signal(signum, on_signal)
        for signum in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        while not stopping.wait(0.5):
            pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def serve(options: SandboxOptions) -> int:
    """Run both sandboxes until SIGTERM/SIGINT; the env file lives as long."""
    services = SandboxServices(options)
    env_file = options.state_dir / ENV_FILE_NAME
    try:
        env = services.start()
        write_env_file(env_file, env)
        print(describe(env, env_file), flush=True)
        wait_for_stop_signal()
    finally:
        env_file.unlink(missing_ok=True)
        services.stop()

    return 0


def describe(env: dict[str, str], env_file: Path) -> str:
    """The lines printed for a person once the sandbox is up."""
    return "\n".join(
        [
            f"Yuekeyun gateway sandbox: {env['SANDBOX_YUEKEYUN_BASE_URL']}",
            f"Feishu Open API sandbox:  {env['SANDBOX_FEISHU_BASE_URL']}",
            f"Feishu page (browser):    {env['SANDBOX_FEISHU_PAGE_URL']}",
            f"Feishu data (SQLite):     {env['SANDBOX_FEISHU_DB']}",
            f"History from:             {env['SANDBOX_START_DATE']}",
            f"Settings for Meltano:     {env_file}",
            "Stop with Ctrl-C or SIGTERM.",
        ]
    )


def serve_page_only(state_dir: Path, port: int) -> int:
    """Serve the HTML page alone over the SQLite file a sandbox left behind."""
    db_path = state_dir / DB_FILE_NAME
    if not db_path.exists():
        message = f"No Feishu sandbox data at {db_path}: run `make demo` first"
        raise FileNotFoundError(message)

    server = serve_page(str(db_path), LOOPBACK, port)
    try:
        print(f"Feishu sandbox page: {server.url}  (stop with Ctrl-C)", flush=True)
        wait_for_stop_signal()
    finally:
        server.stop()

    return 0


def summarize(state_dir: Path) -> int:
    """Print each table of the kept base with its row count."""
    db_path = state_dir / DB_FILE_NAME
    base_file = state_dir / BASE_FILE_NAME
    if not db_path.exists() or not base_file.exists():
        message = f"No Feishu sandbox data at {db_path}: run `make demo` first"
        raise FileNotFoundError(message)

    app_token = str(json.loads(base_file.read_text(encoding="utf-8"))["app_token"])
    feishu = FeishuSandbox(db_path=db_path)
    try:
        tables = [
            (name, len(feishu.rows(app_token, name)))
            for name in feishu.table_names(app_token)
        ]
    finally:
        feishu.stop()

    width = max((display_width(name) for name, _ in tables), default=5)
    print(f"Base {BASE_NAME} ({app_token}): {len(tables)} tables", flush=True)
    for name, count in [*tables, ("total", sum(count for _, count in tables))]:
        padding = " " * (width - display_width(name))
        print(f"  {name}{padding}  {count:>7} rows")
    return 0


def display_width(text: str) -> int:
    """Terminal columns of ``text``: CJK characters take two."""
    return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in text)
