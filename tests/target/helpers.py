"""Expected values computed independently of the target: epoch ms in Shanghai."""

from __future__ import annotations

import datetime
import typing as t
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

TICKET_SCHEMA: dict[str, t.Any] = {
    "type": "object",
    "title": "影票销售明细",
    "properties": {
        "订单号": {"type": ["string", "null"]},
        "票价": {"type": ["number", "null"]},
        "数量": {"type": ["integer", "null"]},
        "_business_date": {"type": "string", "format": "date"},
        "_cinema_link_id": {"type": "string"},
    },
}


def day_ms(day: str) -> int:
    """Epoch ms of a date's midnight in Asia/Shanghai."""
    moment = datetime.datetime.combine(
        datetime.date.fromisoformat(day), datetime.time(), SHANGHAI
    )
    return int(moment.timestamp() * 1000)


def moment_ms(text: str) -> int:
    """Epoch ms of an ISO date-time with offset."""
    return int(datetime.datetime.fromisoformat(text).timestamp() * 1000)


def ticket(order: str, day: str, cinema: str = "1001", price: float = 40) -> dict:
    """A small ticket record."""
    return {
        "订单号": order,
        "票价": price,
        "数量": 1,
        "_business_date": day,
        "_cinema_link_id": cinema,
    }


def ticket_row(order: str, day: str, cinema: str = "1001", price: float = 40) -> dict:
    """The row the sandbox should hold for ``ticket(...)``."""
    return {
        "订单号": order,
        "票价": price,
        "数量": 1,
        "_business_date": day_ms(day),
        "_cinema_link_id": cinema,
    }


def by_order(rows: list[dict[str, t.Any]]) -> list[dict[str, t.Any]]:
    """Rows sorted by order number, for order-free comparison."""
    return sorted(rows, key=lambda row: str(row.get("订单号")))
