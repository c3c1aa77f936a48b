"""Settings errors name the setting and never echo a secret."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from singer_sdk.exceptions import ConfigValidationError
from singer_sdk.helpers._util import read_json_file

from tap_yuekeyun.registry import load_registry
from tap_yuekeyun.tap import TapYuekeyun

SECRET = "s3cr3t-value-never-shown"
BASE: dict[str, Any] = {
    "app_key": "app",
    "secret_key": SECRET,
    "channel_code": "CH",
    "lease_code": "democs",
    "cinema_link_id": "1001",
    "start_date": "2026-11-01",
    "base_url": "http://127.0.0.1:9",
}


def errors_of(config: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigValidationError) as caught:
        TapYuekeyun(config=config, parse_env_config=False)
    errors = caught.value.errors
    assert all(SECRET not in error for error in [*errors, str(caught.value)])
    return errors


def test_valid_settings_parse() -> None:
    tap = TapYuekeyun(config=BASE, parse_env_config=False)
    settings = tap.run_settings
    assert [(c.lease_code, c.cinema_link_id, c.name) for c in settings.cinemas] == [
        ("democs", "1001", None)
    ]
    assert settings.lookback_days == 3
    assert settings.screening_days_ahead == 30
    assert settings.download_hosts == ("*.aliyuncs.com",)
    assert str(settings.timezone) == "Asia/Shanghai"


def test_both_cinema_forms_is_an_error_naming_both() -> None:
    config = {**BASE, "cinemas": [{"lease_code": "x", "cinema_link_id": "2"}]}
    assert errors_of(config) == [
        "Give exactly one of: lease_code + cinema_link_id (one cinema), or "
        "cinemas (a list of {lease_code, cinema_link_id, name})"
    ]


def test_neither_cinema_form_is_an_error() -> None:
    config = {
        k: v for k, v in BASE.items() if k not in ("lease_code", "cinema_link_id")
    }
    assert errors_of(config)[0].startswith("Give exactly one of: lease_code")


def test_lease_code_without_cinema_link_id() -> None:
    config = {k: v for k, v in BASE.items() if k != "cinema_link_id"}
    assert errors_of(config) == ["lease_code and cinema_link_id must be given together"]


def test_duplicate_cinemas_are_an_error() -> None:
    config = {
        k: v for k, v in BASE.items() if k not in ("lease_code", "cinema_link_id")
    }
    config["cinemas"] = [
        {"lease_code": "a", "cinema_link_id": "1"},
        {"lease_code": "b", "cinema_link_id": "1"},
    ]
    assert errors_of(config) == [
        "cinemas: cinema_link_id values must be distinct, got ['1', '1']"
    ]


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        (
            {"timezone": "Mars/Olympus"},
            "timezone: 'Mars/Olympus' is not an IANA time zone",
        ),
        ({"business_day_start": "6am"}, "business_day_start: '6am' is not HH:MM"),
        (
            {"start_date": "2026-02-30"},
            "start_date: '2026-02-30' is not a YYYY-MM-DD date",
        ),
        (
            {"lookback_days": -1},
            "lookback_days: must be a non-negative integer, got -1",
        ),
        ({"max_workers": 0}, "max_workers: must be at least 1, got 0"),
        ({"request_timeout": 0}, "request_timeout: must be a positive number"),
    ],
)
def test_bad_values_name_the_setting(override: dict[str, Any], expected: str) -> None:
    assert errors_of({**BASE, **override})[0].startswith(expected)


def test_missing_secret_key_names_it() -> None:
    config = {k: v for k, v in BASE.items() if k != "secret_key"}
    assert any("secret_key" in error for error in errors_of(config))


def test_secret_of_wrong_type_is_not_echoed() -> None:
    errors = errors_of({**BASE, "secret_key": 12345678, "app_key": SECRET})
    assert all("12345678" not in error for error in errors)
    assert any("secret_key" in error or "<secret>" in error for error in errors)


def test_categories_file_adds_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "categories.json"
    entry = {
        "stream": "ticket_orders",
        "title": "影票销售明细",
        "time_column": "销售时间",
        "columns": [{"name": "销售时间", "type": "date-time"}, {"name": "票号"}],
        "primary_key": ["_cinema_link_id", "票号"],
    }
    new = {**entry, "stream": "c26_rows", "title": "新类别", "primary_key": None}
    new["primary_key_reason"] = "test"
    path.write_text(json.dumps({"C01": entry, "C26": new}), encoding="utf-8")

    registry = load_registry(str(path))
    assert [c.name for c in registry["C01"].columns] == ["销售时间", "票号"]
    assert registry["C26"].stream == "c26_rows"
    assert len(registry) == 26


def test_categories_file_errors_name_the_setting(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"C01": {"stream": "x"}}', encoding="utf-8")
    assert errors_of({**BASE, "categories_file": str(path)}) == [
        f"categories_file {str(path)!r}, entry 'C01': "
        "missing title, time_column, columns"
    ]
    missing = tmp_path / "missing.json"
    assert errors_of({**BASE, "categories_file": str(missing)})[0].startswith(
        f"categories_file {str(missing)!r} cannot be read"
    )


def test_registry_has_every_code_with_keys_or_reasons() -> None:
    registry = load_registry()
    assert list(registry) == [f"C{n:02d}" for n in range(1, 26)]
    assert {c.code for c in registry.values() if c.verified} == {
        "C01",
        "C02",
        "C03",
        "C04",
        "C05",
        "C06",
        "C07",
        "C18",
    }
    assert {c.code for c in registry.values() if c.selected_by_default} == {
        f"C{n:02d}" for n in [*range(1, 16), 18]
    }
    assert len(registry["C01"].columns) == 67
    assert registry["C18"].stream == "screenings"
    assert registry["C18"].title == "场次放映明细"
    for category in registry.values():
        assert category.primary_key is not None or category.primary_key_reason


def test_fractional_request_timeout_from_a_config_file(tmp_path: Path) -> None:
    # The SDK reads the JSON number 1.5 of a --config file as a Decimal.
    path = tmp_path / "config.json"
    path.write_text(json.dumps({**BASE, "request_timeout": 1.5}), encoding="utf-8")
    config = read_json_file(path)
    assert config["request_timeout"] == Decimal("1.5")
    tap = TapYuekeyun(config=config, parse_env_config=False)
    assert tap.run_settings.request_timeout == 1.5
    assert tap.gateway.settings.request_timeout == 1.5
    assert tap.fetcher.timeout == 1.5


@pytest.mark.parametrize("value", [Decimal("1.5"), 1.5, 2])
def test_request_timeout_accepts_decimal_float_and_int(value: Any) -> None:
    tap = TapYuekeyun(config={**BASE, "request_timeout": value}, parse_env_config=False)
    assert tap.run_settings.request_timeout == float(value)


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        (
            {"app_key": "app/../x?y"},
            "app_key: 'app/../x?y' may hold only letters, digits, '-', '_' and '.' "
            "(and not only dots)",
        ),
        (
            {"app_key": ".."},
            "app_key: '..' may hold only letters, digits, '-', '_' and '.' "
            "(and not only dots)",
        ),
        (
            {"lookback_days": 1000000000},
            "lookback_days: must be at most 3660 days, got 1000000000",
        ),
        (
            {"screening_days_ahead": 10**12},
            f"screening_days_ahead: must be at most 3660 days, got {10**12}",
        ),
        (
            {"start_date": "0001-01-01"},
            "start_date: '0001-01-01' is before 2000; give a real first date",
        ),
        (
            {"start_date": "2026-11-30T10:00:00Z"},
            "start_date: '2026-11-30T10:00:00Z' is not a YYYY-MM-DD date",
        ),
        (
            {"base_url": "ftp://127.0.0.1:9"},
            "base_url: 'ftp://127.0.0.1:9' is not an http(s) URL with a host "
            "(e.g. https://gw.open.yuekeyun.com)",
        ),
        (
            {"base_url": "http:///openapi"},
            "base_url: 'http:///openapi' is not an http(s) URL with a host "
            "(e.g. https://gw.open.yuekeyun.com)",
        ),
        (
            {"download_hosts": []},
            "download_hosts: [] must be a non-empty list of host patterns "
            "(e.g. ['*.aliyuncs.com']); leave it out for the default",
        ),
        (
            {"timezone": ""},
            "timezone: '' is not an IANA time zone (e.g. Asia/Shanghai)",
        ),
        ({"secret_key": ""}, "secret_key: must not be empty"),
        (
            {"request_timeout": Decimal("NaN")},
            "request_timeout: must be a positive number of seconds, got Decimal('NaN')",
        ),
    ],
)
def test_out_of_range_values_name_the_setting(
    override: dict[str, Any], expected: str
) -> None:
    assert errors_of({**BASE, **override}) == [expected]


def state_errors(state: Any) -> list[str]:
    with pytest.raises(ConfigValidationError) as caught:
        TapYuekeyun(config=BASE, state=state, parse_env_config=False)
    return caught.value.errors


def partition_state(value: Any) -> dict[str, Any]:
    partition = {"context": {"cinema_link_id": "1001"}}
    partition["replication_key_value"] = value
    return {"bookmarks": {"ticket_orders": {"partitions": [partition]}}}


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (
            {"bookmarks": []},
            "state: bookmarks must be an object of streams, got list; fix or "
            "remove the state",
        ),
        (
            {"bookmarks": {"ticket_orders": "2026-11-30"}},
            "state: bookmarks of stream 'ticket_orders' must be an object, got "
            "str; fix or remove it from the state",
        ),
        (
            {"bookmarks": {"ticket_orders": {"partitions": {"a": 1}}}},
            "state: partitions of stream 'ticket_orders' must be a list of "
            "objects; fix or remove it from the state",
        ),
        (
            partition_state(20261130),
            "Stream ticket_orders, cinema 1001: bookmark 20261130 in the state is "
            "not a YYYY-MM-DD date; fix or remove it from the state",
        ),
        (
            partition_state("2026-11-30junk"),
            "Stream ticket_orders, cinema 1001: bookmark '2026-11-30junk' in the "
            "state is not a YYYY-MM-DD date; fix or remove it from the state",
        ),
        (
            {"bookmarks": {"screenings": {"replication_key_value": ["x"]}}},
            "Stream screenings: bookmark ['x'] in the state is not a YYYY-MM-DD "
            "date; fix or remove it from the state",
        ),
    ],
)
def test_a_malformed_state_names_the_state_and_the_stream(
    state: Any, expected: str
) -> None:
    assert state_errors(state) == [expected]


def test_a_well_formed_state_loads() -> None:
    tap = TapYuekeyun(
        config=BASE, state=partition_state("2026-11-30"), parse_env_config=False
    )
    assert tap.state["bookmarks"]["ticket_orders"]["partitions"] == [
        {"context": {"cinema_link_id": "1001"}, "replication_key_value": "2026-11-30"}
    ]
