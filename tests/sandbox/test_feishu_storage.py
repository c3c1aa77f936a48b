"""SQLite storage: the file survives the process, WAL mode, temporary files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sandbox.feishu import FeishuSandbox
from tests.sandbox.test_feishu_support import Api, start_sandbox


def test_state_survives_a_restart_on_the_same_file(tmp_path: Path) -> None:
    db_path = tmp_path / "feishu.sqlite"
    fs = start_sandbox(db_path=db_path)
    api = Api(fs)
    base = fs.create_base("b")
    table = api.table(
        base, "t", [{"field_name": "名称", "type": 1}, {"field_name": "d", "type": 5}]
    )
    api.create(base, table, [{"名称": "x", "d": 1}])
    fs.stop()
    assert db_path.is_file()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)

    again = start_sandbox(db_path=db_path)
    try:
        assert again.table_names(base) == ["t"]
        assert again.rows(base, "t") == [{"名称": "x", "d": 1}]
        api = Api(again)
        api.create(base, table, [{"名称": "y"}])
        found = api.search_all(base, table, {})
        assert [i["fields"]["名称"][0]["text"] for i in found] == ["x", "y"]
        assert len({i["record_id"] for i in found}) == 2
    finally:
        again.stop()


def test_temporary_database_is_removed_on_stop() -> None:
    fs = FeishuSandbox()
    fs.start()
    path = fs.db_path
    assert path.is_file()
    fs.stop()
    assert not path.exists()


def test_context_manager_starts_and_stops() -> None:
    with FeishuSandbox() as fs:
        assert fs.base_url.startswith("http://127.0.0.1:")
        assert fs.page_url == fs.base_url + "/sandbox/"
        Api(fs)
    assert not fs.db_path.exists()


def test_is_filters_index_the_searched_field(tmp_path: Path) -> None:
    db_path = tmp_path / "feishu.sqlite"
    fs = start_sandbox(db_path=db_path)
    try:
        api = Api(fs)
        base = fs.create_base("b")
        table = api.table(base, "t", [{"field_name": "日", "type": 1}])
        api.create(base, table, [{"日": f"2026-12-{d:02d}"} for d in range(1, 31)] * 3)
        body = {
            "filter": {
                "conjunction": "and",
                "conditions": [
                    {"field_name": "日", "operator": "is", "value": ["2026-12-05"]}
                ],
            }
        }
        assert len(api.search_all(base, table, body)) == 3
        field_id = api.ok("GET", f"/apps/{base}/tables/{table}/fields")["items"][0][
            "field_id"
        ]
        with sqlite3.connect(db_path) as conn:
            names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        assert f"cell_{field_id}" in names
        api.create(base, table, [{"日": "2026-12-05"}])
        assert len(api.search_all(base, table, body)) == 4
    finally:
        fs.stop()
