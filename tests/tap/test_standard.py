"""singer-sdk's standard tap tests against the sandbox, plus our own checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from singer_sdk.testing import SuiteConfig, get_tap_test_class
from singer_sdk.testing.runners import TapTestRunner

from sandbox.cinema import SyntheticCinema
from sandbox.yuekeyun import YuekeyunSandbox
from tap_yuekeyun.registry import load_registry
from tap_yuekeyun.tap import TapYuekeyun
from tests.tap.conftest import (
    APP_KEY,
    CHANNEL,
    SECRET_KEY,
    business_today,
    catalog_selecting,
    tap_config,
)

ALL_STREAMS = tuple(category.stream for category in load_registry().values())

SUITE = SuiteConfig(
    max_records_limit=20,
    # Rare events of the synthetic cinema (a few a week, C17 only at month end):
    # a seven-day window may hold none.
    ignore_no_records_for_streams=[
        "card_renewals",
        "card_refunds",
        "card_replacements",
        "profit_month_end_average",
        "debt_writeoffs",
        "co_branded_card_orders",
        "coupon_voids",
    ],
)
# Discovery needs no server; the class fixture below points at a live sandbox.
PLACEHOLDER = {
    "app_key": APP_KEY,
    "secret_key": SECRET_KEY,
    "channel_code": CHANNEL,
    "lease_code": "democs",
    "cinema_link_id": "1001",
    "start_date": "2026-01-01",
    "base_url": "http://127.0.0.1:9",
    "download_hosts": ["127.0.0.1"],
}

StandardTests = get_tap_test_class(
    TapYuekeyun,
    config=PLACEHOLDER,
    suite_config=SUITE,
    parse_env_config=False,
    catalog=catalog_selecting(PLACEHOLDER, *ALL_STREAMS),
)


@pytest.fixture(scope="class")
def live_sandbox() -> Iterator[YuekeyunSandbox]:
    cinema = SyntheticCinema(
        seed=1,
        lease_code="democs",
        cinema_link_id="1001",
        name="悦影一号店",
        tickets_per_day=200,
    )
    sandbox = YuekeyunSandbox(
        app_key=APP_KEY, secret_key=SECRET_KEY, channel_code=CHANNEL, cinemas=[cinema]
    )
    sandbox.start()
    yield sandbox
    sandbox.stop()


class TestTapYuekeyunStandard(StandardTests):  # type: ignore[misc,valid-type]
    """The SDK suite, run once against a live sandbox."""

    @pytest.fixture(scope="class")
    @classmethod
    def runner(cls, live_sandbox: YuekeyunSandbox) -> TapTestRunner:
        start = (business_today() - dt.timedelta(days=6)).isoformat()
        config = tap_config(live_sandbox, start_date=start)
        runner = TapTestRunner(
            TapYuekeyun,
            config=config,
            suite_config=SUITE,
            parse_env_config=False,
            catalog=catalog_selecting(config, *ALL_STREAMS),
        )
        runner.sync_all()
        return runner

    def test_records_carry_cinema_and_business_date(
        self, runner: TapTestRunner
    ) -> None:
        assert runner.records["ticket_orders"]
        for stream, records in runner.records.items():
            for record in records:
                assert record["_cinema_link_id"] == "1001", stream
                assert record["_cinema_name"] == "悦影一号店", stream
                assert len(record["_business_date"]) == 10, stream

    def test_every_state_is_per_cinema(self, runner: TapTestRunner) -> None:
        final: dict[str, Any] = runner.state_messages[-1]["value"]
        for stream, state in final["bookmarks"].items():
            contexts = [p["context"] for p in state["partitions"]]
            assert contexts == [{"cinema_link_id": "1001"}], stream
