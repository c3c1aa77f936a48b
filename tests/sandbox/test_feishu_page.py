"""The read-only HTML page, on the sandbox port and served from a file."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from sandbox.feishu import FeishuSandbox, serve_page
from tests.sandbox.test_feishu_support import (
    DEC_1_SHANGHAI_MS,
    Api,
    api,
    base,
    fs,
    start_sandbox,
)

__all__ = ["api", "base", "fs"]


def test_page_lists_bases_tables_and_escaped_rows(fs: FeishuSandbox, api: Api) -> None:
    base = fs.create_base("<b>Cinema</b>")
    table = api.table(
        base,
        "影票 & 卖品",
        [{"field_name": "名称<i>", "type": 1}, {"field_name": "日期", "type": 5}],
    )
    api.create(
        base,
        table,
        [{"名称<i>": "<script>alert(1)</script>", "日期": DEC_1_SHANGHAI_MS}],
    )

    index = requests.get(fs.page_url, timeout=10)
    assert index.status_code == 200
    assert index.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "&lt;b&gt;Cinema&lt;/b&gt;" in index.text
    assert "<b>Cinema" not in index.text
    assert "影票 &amp; 卖品" in index.text
    assert "1 rows" in index.text

    page = requests.get(f"{fs.page_url}table/{table}", timeout=10).text
    assert "名称&lt;i&gt;" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>" not in page
    assert "2026-12-01 00:00:00" in page
    assert "date" in page


def test_page_shows_200_rows_per_page(fs: FeishuSandbox, api: Api, base: str) -> None:
    table = api.table(base, "t", [{"field_name": "n", "type": 2}])
    api.create(base, table, [{"n": 10_000 + i} for i in range(450)])
    first = requests.get(f"{fs.page_url}table/{table}", timeout=10).text
    third = requests.get(f"{fs.page_url}table/{table}?page=3", timeout=10).text
    assert first.count("<tr>") == 201
    assert "page 1 of 3" in first
    assert "10199" in first
    assert "10200" not in first
    assert third.count("<tr>") == 51
    assert "10449" in third


def test_unknown_page_is_404(fs: FeishuSandbox) -> None:
    assert requests.get(f"{fs.page_url}table/tblNope", timeout=10).status_code == 404


def test_serve_page_reads_a_finished_run(tmp_path: Path) -> None:
    db_path = tmp_path / "feishu.sqlite"
    fs = start_sandbox(db_path=db_path)
    api = Api(fs)
    base = fs.create_base("Run")
    table = api.table(base, "日报", [{"field_name": "名称", "type": 1}])
    api.create(base, table, [{"名称": "留下"}])
    fs.stop()

    server = serve_page(db_path)
    try:
        assert server.url.startswith("http://127.0.0.1:")
        index = requests.get(server.url, timeout=10).text
        assert "日报" in index
        page = requests.get(f"{server.url}table/{table}", timeout=10).text
        assert "留下" in page
        api_call = requests.get(
            server.url.replace("/sandbox/", "/open-apis/x"), timeout=10
        )
        assert api_call.status_code == 404
    finally:
        server.stop()


def test_serve_page_needs_an_existing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="db_path"):
        serve_page(tmp_path / "missing.sqlite")
