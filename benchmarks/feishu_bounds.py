"""The least Feishu calls and the least wall time a load can take under the limits."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

RECORDS_PER_CREATE = 1_000
WRITE_RATE_PER_S = 50.0
WRITE_ENDPOINTS = ("batch_create", "batch_update", "batch_delete")
# Calls made once per run, before any table is touched.
RUN_FIXED_ENDPOINTS = ("token", "get_node", "tables_list")
# Per-endpoint quotas per second (the same table as the Feishu sandbox, §5.1).
RATES_PER_S: dict[str, float] = {
    "batch_create": 50.0,
    "batch_update": 50.0,
    "batch_delete": 50.0,
    "search": 20.0,
    "tables_list": 20.0,
    "tables_create": 10.0,
    "fields_list": 20.0,
    "fields_create": 10.0,
    "fields_update": 10.0,
}


def minimum_calls(rows_per_table: Mapping[str, int]) -> dict[str, int]:
    """Return the fewest calls, by endpoint, that load new tables into a fresh base.

    One token, one table list, then per table one create (with its fields), one
    field list and ``ceil(rows / 1000)`` record batches. A table created by the
    run is known to be empty, so nothing has to be searched or deleted.

    Args:
        rows_per_table: the number of rows each table receives.

    Returns:
        The minimum call count of each endpoint.
    """
    tables = len(rows_per_table)
    creates = sum(
        math.ceil(rows / RECORDS_PER_CREATE) for rows in rows_per_table.values()
    )

    return {
        "token": 1,
        "tables_list": 1,
        "tables_create": tables,
        "fields_list": tables,
        "batch_create": creates,
    }


@dataclass(frozen=True)
class LowerBound:
    """The least wall time of a load, and what sets it.

    Attributes:
        seconds: the bound.
        serial_chain_s: the longest chain of calls on one table times the latency.
        rate_s: the time the busiest endpoint's quota needs for its calls.
        fixed_s: the run's one-off calls (token, table list) times the latency.
    """

    seconds: float
    serial_chain_s: float
    rate_s: float
    fixed_s: float


def lower_bound(
    calls_per_table: Mapping[str, int],
    calls_per_endpoint: Mapping[str, int],
    latency_s: float,
) -> LowerBound:
    """Return the least wall time the latency and the rate limits allow.

    Calls on one table are serial (one writer per table), so each table needs
    its calls times the latency; all tables together cannot beat the quota of
    any endpoint (50 record writes per second); the run's one-off calls come
    before any table work.

    Args:
        calls_per_table: the calls the run made on each table (made, not minimum).
        calls_per_endpoint: the calls the run made, by endpoint.
        latency_s: the latency of one call.

    Returns:
        The bound and its parts.
    """
    chain = max(calls_per_table.values(), default=0) * latency_s
    rate = max(
        (
            calls_per_endpoint.get(endpoint, 0) / per_second
            for endpoint, per_second in RATES_PER_S.items()
        ),
        default=0.0,
    )
    fixed = sum(calls_per_endpoint.get(name, 0) for name in RUN_FIXED_ENDPOINTS)
    fixed_s = fixed * latency_s

    return LowerBound(
        seconds=round(max(chain, rate) + fixed_s, 3),
        serial_chain_s=round(chain, 3),
        rate_s=round(rate, 3),
        fixed_s=round(fixed_s, 3),
    )
