"""How much data each benchmark uses, for the full run and for ``--quick``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    """Volumes of one harness run.

    Attributes:
        tickets_per_day: C01 rows per business day of the synthetic cinema in
            the tap, target, memory and incremental benchmarks (the tap and
            target benchmarks load the last whole calendar month).
        realistic_tickets_per_day: C01 rows per day in the realistic Feishu
            runs, which span ``realistic_months`` whole months.
        realistic_months: months of the eight-table run (one table per month);
            the one-table run loads the same rows into a single table.
        memory_days: business days of the two memory runs, at
            ``tickets_per_day``, so the rows per day stay those of a busy
            multiplex and only the history grows.
        incremental_days: business days backfilled before the hourly run.
        feishu_latency_ms: latency of every Feishu call in the realistic runs.
        memory_budget_s: the most the large memory run may be predicted to take
            (from the small run's speed) before it is skipped, so that a slow
            plugin cannot push the whole run past its 15 minutes.
    """

    tickets_per_day: int
    realistic_tickets_per_day: int
    realistic_months: int
    memory_days: tuple[int, int]
    incremental_days: int
    feishu_latency_ms: int
    memory_budget_s: float


FULL = Sizes(
    tickets_per_day=5_000,
    realistic_tickets_per_day=200,
    realistic_months=8,
    memory_days=(20, 200),
    incremental_days=30,
    feishu_latency_ms=150,
    memory_budget_s=420.0,
)

QUICK = Sizes(
    tickets_per_day=40,
    realistic_tickets_per_day=5,
    realistic_months=8,
    memory_days=(2, 4),
    incremental_days=3,
    feishu_latency_ms=5,
    memory_budget_s=300.0,
)
