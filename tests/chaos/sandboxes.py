"""The two sandboxes of one sequence, and what the harness reads from them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.cinema import SyntheticCinema
from sandbox.feishu import FeishuSandbox
from sandbox.yuekeyun import YuekeyunSandbox

SHANGHAI = ZoneInfo("Asia/Shanghai")
BUSINESS_DAY_START = dt.time(6, 0)

APP_KEY = "chaos-app-key"
SECRET_KEY = "chaos-secret-key"
CHANNEL_CODE = "CHAOS01"
FEISHU_APP_ID = "cli_chaos0000000001"
FEISHU_APP_SECRET = "chaos-feishu-app-secret"

# Fields of a journal entry that describe the answer, not the request.
ANSWER_FIELDS = frozenset(
    {"status", "http_status", "error_code", "url_count", "bytes_sent", "fault", "code"}
)


def business_today(now: dt.datetime | None = None) -> dt.date:
    """Today's business date in Asia/Shanghai (a day starts at 06:00)."""
    moment = (now or dt.datetime.now(SHANGHAI)).astimezone(SHANGHAI)
    if moment.time() < BUSINESS_DAY_START:
        return moment.date() - dt.timedelta(days=1)
    return moment.date()


@dataclass(frozen=True)
class CinemaSpec:
    """The synthetic cinema of one sequence."""

    seed: int
    lease_code: str
    cinema_link_id: str
    name: str
    tickets_per_day: int


class Sandboxes:
    """The gateway and Feishu emulators of one sequence, started on loopback."""

    def __init__(
        self,
        work_dir: Path,
        cinema: CinemaSpec,
        data_cutoff: dt.datetime | None,
        secret_key: str = SECRET_KEY,
        feishu_app_secret: str = FEISHU_APP_SECRET,
    ) -> None:
        self.cinema = cinema
        self.feishu_app_id = FEISHU_APP_ID
        self.feishu_app_secret = feishu_app_secret
        self.gateway = YuekeyunSandbox(
            app_key=APP_KEY,
            secret_key=secret_key,
            channel_code=CHANNEL_CODE,
            cinemas=[
                SyntheticCinema(
                    seed=cinema.seed,
                    lease_code=cinema.lease_code,
                    cinema_link_id=cinema.cinema_link_id,
                    name=cinema.name,
                    tickets_per_day=cinema.tickets_per_day,
                )
            ],
            data_cutoff=data_cutoff,
        )
        self.feishu = FeishuSandbox(
            db_path=str(work_dir / "feishu.sqlite3"),
            apps={FEISHU_APP_ID: feishu_app_secret},
        )
        self.gateway_url = ""
        self.feishu_url = ""
        self.app_token = ""
        self.wiki_node_token = ""

    def start(self) -> None:
        self.gateway_url = str(self.gateway.start())
        self.feishu_url = str(self.feishu.start())
        self.app_token = self.feishu.create_base("chaos", collaborators=[FEISHU_APP_ID])
        self.wiki_node_token = self.feishu.create_wiki_node(
            self.app_token, readers=[FEISHU_APP_ID]
        )

    def stop(self) -> None:
        self.gateway.stop()
        self.feishu.stop()

    def move_cutoff(self, hours: float) -> None:
        """Move the gateway's data cut-off forward (more rows for recent days)."""
        if self.gateway.data_cutoff is None:
            return
        cutoff = self.gateway.data_cutoff + dt.timedelta(hours=hours)
        self.gateway.data_cutoff = min(cutoff, dt.datetime.now(SHANGHAI))

    def expected_rows(
        self, data_type: str, dates: Iterable[dt.date]
    ) -> list[Mapping[str, object]]:
        """The gateway's ground truth for ``dates`` (header → raw cell)."""
        rows: list[Mapping[str, object]] = []
        for business_date in dates:
            rows.extend(
                self.gateway.expected_rows(
                    self.cinema.lease_code,
                    data_type,
                    business_date,
                    self.cinema.cinema_link_id,
                )
            )
        return rows

    def feishu_tables(self) -> list[str]:
        return list(self.feishu.table_names(self.app_token))

    def feishu_rows(self, table: str) -> list[Mapping[str, object]]:
        return list(self.feishu.rows(self.app_token, table))

    def journal_sizes(self) -> tuple[int, int, int]:
        return (
            len(self.gateway.calls),
            len(self.gateway.downloads),
            len(self.feishu.call_log),
        )

    def retries_since(self, marks: tuple[int, int, int]) -> Counter[str]:
        """Repeated identical requests since ``marks`` (one run's retries)."""
        calls, downloads, feishu = marks
        found: Counter[str] = Counter()
        found.update(count_retries(self.gateway.calls[calls:], "gateway"))
        found.update(count_retries(self.gateway.downloads[downloads:], "file host"))
        found.update(count_retries(self.feishu.call_log[feishu:], "feishu"))
        return found

    def injected(self) -> Counter[str]:
        found: Counter[str] = Counter()
        found.update(Counter(dict(self.gateway.faults.injected)))
        found.update(Counter(dict(self.feishu.faults.injected)))
        return found


def _fields(entry: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(entry) and not isinstance(entry, type):
        return dataclasses.asdict(entry)
    if isinstance(entry, Mapping):
        return dict(entry)
    return {"entry": repr(entry)}


def request_key(entry: Any) -> str:
    """A key of one journal entry that a retry of the same request shares."""
    stable = {k: v for k, v in _fields(entry).items() if k not in ANSWER_FIELDS}
    return json.dumps(stable, sort_keys=True, default=str, ensure_ascii=False)


def answered_ok(entry: Any) -> bool:
    """Whether the journal entry records a successful answer."""
    data = _fields(entry)
    status = data.get("status", data.get("http_status", 200))
    return (
        status == 200
        and data.get("code") in (None, 0)
        and data.get("error_code") is None
        and data.get("fault") is None
    )


def count_retries(entries: Iterable[Any], label: str) -> Counter[str]:
    """Count requests that repeat one that failed, or reuse a client_token."""
    last_ok: dict[str, bool] = {}
    repeats = 0
    for entry in entries:
        key = request_key(entry)
        if key in last_ok and (not last_ok[key] or _fields(entry).get("client_token")):
            repeats += 1
        last_ok[key] = answered_ok(entry)

    return Counter({label: repeats}) if repeats else Counter()


def dates_between(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)
