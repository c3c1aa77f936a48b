"""A deterministic synthetic cinema: the rows every Yuekeyun category holds."""

from __future__ import annotations

import hashlib
import random
import threading
from collections import OrderedDict
from datetime import date, timedelta

from sandbox.cinema_catalog import OPENING_DATE, Screening, categories, stable_rng
from sandbox.cinema_rules import column_rule, context_maker
from sandbox.cinema_tickets import (
    BUSINESS_START,
    DAY_SECONDS,
    plan_screenings,
    screening_rows,
    ticket_rows,
)

# Rows per day of each category, as a share of the tickets sold that day.
VOLUME_PER_TICKET: dict[str, float] = {
    "C02": 0.35,
    "C03": 0.01,
    "C04": 0.025,
    "C05": 0.1,
    "C06": 0.05,
    "C08": 0.01,
    "C09": 0.5,
    "C10": 0.35,
    "C11": 0.005,
    "C12": 0.002,
    "C13": 0.01,
    "C14": 0.002,
    "C15": 0.0075,
    "C19": 0.02,
    "C20": 1.0,
    "C21": 0.0025,
    "C23": 0.003,
    "C24": 0.02,
    "C25": 0.002,
}
# Daily summaries: one row per item, stamped at the start of the business day.
SUMMARY_CATEGORIES = frozenset({"C07", "C16", "C17", "C22"})
ROW_CACHE_SIZE = 256


class SyntheticCinema:
    """One cinema whose rows depend only on (seed, lease code, business date).

    Asking for the same category and date always gives the same rows, whatever
    was asked before. Rows are the raw CSV cell strings the file holds.
    """

    opening_date: date = OPENING_DATE

    def __init__(
        self,
        seed: int = 1,
        lease_code: str = "democs",
        cinema_link_id: str = "1001",
        name: str = "悦刻示范影城",
        tickets_per_day: int = 400,
    ) -> None:
        """Describe the cinema; nothing is generated before it is asked for."""
        if tickets_per_day < 0:
            msg = f"tickets_per_day must be 0 or more, got {tickets_per_day}"
            raise ValueError(msg)
        if not lease_code or not cinema_link_id:
            msg = "lease_code and cinema_link_id must not be empty"
            raise ValueError(msg)
        self.seed = seed
        self.lease_code = lease_code
        self.cinema_link_id = cinema_link_id
        self.name = name
        self.tickets_per_day = tickets_per_day
        digest = hashlib.sha256(f"{lease_code}|{cinema_link_id}".encode()).digest()
        self.cinema_code = f"3301{int.from_bytes(digest[:4], 'big') % 10**4:04d}"
        self._cache: OrderedDict[tuple[str, date], list[list[str]]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def data_types(self) -> tuple[str, ...]:
        """The category codes ``C01`` … ``C25``."""
        return tuple(categories())

    def title(self, data_type: str) -> str:
        """The category's title line (``影票订单数据`` for C01)."""
        return categories()[data_type].title

    def header(self, data_type: str) -> list[str]:
        """The category's CSV header."""
        return list(categories()[data_type].columns)

    def time_column(self, data_type: str) -> str:
        """The header of the column that places a row in its business day."""
        return categories()[data_type].time_column

    def rows(self, data_type: str, business_date: date) -> list[list[str]]:
        """The rows of one category for one business day, as CSV cell strings.

        Args:
            data_type: A category code, ``C01`` to ``C25``.
            business_date: The business day (06:00 to 05:59:59 next day).

        Returns:
            A new list of rows; the rows themselves are shared, read-only.

        Raises:
            KeyError: ``data_type`` is not a known category.
        """
        categories()[data_type]
        key = (data_type, business_date)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return list(cached)

        made = self._make_rows(data_type, business_date)
        with self._lock:
            self._cache[key] = made
            while len(self._cache) > ROW_CACHE_SIZE:
                self._cache.popitem(last=False)

        return list(made)

    def row_count(self, data_type: str, business_date: date) -> int:
        """How many rows ``rows(data_type, business_date)`` holds, cheaply."""
        if business_date < self.opening_date:
            return 0
        if data_type == "C01":
            return self.tickets_per_day
        if data_type == "C18":
            return len(self.screenings(business_date))
        if data_type in SUMMARY_CATEGORIES:
            month_end = (business_date + timedelta(days=1)).day == 1
            return 0 if data_type == "C17" and not month_end else 14

        rng = stable_rng(self.seed, self.lease_code, data_type, "count", business_date)
        weekday_factor = 1.3 if business_date.weekday() >= 5 else 1.0
        share = VOLUME_PER_TICKET[data_type] * self.tickets_per_day

        return int(share * weekday_factor * (0.7 + 0.6 * rng.random()))

    def screenings(self, business_date: date) -> list[Screening]:
        """The screenings planned for a business day (empty before opening)."""
        if business_date < self.opening_date:
            return []

        return plan_screenings(self.seed, self.lease_code, business_date)

    def _make_rows(self, data_type: str, business_date: date) -> list[list[str]]:
        if business_date < self.opening_date:
            return []
        cinema = (self.name, self.cinema_code)
        rng = stable_rng(self.seed, self.lease_code, data_type, business_date)

        if data_type == "C18":
            return screening_rows(self.name, self.screenings(business_date), rng)
        if data_type == "C01":
            schedule = {
                business_date + timedelta(days=ahead): self.screenings(
                    business_date + timedelta(days=ahead)
                )
                for ahead in range(3)
            }
            return ticket_rows(
                self.seed,
                self.lease_code,
                cinema,
                business_date,
                self.tickets_per_day,
                schedule,
            )

        return self._rule_rows(data_type, business_date, rng)

    def _rule_rows(
        self, data_type: str, business_date: date, rng: random.Random
    ) -> list[list[str]]:
        category = categories()[data_type]
        count = self.row_count(data_type, business_date)

        rules = [column_rule(name, category.time_column) for name in category.columns]
        make = context_maker(
            rng,
            business_date,
            (self.name, self.cinema_code),
            self.screenings(business_date),
        )
        seconds = sorted(
            BUSINESS_START
            if data_type in SUMMARY_CATEGORIES
            else rng.randrange(BUSINESS_START, BUSINESS_START + DAY_SECONDS)
            for _ in range(count)
        )
        rows = []
        for serial, second in enumerate(seconds):
            ctx = make(serial, second)
            rows.append([rule(ctx) for rule in rules])

        return rows
