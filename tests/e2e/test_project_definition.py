"""meltano.yml declares every plugin setting, and the old `.env` names map."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.meltano_project import ROOT, MeltanoCommandError, MeltanoProject

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent
# Old names of the analysts' script → (plugin, setting).
OLD_ENV_NAMES = {
    "APP_KEY": ("tap-yuekeyun", "app_key"),
    "SECRET_KEY": ("tap-yuekeyun", "secret_key"),
    "LEASE_CODE": ("tap-yuekeyun", "lease_code"),
    "CHANNEL_CODE": ("tap-yuekeyun", "channel_code"),
    "CINEMA_LINK_ID": ("tap-yuekeyun", "cinema_link_id"),
    "FEISHU_APP_KEY": ("target-feishu", "app_id"),
    "FEISHU_APP_SECRET": ("target-feishu", "app_secret"),
    "WIKI_APP_TOKEN": ("target-feishu", "wiki_node_token"),
}


def project_plugins() -> dict[str, dict[str, Any]]:
    """Every plugin definition of meltano.yml by name."""
    document = yaml.safe_load((ROOT / "meltano.yml").read_text(encoding="utf-8"))
    return {
        plugin["name"]: plugin
        for plugins in document["plugins"].values()
        for plugin in plugins
    }


def about_settings(executable: str) -> dict[str, Any]:
    """The settings a plugin of this repository prints with ``--about``."""
    printed = subprocess.run(
        [str(BIN / executable), "--about", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    properties: dict[str, Any] = json.loads(printed.stdout)["settings"]["properties"]
    return properties


@pytest.mark.parametrize("plugin_name", ["tap-yuekeyun", "target-feishu"])
def test_every_setting_of_the_plugin_is_declared_with_secrets_sensitive(
    plugin_name: str,
) -> None:
    plugin = project_plugins()[plugin_name]
    declared = {setting["name"]: setting for setting in plugin["settings"]}
    about = about_settings(plugin["executable"])

    assert set(declared) == set(about)
    for name, setting in declared.items():
        assert setting["kind"], name
        assert setting["label"], name
        assert setting["description"], name
        assert bool(setting.get("sensitive")) == bool(about[name].get("secret")), name


def test_every_plugin_is_a_custom_definition_installable_without_the_hub() -> None:
    for name, plugin in project_plugins().items():
        assert plugin["namespace"], name
        assert plugin["pip_url"], name
        assert plugin["executable"], name
        assert plugin["settings"], name


@pytest.mark.parametrize(("old_name", "target"), sorted(OLD_ENV_NAMES.items()))
def test_old_env_name_is_read_as_the_setting(
    old_name: str, target: tuple[str, str]
) -> None:
    plugin_name, setting_name = target
    declared = {s["name"]: s for s in project_plugins()[plugin_name]["settings"]}

    assert declared[setting_name]["env"] == old_name
    # Meltano 4.4 writes `env:` for the plugin but reads only `env_aliases`.
    assert declared[setting_name]["env_aliases"] == [old_name]
    example = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    assert f"{old_name}=" in example


@pytest.mark.parametrize("plugin_name", ["tap-yuekeyun", "target-feishu"])
def test_meltano_reads_the_old_env_names_and_redacts_secrets(
    tmp_path: Path, plugin_name: str
) -> None:
    values = {
        old_name: f"value-of-{old_name.lower()}"
        for old_name, (plugin, _) in OLD_ENV_NAMES.items()
        if plugin == plugin_name
    }
    project = MeltanoProject(work_dir=tmp_path, extra_env=values)

    printed = project.meltano(
        "--environment=prod", "config", "print", plugin_name, "--format=json"
    )

    config = json.loads(printed[printed.index("{") : printed.rindex("}") + 1])
    for old_name, value in values.items():
        setting = OLD_ENV_NAMES[old_name][1]
        if setting.endswith("secret") or setting == "secret_key":
            assert value not in printed
            assert config[setting] != value
        else:
            assert config[setting] == value


def test_hourly_schedule_runs_the_main_job() -> None:
    document = yaml.safe_load((ROOT / "meltano.yml").read_text(encoding="utf-8"))
    jobs = {job["name"]: job["tasks"] for job in document["jobs"]}
    schedules = {s["name"]: s for s in document["schedules"]}

    assert jobs["hourly-sync"] == ["tap-yuekeyun target-feishu"]
    assert schedules["yuekeyun-to-feishu-hourly"]["job"] == "hourly-sync"
    assert schedules["yuekeyun-to-feishu-hourly"]["interval"] == "@hourly"
    assert document["default_environment"] == "sandbox"
    assert {env["name"] for env in document["environments"]} == {"sandbox", "prod"}


@pytest.mark.parametrize("plugin_name", ["tap-yuekeyun", "target-feishu"])
def test_the_sandbox_environment_without_a_sandbox_names_the_missing_variable(
    tmp_path: Path, plugin_name: str
) -> None:
    project = MeltanoProject(work_dir=tmp_path)

    with pytest.raises(MeltanoCommandError) as failure:
        project.meltano("--environment=sandbox", "config", "print", plugin_name)

    assert "Environment variable 'SANDBOX_" in str(failure.value)
    assert "referenced but not set" in str(failure.value)
