"""What the gateway sandbox saw: one record per gateway call and per download."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GatewayCall:
    """One request to ``getFinancialData``; ``error_code`` is None on success."""

    data_type: str | None
    search_date_type: str | None
    search_date: str | None
    lease_code: str | None
    cinema_link_id: str | None
    status: int
    error_code: str | None
    url_count: int = 0
    method: str = "GET"


@dataclass(frozen=True)
class FileDownload:
    """One request to the file host; ``path`` has no query (no secrets)."""

    path: str
    status: int
    bytes_sent: int
    fault: str | None = None
