"""What the sandbox says each stream must hold, converted independently."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.yuekeyun import YuekeyunSandbox

ROOT = Path(__file__).resolve().parents[2]
# The registry is the product's declared contract; it is read as data here.
CATEGORIES_FILE = ROOT / "tap_yuekeyun" / "categories.json"
SHANGHAI = ZoneInfo("Asia/Shanghai")
SCREENINGS = "C18"


@dataclass(frozen=True)
class StreamFacts:
    """One category as the registry declares it."""

    code: str
    stream: str
    title: str
    selected_by_default: bool
    primary_key: tuple[str, ...] | None
    column_types: dict[str, str]


def load_streams() -> dict[str, StreamFacts]:
    """The registry's categories keyed by stream name."""
    raw = json.loads(CATEGORIES_FILE.read_text(encoding="utf-8"))
    facts = {}
    for code, entry in raw.items():
        key = entry.get("primary_key")
        facts[entry["stream"]] = StreamFacts(
            code=code,
            stream=entry["stream"],
            title=entry["title"],
            selected_by_default=bool(entry["selected_by_default"]),
            primary_key=tuple(key) if key else None,
            column_types={c["name"]: c["type"] for c in entry["columns"]},
        )
    return facts


def synced_dates(
    code: str, start: date, today: date, screening_days_ahead: int
) -> list[date]:
    """Business dates a run from ``start`` delivers for one category."""
    last = today
    if code == SCREENINGS:
        last = max(today, today + timedelta(days=screening_days_ahead - 1))
    return [start + timedelta(days=n) for n in range((last - start).days + 1)]


@dataclass(frozen=True)
class Window:
    """The dates a test run covers, and the cinema it syncs."""

    start: date
    today: date
    screening_days_ahead: int
    lease_code: str
    cinema_link_id: str


def truth_rows(
    gateway: YuekeyunSandbox, facts: StreamFacts, window: Window
) -> dict[date, list[dict[str, str]]]:
    """The sandbox's rows (header → raw cell) of every synced date."""
    dates = synced_dates(
        facts.code, window.start, window.today, window.screening_days_ahead
    )
    return {
        day: gateway.expected_rows(
            window.lease_code, facts.code, day, window.cinema_link_id
        )
        for day in dates
    }


def expected_row_count(
    gateway: YuekeyunSandbox, facts: StreamFacts, window: Window
) -> int:
    """Rows a warehouse must hold: every row of every synced date, none lost."""
    return sum(len(rows) for rows in truth_rows(gateway, facts, window).values())


def feishu_value(cell: str, column_type: str) -> Any:
    """What Feishu must hold for one raw CSV cell; None for an empty cell.

    Numbers become numbers, date-times epoch milliseconds of the Asia/Shanghai
    wall-clock time, dates epoch milliseconds of their Shanghai midnight, and
    everything else stays the exact text.
    """
    if cell == "":
        return None
    if column_type in ("number", "integer"):
        return Decimal(cell.replace(",", ""))
    if column_type == "date-time":
        moment = datetime.strptime(cell, "%Y-%m-%d %H:%M:%S")
        return int(moment.replace(tzinfo=SHANGHAI).timestamp() * 1000)
    if column_type == "date":
        day = datetime.strptime(cell, "%Y-%m-%d")
        return int(day.replace(tzinfo=SHANGHAI).timestamp() * 1000)
    return cell
