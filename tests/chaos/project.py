"""The hermetic Meltano project of the harness, on the e2e tests' approach."""

from __future__ import annotations

import fcntl
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.meltano_project import MELTANO, ROOT
from tests.e2e.meltano_project import MeltanoProject as E2EProject

# Plugin venvs of the harness, kept apart from the e2e tests' (gitignored).
CHAOS_SYS_DIR = ROOT / ".meltano" / "chaos"
PLUGINS = ("tap-yuekeyun", "target-feishu")
PLUGIN_TYPES = ("extractors", "loaders")
TAP = MELTANO.with_name("tap-yuekeyun")
# Enough settings for --discover (nothing is contacted).
DISCOVER_CONFIG = {
    "app_key": "discover",
    "secret_key": "discover",
    "channel_code": "discover",
    "lease_code": "discover",
    "cinema_link_id": "1",
    "start_date": "2026-01-01",
    "base_url": "http://127.0.0.1:9",
}


@dataclass(frozen=True)
class MeltanoProject:
    """The repository's meltano.yml; plugins installed once into ``sys_dir``.

    Every sequence gets its own HOME, system database and state backend, so two
    workers never share a run lock or a bookmark.
    """

    root: Path
    sys_dir: Path

    def command(self, *, force: bool, log_level: str | None = None) -> list[str]:
        """The argv of the main job."""
        argv = [str(MELTANO)]
        if log_level:
            argv.append(f"--log-level={log_level}")
        argv += ["run", "tap-yuekeyun", "target-feishu"]
        if force:
            argv.append("--force")

        return argv

    def sequence_env(self, work_dir: Path) -> dict[str, str]:
        """Hermetic environment with this sequence's database and state.

        The sequence gets its own Meltano system directory (``run/`` holds the
        plugins' temporary config and catalog files, which two workers must not
        share); its plugin folders link to the installed venvs.
        """
        sys_dir = work_dir / ".meltano"
        sys_dir.mkdir(parents=True, exist_ok=True)
        for plugin_type in PLUGIN_TYPES:
            link = sys_dir / plugin_type
            if not link.exists():
                link.symlink_to(self.sys_dir / plugin_type, target_is_directory=True)

        return E2EProject(work_dir=work_dir, sys_dir=sys_dir).env()


def write_catalog(path: Path, streams: tuple[str, ...]) -> Path:
    """Discover once and select ``streams``: runs then skip Meltano's discovery.

    Editable plugins are rediscovered on every ``meltano run`` (seconds each);
    the catalog is what discovery prints, so the job is unchanged.
    """
    config = path.with_name("discover-config.json")
    config.write_text(json.dumps(DISCOVER_CONFIG), encoding="utf-8")
    done = subprocess.run(
        [str(TAP), "--config", str(config), "--discover"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    catalog = json.loads(done.stdout)
    for stream in catalog["streams"]:
        selected = stream["tap_stream_id"] in streams
        for entry in stream["metadata"]:
            if entry["breadcrumb"] == []:
                entry["metadata"]["selected"] = selected
    path.write_text(json.dumps(catalog, ensure_ascii=False), encoding="utf-8")

    return path


def prepare_project(sys_dir: Path = CHAOS_SYS_DIR) -> MeltanoProject:
    """Install the two plugins into ``sys_dir`` once (editable: code changes apply).

    Raises:
        tests.e2e.meltano_project.MeltanoCommandError: ``meltano install`` failed.
    """
    sys_dir.mkdir(parents=True, exist_ok=True)
    marker = sys_dir / "chaos-installed"
    with (sys_dir / "install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists():
            installer = E2EProject(work_dir=sys_dir / "install", sys_dir=sys_dir)
            installer.meltano("install", *PLUGINS)
            marker.write_text("ok\n", encoding="utf-8")

    return MeltanoProject(root=ROOT, sys_dir=sys_dir)
