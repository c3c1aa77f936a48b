"""Fixtures: a loopback gateway sandbox and an in-process tap runner."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from sandbox.cinema import SyntheticCinema
from sandbox.yuekeyun import YuekeyunSandbox
from tap_yuekeyun.downloads import FileFetcher
from tap_yuekeyun.gateway import GatewayClient
from tap_yuekeyun.tap import TapYuekeyun

APP_KEY = "sandbox-app"
SECRET_KEY = "sandbox-secret-7f3c9a"
CHANNEL = "SANDBOX"


@dataclass
class TapRun:
    """The parsed output of one in-process tap run."""

    messages: list[dict[str, Any]]
    stdout: str
    error: BaseException | None = None
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for message in self.messages:
            if message["type"] == "RECORD":
                self.records.setdefault(message["stream"], []).append(message["record"])

    @property
    def schemas(self) -> dict[str, dict[str, Any]]:
        return {m["stream"]: m for m in self.messages if m["type"] == "SCHEMA"}

    @property
    def final_state(self) -> dict[str, Any]:
        states = [m["value"] for m in self.messages if m["type"] == "STATE"]
        return states[-1] if states else {}


def bookmarks(state: dict[str, Any], stream: str) -> dict[str, str | None]:
    """cinema_link_id → bookmark value of one stream."""
    partitions = state["bookmarks"][stream]["partitions"]
    return {
        p["context"]["cinema_link_id"]: p.get("replication_key_value")
        for p in partitions
    }


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries wait no time in tests."""
    monkeypatch.setattr(GatewayClient, "backoff_base_seconds", 0.0)
    monkeypatch.setattr(FileFetcher, "backoff_base_seconds", 0.0)


def make_cinema(
    lease_code: str = "democs", link_id: str = "1001", name: str = "悦影一号店"
) -> SyntheticCinema:
    return SyntheticCinema(
        seed=1,
        lease_code=lease_code,
        cinema_link_id=link_id,
        name=name,
        tickets_per_day=30,
    )


@pytest.fixture
def gateway() -> Iterator[YuekeyunSandbox]:
    """A started one-cinema sandbox, stopped after the test."""
    sandbox = YuekeyunSandbox(
        app_key=APP_KEY,
        secret_key=SECRET_KEY,
        channel_code=CHANNEL,
        cinemas=[make_cinema()],
    )
    sandbox.start()
    yield sandbox
    sandbox.stop()


def business_today() -> dt.date:
    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8)))
    return (now - dt.timedelta(hours=6)).date()


def tap_config(gateway: YuekeyunSandbox, **overrides: Any) -> dict[str, Any]:
    """Settings for one sandbox cinema, a two-day window, two screening days."""
    config: dict[str, Any] = {
        "app_key": APP_KEY,
        "secret_key": SECRET_KEY,
        "channel_code": CHANNEL,
        "lease_code": "democs",
        "cinema_link_id": "1001",
        "cinema_name": "悦影一号店",
        "start_date": (business_today() - dt.timedelta(days=1)).isoformat(),
        "lookback_days": 1,
        "screening_days_ahead": 2,
        "base_url": gateway.base_url,
        "download_hosts": ["127.0.0.1"],
        "request_timeout": 10,
    }
    config.update(overrides)
    return config


def catalog_selecting(config: dict[str, Any], *streams: str) -> dict[str, Any]:
    """The discovered catalog with only ``streams`` selected."""
    catalog = TapYuekeyun(config=config, validate_config=False).catalog_dict
    for entry in catalog["streams"]:
        for metadata in entry["metadata"]:
            if metadata["breadcrumb"] == []:
                metadata["metadata"]["selected"] = entry["tap_stream_id"] in streams
    return catalog


def run_tap(
    config: dict[str, Any],
    *,
    state: dict[str, Any] | None = None,
    streams: tuple[str, ...] | None = None,
    expect_error: bool = False,
) -> TapRun:
    """Run the tap in-process and parse its stdout."""
    catalog = catalog_selecting(config, *streams) if streams else None
    buffer = io.BytesIO()
    stdout = io.TextIOWrapper(buffer, encoding="utf-8")
    error: BaseException | None = None
    with contextlib.redirect_stdout(stdout):
        try:
            tap = TapYuekeyun(config=config, state=state, catalog=catalog)
            tap.sync_all()
        except Exception as exc:
            if not expect_error:
                raise
            error = exc
    stdout.flush()
    text = buffer.getvalue().decode("utf-8")
    if expect_error and error is None:
        pytest.fail("the tap run was expected to fail")

    messages = [json.loads(line) for line in text.splitlines() if line.strip()]
    return TapRun(messages=messages, stdout=text, error=error)
