"""The Feishu sandbox the target benchmarks write into, and what it counted."""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from sandbox.feishu import FeishuSandbox

APP_ID = "cli_sandbox"
APP_SECRET = "sandbox-app-secret"
BASE_NAME = "悦刻基准"
TABLE_IN_PATH = re.compile(r"/tables/(tbl[^/?]+)")
THROTTLED_CODES = frozenset({99991400, 1254290, 1254112})


@contextmanager
def feishu(
    db_path: Path, *, rate_limits: bool, latency_ms: float
) -> Iterator[FeishuSandbox]:
    """Serve a Feishu sandbox on loopback over ``db_path``."""
    sandbox = FeishuSandbox(
        db_path,
        apps={APP_ID: APP_SECRET},
        rate_limits=rate_limits,
        latency_ms=latency_ms,
        max_batch_records=1000,
    )
    sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


def target_config(
    sandbox: FeishuSandbox, app_token: str, **settings: Any
) -> dict[str, Any]:
    """Return the target's settings for ``app_token`` in the sandbox."""
    return {
        "app_id": APP_ID,
        "app_secret": APP_SECRET,
        "app_token": app_token,
        "base_url": sandbox.base_url,
        "batch_size": 1000,
        **settings,
    }


def calls_by_endpoint(sandbox: FeishuSandbox) -> dict[str, int]:
    """Return the calls the sandbox answered, by endpoint name, sorted."""
    return dict(sorted(Counter(sandbox.calls).items()))


def calls_by_table(sandbox: FeishuSandbox) -> dict[str, int]:
    """Return the calls made on each table (its id in the path, plus its creation).

    A table's calls are serial (one writer per table), so the longest of these
    chains bounds the run's wall time from below.
    """
    per_table: Counter[str] = Counter()
    for call in sandbox.call_log:
        match = TABLE_IN_PATH.search(call.path)
        if match:
            per_table[match.group(1)] += 1

    created = sandbox.calls.get("tables_create", 0)
    if created and created == len(per_table):
        for table_id in per_table:
            per_table[table_id] += 1
    return dict(per_table)


def throttled_answers(sandbox: FeishuSandbox) -> int:
    """Return how many answers were rate-limit refusals (HTTP 429 or the codes)."""
    return sum(
        1
        for call in sandbox.call_log
        if call.http_status == 429 or call.code in THROTTLED_CODES
    )


def table_rows(db_path: Path, app_token: str) -> dict[str, int]:
    """Return the number of rows in each table of the base, by table name.

    Counted in the sandbox's SQLite file (read-only) rather than through
    ``FeishuSandbox.rows``, which would decode every row of a million-row load.
    """
    uri = f"file:{db_path}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as db:
        counted = db.execute(
            "SELECT t.name, COUNT(r.seq) FROM tables AS t "
            "LEFT JOIN records AS r ON r.table_id = t.table_id "
            "WHERE t.app_token = ? GROUP BY t.table_id ORDER BY t.position",
            (app_token,),
        ).fetchall()
    return {str(name): int(count) for name, count in counted}
