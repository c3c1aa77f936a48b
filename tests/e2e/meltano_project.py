"""The Meltano project under test: hermetic environment, install and run."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MELTANO = Path(sys.executable).with_name("meltano")
# Plugin venvs are cached across test sessions under the gitignored .meltano/.
PLUGIN_CACHE = ROOT / ".meltano" / "e2e"
PLUGINS = ("tap-yuekeyun", "target-feishu", "target-duckdb", "target-postgres")
# Variables of the process environment that a meltano call may keep.
KEPT_VARIABLES = ("PATH", "LANG", "LC_ALL", "TZ", "TMPDIR", "SSL_CERT_FILE")
INSTALL_TIMEOUT = 900
RUN_TIMEOUT = 600


class MeltanoCommandError(AssertionError):
    """A meltano command exited non-zero; the message holds its output."""


@dataclass
class MeltanoProject:
    """The repository's meltano.yml with Meltano's files kept out of the tree.

    Plugins live in ``sys_dir`` (shared by the session); each test gets its own
    HOME, system database and state backend under ``work_dir``.
    """

    work_dir: Path
    sys_dir: Path = PLUGIN_CACHE
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def state_dir(self) -> Path:
        """Folder of the file state backend (``<state_id>/state.json``)."""
        return self.work_dir / "state"

    def env(self) -> dict[str, str]:
        """A hermetic environment: nothing of the caller's plugin settings."""
        home = self.work_dir / "home"
        home.mkdir(parents=True, exist_ok=True)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        env = {name: os.environ[name] for name in KEPT_VARIABLES if name in os.environ}
        env |= {
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_STATE_HOME": str(home / ".local" / "state"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "UV_CACHE_DIR": str(self.sys_dir / "uv-cache"),
            "UV_PYTHON_DOWNLOADS": "never",
            "MELTANO_PROJECT_ROOT": str(ROOT),
            "MELTANO_SYS_DIR_ROOT": str(self.sys_dir),
            "MELTANO_DATABASE_URI": f"sqlite:///{self.work_dir / 'meltano.db'}",
            "MELTANO_STATE_BACKEND_URI": self.state_dir.as_uri(),
            "MELTANO_ENVIRONMENT": "sandbox",
            "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
            "MELTANO_CLI_DISABLE_VERSION_CHECK": "true",
            "MELTANO_HUB_URL": "http://127.0.0.1:9",
            "PYTHONUNBUFFERED": "1",
        }
        return env | self.extra_env

    def meltano(self, *arguments: str, timeout: int = RUN_TIMEOUT) -> str:
        """Run ``meltano <arguments>`` at the project root; returns its output.

        Raises:
            MeltanoCommandError: the command failed (output in the message).
        """
        argv = [str(MELTANO), *arguments]
        done = subprocess.run(
            argv,
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        output = f"{done.stdout}\n{done.stderr}"
        if done.returncode != 0:
            msg = f"`meltano {' '.join(arguments)}` exited {done.returncode}:\n{output}"
            raise MeltanoCommandError(msg)

        return output

    def install(self) -> None:
        """Install (or refresh) the plugins the e2e tests run."""
        self.meltano("install", *PLUGINS, timeout=INSTALL_TIMEOUT)

    def plugin_python(self, plugin_type: str, name: str) -> Path:
        """The Python of a plugin's own venv (e.g. to read a DuckDB file)."""
        return self.sys_dir / plugin_type / name / "venv" / "bin" / "python"
