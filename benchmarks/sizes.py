"""How much data each benchmark uses, for the full run and for ``--quick``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    """Row counts and volumes of one harness run.

    Attributes:
        tickets_per_day: C01 rows per business day of the synthetic cinema.
        tap_days: business days of the tap and target benchmarks (one month).
        realistic_tickets_per_day: C01 rows per day in the realistic Feishu run.
        realistic_months: months spread over the eight-table run (one table per
            month); the one-table run loads the same rows into a single table.
        memory_days: business days of the two memory runs, at
            ``tickets_per_day`` (so the rows per day stay those of a busy
            multiplex and only the history grows).
        incremental_days: business days backfilled before the hourly run.
        feishu_latency_ms: latency of every Feishu call in the realistic runs.
    """

    tickets_per_day: int
    tap_days: int
    realistic_tickets_per_day: int
    realistic_months: int
    memory_days: tuple[int, int]
    incremental_days: int
    feishu_latency_ms: int = 150


FULL = Sizes(
    tickets_per_day=5_000,
    tap_days=30,
    realistic_tickets_per_day=1_000,
    realistic_months=8,
    memory_days=(20, 200),
    incremental_days=30,
)

QUICK = Sizes(
    tickets_per_day=40,
    tap_days=3,
    realistic_tickets_per_day=20,
    realistic_months=8,
    memory_days=(2, 4),
    incremental_days=3,
    feishu_latency_ms=5,
)
