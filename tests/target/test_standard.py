"""The singer-sdk standard target tests against the sandbox, with our own checks."""

from __future__ import annotations

import typing as t
from collections.abc import Iterator

import pytest
from singer_sdk.testing import SuiteConfig, get_target_test_class
from singer_sdk.testing.runners import TargetTestRunner
from singer_sdk.testing.suites import SingerTestSuite
from singer_sdk.testing.templates import TargetFileTestTemplate

from sandbox.feishu import FeishuSandbox
from target_feishu.target import TargetFeishu
from tests.target.conftest import APP_ID, APP_SECRET, Feishu

# Feishu forbids ':' and '?' in table names: the special-chars stream gets a name.
STREAM_OVERRIDES = {
    "test:SpecialChars!in?attributes": {"table_name": "test_SpecialChars_in_attributes"}
}


class _Checked(TargetFileTestTemplate):
    """Standard input file, then our own look at the sandbox."""

    @property
    def singer_filepath(self) -> t.Any:
        from importlib.resources import files

        return (
            files("singer_sdk.testing") / "target_test_streams" / f"{self.name}.singer"
        )

    @property
    def feishu(self) -> Feishu:
        return t.cast("Feishu", self.resource)


class CheckedCamelcase(_Checked):
    name = "camelcase"

    def validate(self) -> None:
        rows = self.feishu.sandbox.rows(self.feishu.app_token, "TestCamelcase")
        assert sorted(rows, key=lambda r: r["Id"]) == [
            {"Id": "1", "clientName": "Gitter Windows Desktop App"},
            {"Id": "2", "clientName": "Gitter iOS App"},
        ]


class CheckedDuplicateRecords(_Checked):
    name = "duplicate_records"

    def validate(self) -> None:
        rows = self.feishu.sandbox.rows(self.feishu.app_token, "test_duplicate_records")
        # No date property: append-only keeps every record as delivered.
        assert sorted((r["id"], r["metric"]) for r in rows) == [
            (1, 1),
            (1, 10),
            (1, 100),
            (2, 2),
            (2, 20),
        ]


class CheckedEncodedStrings(_Checked):
    name = "encoded_string_data"

    def validate(self) -> None:
        rows = self.feishu.sandbox.rows(self.feishu.app_token, "test_strings")
        info = {r["id"]: r["info"] for r in rows}
        assert info[2] == "απλή συμβολοσειρά"
        assert info[3] == "简单的字串"
        assert info[6] == 'various " \\ / \n escape sequences'
        assert info[11] == "Control Characters in string: \u0000 A \u0001"
        assert len(info) == 11


class CheckedSchemaUpdates(_Checked):
    name = "schema_updates"

    def validate(self) -> None:
        names = [
            n
            for n, _ in self.feishu.sandbox.fields(
                self.feishu.app_token, "test_schema_updates"
            )
        ]
        assert set(names) >= {"id", "a1", "a2", "a3", "a4", "a5", "a6"}
        rows = self.feishu.sandbox.rows(self.feishu.app_token, "test_schema_updates")
        assert len(rows) == 6


class CheckedSpecialChars(_Checked):
    name = "special_chars_in_attributes"

    def validate(self) -> None:
        rows = self.feishu.sandbox.rows(
            self.feishu.app_token, "test_SpecialChars_in_attributes"
        )
        assert len(rows) == 1
        assert "_id" in rows[0]


_Standard = get_target_test_class(
    TargetFeishu,
    config={},
    custom_suites=[
        SingerTestSuite(
            kind="target",
            tests=[
                CheckedCamelcase,
                CheckedDuplicateRecords,
                CheckedEncodedStrings,
                CheckedSchemaUpdates,
                CheckedSpecialChars,
            ],
        )
    ],
    suite_config=SuiteConfig(),
    parse_env_config=False,
)


class TestTargetFeishuStandard(_Standard):  # type: ignore[misc,valid-type]
    """Standard suite, each test on a fresh sandbox."""

    @pytest.fixture
    def resource(self) -> Iterator[Feishu]:
        sandbox = FeishuSandbox(
            db_path=None, apps={APP_ID: APP_SECRET}, rate_limits=False, latency_ms=0
        )
        base_url = sandbox.start()
        try:
            app_token = sandbox.create_base("标准测试", collaborators=[APP_ID])
            yield Feishu(sandbox, base_url, app_token)
        finally:
            sandbox.stop()

    @pytest.fixture
    def runner(self, resource: Feishu) -> TargetTestRunner:
        return TargetTestRunner(
            target_class=TargetFeishu,
            config=resource.config(streams=STREAM_OVERRIDES),
            parse_env_config=False,
        )
