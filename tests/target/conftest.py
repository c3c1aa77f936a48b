"""Fixtures for target-feishu tests: a started Feishu sandbox and a target runner."""

from __future__ import annotations

import contextlib
import io
import json
import typing as t
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.feishu import FeishuSandbox
from target_feishu import client as client_module
from target_feishu.target import TargetFeishu

DATA = Path(__file__).parent / "data"
APP_ID = "cli_sandbox"
APP_SECRET = "sandbox-app-secret"


class Feishu(t.NamedTuple):
    """A started sandbox with one base the app may edit."""

    sandbox: FeishuSandbox
    base_url: str
    app_token: str

    def config(self, **overrides: t.Any) -> dict[str, t.Any]:
        """A target config pointing at this sandbox and base."""
        config: dict[str, t.Any] = {
            "app_id": APP_ID,
            "app_secret": APP_SECRET,
            "app_token": self.app_token,
            "base_url": self.base_url,
            "request_timeout": 5,
        }
        config.update(overrides)
        return {k: v for k, v in config.items() if v is not None}


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shorten the exponential backoff (not the rate-limit reset waits)."""
    monkeypatch.setattr(client_module, "BASE_DELAY_S", 0.01)


@pytest.fixture
def feishu() -> Iterator[Feishu]:
    """A Feishu sandbox without rate limits, stopped after the test."""
    sandbox = FeishuSandbox(
        db_path=None, apps={APP_ID: APP_SECRET}, rate_limits=False, latency_ms=0
    )
    base_url = sandbox.start()
    try:
        app_token = sandbox.create_base("影院经营", collaborators=[APP_ID])
        yield Feishu(sandbox, base_url, app_token)
    finally:
        sandbox.stop()


def run_target(
    config: dict[str, t.Any], text: str, *, capture: bool = True
) -> list[dict[str, t.Any]]:
    """Run the target in-process on Singer ``text``; return the state lines."""
    target = TargetFeishu(config=config, parse_env_config=False)
    if not capture:  # for threads: redirect_stdout is process-wide
        target.listen(file_input=io.StringIO(text))
        return []
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        target.listen(file_input=io.StringIO(text))
    return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def singer(
    stream: str,
    schema: dict[str, t.Any],
    records: list[dict[str, t.Any]],
    *,
    key_properties: list[str] | None = None,
    state: dict[str, t.Any] | None = None,
    trailing_state: bool = True,
) -> str:
    """Singer lines: SCHEMA, the RECORDs, then a STATE.

    The STATE is ``state``, else an empty bookmark of ``stream``; with
    ``trailing_state=False`` and no ``state`` the input ends right after the
    records, as when the tap stops early.
    """
    if state is None and trailing_state:
        state = {"bookmarks": {stream: {}}}
    lines = [
        {
            "type": "SCHEMA",
            "stream": stream,
            "schema": schema,
            "key_properties": key_properties or [],
        }
    ]
    lines += [{"type": "RECORD", "stream": stream, "record": r} for r in records]
    if state is not None:
        lines.append({"type": "STATE", "value": state})
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


def create_table(feishu: Feishu, name: str, fields: list[tuple[str, int]]) -> str:
    """Create a table through the Open API, as an old script would have."""
    import requests

    token = requests.post(
        f"{feishu.base_url}/open-apis/auth/v3/tenant_access_token/internal",
        json={"app_id": APP_ID, "app_secret": APP_SECRET},
        timeout=5,
    ).json()["tenant_access_token"]
    body = {
        "table": {
            "name": name,
            "fields": [{"field_name": n, "type": ftype} for n, ftype in fields],
        }
    }
    answer = requests.post(
        f"{feishu.base_url}/open-apis/bitable/v1/apps/{feishu.app_token}/tables",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    ).json()
    assert answer["code"] == 0, answer
    return str(answer["data"]["table_id"])
