"""The ``tap-yuekeyun`` Tap class."""

from __future__ import annotations

import logging
from functools import cached_property
from typing import Any

import requests
from singer_sdk import Tap
from singer_sdk.exceptions import ConfigValidationError

from tap_yuekeyun.downloads import FileFetcher
from tap_yuekeyun.gateway import GatewayClient, GatewaySettings
from tap_yuekeyun.registry import load_registry
from tap_yuekeyun.settings import CONFIG_SCHEMA, SECRETS, RunSettings, parse_settings
from tap_yuekeyun.state import check_state
from tap_yuekeyun.streams import CategoryStream
from tap_yuekeyun.urls import redact_text
from tap_yuekeyun.writer import CheckpointFlushingWriter


class _RedactingFilter(logging.Filter):
    """Strips signatures from urllib3's DEBUG request lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_text(str(record.msg))
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_text(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


_URLLIB3_FILTER = _RedactingFilter()
logging.getLogger("urllib3.connectionpool").addFilter(_URLLIB3_FILTER)


class TapYuekeyun(Tap):
    """Singer tap for Yuekeyun (悦刻云) cinema data: one stream per category C01-C25.

    Plans month and day queries per cinema, decrypts the gateway's download URLs,
    parses the GBK CSV files and emits typed records with ``_business_date``.
    """

    name = "tap-yuekeyun"
    package_name = "yuekeyun-feishu"  # the distribution that ships both plugins
    config_jsonschema = CONFIG_SCHEMA
    message_writer_class = CheckpointFlushingWriter

    def discover_streams(self) -> list[CategoryStream]:
        """One stream per registry category (the registry may be extended)."""
        registry = load_registry(self.config.get("categories_file"))
        return [CategoryStream(self, category) for category in registry.values()]

    @cached_property
    def run_settings(self) -> RunSettings:
        """Settings after the cross-field rules (raises ConfigValidationError)."""
        return parse_settings(self.config)

    @cached_property
    def session(self) -> requests.Session:
        """One HTTP session (TLS verification always on) for the whole run."""
        session = requests.Session()
        session.headers["User-Agent"] = "tap-yuekeyun"
        return session

    @cached_property
    def gateway(self) -> GatewayClient:
        """The signed gateway client."""
        config: dict[str, Any] = dict(self.config)
        settings = GatewaySettings(
            base_url=self.run_settings.base_url,
            app_key=str(config["app_key"]),
            secret_key=str(config["secret_key"]),
            channel_code=str(config["channel_code"]),
            request_timeout=self.run_settings.request_timeout,
        )
        return GatewayClient(settings, self.session, self.logger)

    @cached_property
    def fetcher(self) -> FileFetcher:
        """The file downloader."""
        return FileFetcher(
            self.session,
            timeout=self.run_settings.request_timeout,
            max_workers=self.run_settings.max_workers,
            logger=self.logger,
        )

    def load_state(self, state: dict[str, Any]) -> None:
        """Check the incoming state (bookmarks must be dates), then merge it."""
        check_state(state)
        super().load_state(state)

    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        """JSON-schema checks without secret values, then the cross-field rules."""
        secrets = [str(value) for key, value in self.config.items() if key in SECRETS]
        errors = [
            _without(secrets, error)
            for error in super()._validate_config(raise_errors=False)
        ]
        if not errors:
            try:
                _ = self.run_settings
                load_registry(self.config.get("categories_file"))
            except ConfigValidationError as exc:
                errors.extend(exc.errors or [str(exc)])

        if errors and raise_errors:
            msg = "Config validation failed"
            raise ConfigValidationError(msg, errors=errors)
        return errors


def _without(secrets: list[str], text: str) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<secret>")
    return text


if __name__ == "__main__":
    TapYuekeyun.cli()
