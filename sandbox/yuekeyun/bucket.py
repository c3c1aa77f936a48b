"""The file bucket behind the gateway: which files exist and what they hold."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone

from sandbox.cinema import SyntheticCinema
from sandbox.yuekeyun.faults import GatewayFaults
from sandbox.yuekeyun.files import FileCache, file_token, render_file

SHANGHAI = timezone(timedelta(hours=8))
SCHEDULE_HORIZON_DAYS = 30


def business_day_of(moment: datetime) -> date:
    """The business day (starting 06:00 Asia/Shanghai) that holds ``moment``."""
    return (moment.astimezone(SHANGHAI) - timedelta(hours=6)).date()


class FileBucket:
    """The cinemas' daily files, as the OSS bucket of the gateway holds them.

    A day has a file when the cinema was open, the day is not in the future
    (C18: within the schedule horizon) and it has rows (or the
    ``empty_as_header_only`` knob is on).
    """

    def __init__(
        self,
        cinemas: Sequence[SyntheticCinema],
        faults: GatewayFaults,
        oss_secret: str,
        data_cutoff: datetime | None,
    ) -> None:
        """Serve ``cinemas``' rows, shaped by ``faults`` and ``data_cutoff``."""
        self.cinemas = list(cinemas)
        self.faults = faults
        self.oss_secret = oss_secret
        self.data_cutoff = data_cutoff
        self._cache = FileCache()

    @property
    def data_cutoff(self) -> datetime | None:
        """The simulated "now": later rows and days are not served yet."""
        return self._data_cutoff

    @data_cutoff.setter
    def data_cutoff(self, value: datetime | None) -> None:
        if value is not None and value.utcoffset() is None:
            msg = f"data_cutoff must be an aware datetime (e.g. +08:00), got {value}"
            raise ValueError(msg)
        self._data_cutoff = value

    def cinema(
        self, lease_code: str, cinema_link_id: str | None = None
    ) -> SyntheticCinema:
        """The cinema of a lease (the first one when ``cinema_link_id`` is None)."""
        for candidate in self.cinemas:
            if candidate.lease_code == lease_code and cinema_link_id in (
                None,
                candidate.cinema_link_id,
            ):
                return candidate
        msg = f"no cinema with lease code {lease_code!r} and id {cinema_link_id!r}"
        raise KeyError(msg)

    def business_today(self) -> date:
        """The latest business day with data: ``data_cutoff``'s, else now's."""
        moment = self.data_cutoff or datetime.now(SHANGHAI)

        return business_day_of(moment)

    def in_range(self, cinema: SyntheticCinema, data_type: str, day: date) -> bool:
        """Whether ``day`` is open and not in the future (C18: within the horizon)."""
        today = self.business_today()
        if data_type == "C18":
            today += timedelta(days=SCHEDULE_HORIZON_DAYS)

        return cinema.opening_date <= day <= today

    def has_file(self, cinema: SyntheticCinema, data_type: str, day: date) -> bool:
        """Whether the day has a file, without generating rows when avoidable."""
        if not self.in_range(cinema, data_type, day):
            return False
        if self.faults.header_only(data_type):
            return True
        cut = self.data_cutoff is not None and data_type != "C18"
        if cut and self.business_today() == day:
            return self.served_rows(cinema, data_type, day) is not None

        return cinema.row_count(data_type, day) > 0

    def served_rows(
        self, cinema: SyntheticCinema, data_type: str, day: date
    ) -> list[list[str]] | None:
        """Rows of the file for ``day``, or None when that day has no file."""
        if not self.in_range(cinema, data_type, day):
            return None

        rows = cinema.rows(data_type, day)
        if self.data_cutoff is not None and data_type != "C18":
            cutoff = self.data_cutoff.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
            index = cinema.header(data_type).index(cinema.time_column(data_type))
            rows = [row for row in rows if row[index] <= cutoff]
        extra = self.faults.extra_column(data_type)
        if extra is not None:
            rows = [[*row, f"{extra}-{number}"] for number, row in enumerate(rows, 1)]
        if not rows and not self.faults.header_only(data_type):
            return None

        return rows

    def served_header(self, cinema: SyntheticCinema, data_type: str) -> list[str]:
        """The header of served files, with ``unknown_column`` when set."""
        extra = self.faults.extra_column(data_type)
        header = cinema.header(data_type)

        return [*header, extra] if extra is not None else header

    def expected_rows(
        self,
        lease_code: str,
        data_type: str,
        business_date: date,
        cinema_link_id: str | None = None,
    ) -> list[dict[str, str]]:
        """Ground truth: header → cell of every row the day's file holds."""
        cinema = self.cinema(lease_code, cinema_link_id)
        rows = self.served_rows(cinema, data_type, business_date) or []
        header = self.served_header(cinema, data_type)

        return [dict(zip(header, row, strict=True)) for row in rows]

    def file_bytes(
        self,
        cinema: SyntheticCinema,
        data_type: str,
        day: date,
        *,
        ragged: bool,
        invalid_bytes: bool,
    ) -> bytes | None:
        """The rendered file (cached unless a one-off fault changes it)."""
        cutoff = self.data_cutoff.isoformat() if self.data_cutoff else None
        faults = self.faults
        key = (
            cinema.lease_code,
            cinema.cinema_link_id,
            data_type,
            day,
            cutoff,
            faults.extra_column(data_type),
            faults.header_only(data_type),
        )
        if not (ragged or invalid_bytes):
            return self._cache.get_or_make(
                key, lambda: self._render(cinema, data_type, day, False, False)
            )

        return self._render(cinema, data_type, day, ragged, invalid_bytes)

    def _render(
        self,
        cinema: SyntheticCinema,
        data_type: str,
        day: date,
        ragged: bool,
        invalid_bytes: bool,
    ) -> bytes | None:
        rows = self.served_rows(cinema, data_type, day)
        if rows is None:
            return None
        exported = datetime.combine(day + timedelta(days=1), datetime.min.time())

        return render_file(
            cinema.title(data_type),
            self.served_header(cinema, data_type),
            rows,
            (exported + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S"),
            ragged=ragged,
            invalid_bytes=invalid_bytes,
        )

    def find_file(
        self, lease_code: str, data_type: str, token: str, day: date
    ) -> SyntheticCinema | None:
        """The cinema whose file of ``day`` carries ``token``, if any."""
        for cinema in self.cinemas:
            expected = file_token(
                self.oss_secret,
                cinema.lease_code,
                cinema.cinema_link_id,
                data_type,
                day,
            )
            if cinema.lease_code == lease_code and secrets.compare_digest(
                expected, token
            ):
                return cinema

        return None
