"""Shared fixtures and a thin ``requests`` client for the Feishu sandbox tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from sandbox.feishu import FeishuSandbox

APP_ID, APP_SECRET = "cli_sandbox", "sandbox-app-secret"
TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal"
# 2026-12-01 00:00:00 Asia/Shanghai in milliseconds.
DEC_1_SHANGHAI_MS = 1_796_054_400_000
DAY_MS = 86_400_000
HOUR_MS = 3_600_000


class Api:
    """A ``requests`` session holding a tenant token for one sandbox app."""

    def __init__(self, fs: FeishuSandbox, app_id: str = APP_ID) -> None:
        self.fs = fs
        self.session = requests.Session()
        reply = self.session.post(
            fs.base_url + TOKEN_PATH,
            json={"app_id": app_id, "app_secret": fs_secret(app_id)},
            timeout=10,
        ).json()
        assert reply["code"] == 0, reply
        self.token = reply["tenant_access_token"]
        self.session.headers["Authorization"] = f"Bearer {self.token}"

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send to ``/open-apis/bitable/v1`` + ``path`` (or an absolute path)."""
        if not path.startswith("/open-apis"):
            path = "/open-apis/bitable/v1" + path
        return self.session.request(
            method, self.fs.base_url + path, timeout=30, **kwargs
        )

    def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send a request that must succeed; return its ``data``."""
        response = self.call(method, path, **kwargs)
        body = response.json()
        assert (response.status_code, body["code"]) == (200, 0), body
        return body["data"]

    def fail(self, method: str, path: str, **kwargs: Any) -> tuple[int, int, str]:
        """Send a request that must fail; return ``(http_status, code, msg)``."""
        response = self.call(method, path, **kwargs)
        body = response.json()
        assert body["code"] != 0, body
        return response.status_code, body["code"], body["msg"]

    def table(self, app_token: str, name: str, fields: list[dict[str, Any]]) -> str:
        """Create a table and return its id."""
        data = self.ok(
            "POST",
            f"/apps/{app_token}/tables",
            json={"table": {"name": name, "fields": fields}},
        )
        return str(data["table_id"])

    def create(
        self, app_token: str, table_id: str, rows: list[dict[str, Any]], **params: Any
    ) -> list[dict[str, Any]]:
        """batch_create ``rows`` (field dicts) with a fresh client token."""
        params.setdefault("client_token", str(uuid.uuid4()))
        data = self.ok(
            "POST",
            f"/apps/{app_token}/tables/{table_id}/records/batch_create",
            params=params,
            json={"records": [{"fields": row} for row in rows]},
        )
        return list(data["records"])

    def search_all(
        self, app_token: str, table_id: str, body: dict[str, Any], page_size: int = 500
    ) -> list[dict[str, Any]]:
        """Every item of a search, following ``page_token`` while ``has_more``."""
        items: list[dict[str, Any]] = []
        params: dict[str, Any] = {"page_size": page_size}
        while True:
            data = self.ok(
                "POST",
                f"/apps/{app_token}/tables/{table_id}/records/search",
                params=params,
                json=body,
            )
            items.extend(data["items"])
            if not data["has_more"]:
                return items
            params["page_token"] = data["page_token"]


def fs_secret(app_id: str) -> str:
    """The secret the tests register for ``app_id``."""
    return APP_SECRET if app_id == APP_ID else f"{app_id}-secret"


def start_sandbox(**kwargs: Any) -> FeishuSandbox:
    """A started sandbox with the default app and a second app ``cli_other``."""
    kwargs.setdefault("apps", {APP_ID: APP_SECRET, "cli_other": "cli_other-secret"})
    fs = FeishuSandbox(**kwargs)
    fs.start()
    return fs


@pytest.fixture
def fs() -> Iterator[FeishuSandbox]:
    """A running sandbox, stopped after the test."""
    sandbox = start_sandbox()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def api(fs: FeishuSandbox) -> Api:
    """An authenticated client of ``fs``."""
    return Api(fs)


@pytest.fixture
def base(fs: FeishuSandbox) -> str:
    """The app token of an empty editable base."""
    return fs.create_base("Test base")
