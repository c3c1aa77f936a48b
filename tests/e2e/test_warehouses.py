"""The same tap into warehouse loaders: DuckDB and PostgreSQL row counts."""

from __future__ import annotations

import json
import subprocess

import pytest

from sandbox.yuekeyun import YuekeyunSandbox
from tests.e2e.conftest import tap_env
from tests.e2e.ground_truth import Window, expected_row_count, load_streams
from tests.e2e.meltano_project import MeltanoProject
from tests.e2e.postgres_server import DATABASE, SUPERUSER, PostgresServer

pytestmark = pytest.mark.e2e

# A handful of categories: keyed and keyless, daily summary and the schedule.
WAREHOUSE_STREAMS = (
    "ticket_orders",
    "concession_orders",
    "goods_inventory",
    "screenings",
)
SCHEMA = "yuekeyun"

COUNT_DUCKDB_ROWS = """
import json, sys
import duckdb
connection = duckdb.connect(sys.argv[1], read_only=True)
tables = connection.execute(
    "select table_name from information_schema.tables where table_schema = ?",
    [sys.argv[2]],
).fetchall()
schema = sys.argv[2]
counts = {
    name: connection.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
    for (name,) in tables
}
print(json.dumps(counts))
"""


def selection_env() -> dict[str, str]:
    """A test-only Meltano `select` through the extractor's env override."""
    return {"TAP_YUEKEYUN__SELECT": json.dumps([f"{s}.*" for s in WAREHOUSE_STREAMS])}


def expected_counts(gateway: YuekeyunSandbox, window: Window) -> dict[str, int]:
    streams = load_streams()
    return {
        name: expected_row_count(gateway, streams[name], window)
        for name in WAREHOUSE_STREAMS
    }


def test_duckdb_holds_the_sandbox_rows_of_every_selected_stream(
    project: MeltanoProject, gateway: YuekeyunSandbox, window: Window
) -> None:
    database = project.work_dir / "warehouse.duckdb"
    project.extra_env |= tap_env(gateway, window) | selection_env()
    project.extra_env["TARGET_DUCKDB_FILEPATH"] = str(database)

    project.meltano("run", "tap-yuekeyun", "target-duckdb")

    python = project.plugin_python("loaders", "target-duckdb")
    counted = subprocess.run(
        [str(python), "-c", COUNT_DUCKDB_ROWS, str(database), SCHEMA],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(counted.stdout) == expected_counts(gateway, window)
    state_file = (
        project.state_dir / "sandbox:tap-yuekeyun-to-target-duckdb" / "state.json"
    )
    assert state_file.exists()


def test_postgres_holds_the_sandbox_rows_of_every_selected_stream(
    project: MeltanoProject,
    gateway: YuekeyunSandbox,
    window: Window,
    postgres: PostgresServer,
) -> None:
    project.extra_env |= tap_env(gateway, window) | selection_env()
    project.extra_env |= {
        "TARGET_POSTGRES_HOST": "127.0.0.1",
        "TARGET_POSTGRES_PORT": str(postgres.port),
        "TARGET_POSTGRES_USER": SUPERUSER,
        "TARGET_POSTGRES_PASSWORD": "unused-with-trust-auth",
        "TARGET_POSTGRES_DATABASE": DATABASE,
        "TARGET_POSTGRES_SSL_ENABLE": "false",
    }

    project.meltano("run", "tap-yuekeyun", "target-postgres")

    listed = postgres.psql(
        "select table_name from information_schema.tables "
        f"where table_schema = '{SCHEMA}' order by table_name"
    )
    counts = {
        name: int(postgres.psql(f'select count(*) from {SCHEMA}."{name}"'))
        for name in listed.split()
    }
    assert counts == expected_counts(gateway, window)
    state_file = (
        project.state_dir / "sandbox:tap-yuekeyun-to-target-postgres" / "state.json"
    )
    assert state_file.exists()
