"""The gateway sandbox and synthetic cinema the tap benchmarks read from."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.business_dates import BUSINESS_ZONE
from benchmarks.workspace import (
    ProgramNotAvailableError,
    Workspace,
    console_script,
    program_env,
)
from sandbox.cinema import SyntheticCinema
from sandbox.yuekeyun import YuekeyunSandbox

TICKETS = "C01"
TICKETS_STREAM = "ticket_orders"
LEASE_CODE = "benchcs"
CINEMA_LINK_ID = "2001"
CINEMA_NAME = "悦刻基准影城"
CINEMA_SEED = 20_261_203
APP_KEY = "bench-app"
SECRET_KEY = "bench-secret-key"
CHANNEL_CODE = "BENCH"
CATALOG = "catalog"


def make_cinema(tickets_per_day: int) -> SyntheticCinema:
    """Return the benchmark cinema (a busy multiplex at the full sizes)."""
    return SyntheticCinema(
        seed=CINEMA_SEED,
        lease_code=LEASE_CODE,
        cinema_link_id=CINEMA_LINK_ID,
        name=CINEMA_NAME,
        tickets_per_day=tickets_per_day,
    )


@contextmanager
def gateway(
    cinema: SyntheticCinema, data_cutoff: dt.datetime
) -> Iterator[YuekeyunSandbox]:
    """Serve ``cinema`` on a loopback gateway whose data ends at ``data_cutoff``."""
    sandbox = YuekeyunSandbox(
        app_key=APP_KEY,
        secret_key=SECRET_KEY,
        channel_code=CHANNEL_CODE,
        cinemas=[cinema],
        data_cutoff=data_cutoff,
        url_lifetime_seconds=24 * 3600,
        host="127.0.0.1",
        port=0,
    )
    sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


def prerender(sandbox: YuekeyunSandbox, days: Iterable[dt.date]) -> int:
    """Render (and cache) the C01 file of every day; return the row count."""
    cinema = sandbox.cinemas[0]
    rows = 0
    for day in days:
        data = sandbox.file_bytes(
            cinema, TICKETS, day, ragged=False, invalid_bytes=False
        )
        if data is not None:
            rows += len(sandbox.served_rows(cinema, TICKETS, day) or [])
    return rows


def write_decoded_files(
    sandbox: YuekeyunSandbox, days: Iterable[dt.date], csv_dir: Path
) -> int:
    """Write the decoded (UTF-8) text of each day's served file for the baselines.

    The bytes are the ones the file host serves, decoded from GBK once, so the
    baselines read exactly the rows the tap downloads.

    Returns:
        The number of files written.
    """
    cinema = sandbox.cinemas[0]
    written = 0
    for day in days:
        data = sandbox.file_bytes(
            cinema, TICKETS, day, ragged=False, invalid_bytes=False
        )
        if data is None:
            continue
        path = csv_dir / f"{day.isoformat()}.csv"
        path.write_text(data.decode("gbk"), encoding="utf-8", newline="")
        written += 1
    return written


def tap_config(
    sandbox: YuekeyunSandbox,
    *,
    start_date: dt.date,
    lookback_days: int,
) -> dict[str, Any]:
    """Return the tap's settings for the sandbox (loopback downloads only)."""
    return {
        "app_key": APP_KEY,
        "secret_key": SECRET_KEY,
        "channel_code": CHANNEL_CODE,
        "lease_code": LEASE_CODE,
        "cinema_link_id": CINEMA_LINK_ID,
        "cinema_name": CINEMA_NAME,
        "start_date": start_date.isoformat(),
        "lookback_days": lookback_days,
        "base_url": sandbox.base_url,
        "download_hosts": ["127.0.0.1"],
    }


def tickets_catalog(space: Workspace, config_path: Path) -> Path:
    """Discover the tap's catalog once per harness run, with only C01 selected.

    Discovery reads the tap's category registry only, so one catalog serves
    every benchmark's settings.

    Raises:
        ProgramNotAvailableError: when the tap is not installed or cannot discover.
    """
    cached = space.artefacts.get(CATALOG)
    if cached is not None:
        return cached

    log_path = space.logs("discover") / "discover.stderr.log"
    argv = [*console_script("tap-yuekeyun"), "--config", str(config_path), "--discover"]
    with log_path.open("wb") as log:
        done = subprocess.run(
            argv, stdout=subprocess.PIPE, stderr=log, env=program_env(), check=False
        )
    if done.returncode != 0:
        msg = f"tap-yuekeyun --discover exited with {done.returncode}, see {log_path}"
        raise ProgramNotAvailableError(msg)

    catalog = json.loads(done.stdout)
    names = []
    for stream in catalog["streams"]:
        chosen = stream["tap_stream_id"] == TICKETS_STREAM
        names.append(stream["tap_stream_id"])
        for entry in stream.get("metadata", []):
            if entry.get("breadcrumb") == []:
                entry["metadata"]["selected"] = chosen
    if TICKETS_STREAM not in names:
        msg = f"the tap's catalog has no stream {TICKETS_STREAM!r} (streams: {names})"
        raise ProgramNotAvailableError(msg)

    catalog_path = space.write_json(space.data_dir / "catalog.json", catalog)
    space.artefacts[CATALOG] = catalog_path
    return catalog_path


def cutoff_after(last_day: dt.date) -> dt.datetime:
    """Return the last second of business day ``last_day`` (its data cutoff)."""
    following = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(5, 59, 59))
    return following.replace(tzinfo=BUSINESS_ZONE)


def tap_argv(config_path: Path, catalog_path: Path) -> list[str]:
    """Return the command line of one tap run with its settings and catalog."""
    return [
        *console_script("tap-yuekeyun"),
        "--config",
        str(config_path),
        "--catalog",
        str(catalog_path),
    ]
