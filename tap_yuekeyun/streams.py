"""One stream class for every Yuekeyun category, partitioned per cinema."""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from singer_sdk.exceptions import ConfigValidationError

from tap_yuekeyun.cipher import UrlDecrypter
from tap_yuekeyun.csvfile import decode_file, read_table
from tap_yuekeyun.emission import JsonReadyStream
from tap_yuekeyun.exceptions import FileFormatError, UrlExpiredError
from tap_yuekeyun.planning import (
    Query,
    business_today,
    parse_iso_date,
    plan_queries,
    plan_screening_days,
    plan_start,
)
from tap_yuekeyun.records import RecordBuilder
from tap_yuekeyun.registry import Category
from tap_yuekeyun.urls import (
    check_download_url,
    check_windows,
    redact,
    window_business_date,
)

if TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

    from tap_yuekeyun.settings import Cinema
    from tap_yuekeyun.tap import TapYuekeyun

SCREENINGS = "C18"


class CategoryStream(JsonReadyStream):
    """Rows of one category for every configured cinema, ascending business date."""

    replication_key = "_business_date"
    is_sorted = True
    # STATE only at file boundaries (see _query_records): the target takes the
    # records before a STATE message as complete business days.
    STATE_MSG_FREQUENCY = sys.maxsize

    def __init__(self, tap: TapYuekeyun, category: Category) -> None:
        """Build the stream of ``category`` (name, schema, keys from the registry)."""
        self.category = category
        self.selected_by_default = category.selected_by_default
        super().__init__(tap, schema=category.json_schema(), name=category.stream)
        self.primary_keys = list(category.primary_key or [])
        self._tap_ref = tap
        self._builder: RecordBuilder | None = None
        self._today = dt.date.min
        self._inside_file = False

    @property
    def partitions(self) -> list[dict[str, Any]]:
        """One partition per cinema, keyed only by its (non-secret) link id."""
        return [
            {"cinema_link_id": cinema.cinema_link_id}
            for cinema in self._tap_ref.run_settings.cinemas
        ]

    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        """Plan the queries of one cinema and yield their records in date order."""
        settings = self._tap_ref.run_settings
        cinema = self._cinema(context)
        today = business_today(
            dt.datetime.now(dt.timezone.utc),
            settings.timezone,
            settings.business_day_start,
        )
        queries = self.plan(context, today)
        decrypter = UrlDecrypter(cinema.lease_code)
        if queries:
            self._rewind_bookmark(context, queries[0].first_day)

        for query in queries:
            yield from self._query_records(cinema, query, decrypter)

        if queries and queries[0].first_day <= today:
            # Every day through today was fetched: the bookmark reaches today
            # even when the last days (or the whole category) had no rows.
            self._increment_stream_state(
                {self.replication_key: today.isoformat()}, context=context
            )

    def plan(self, context: Context | None, today: dt.date) -> list[Query]:
        """The queries of this run for one partition."""
        settings = self._tap_ref.run_settings
        bookmark = self._bookmark(context)
        if bookmark is None and settings.start_date is None:
            msg = (
                f"Stream {self.name}, cinema {(context or {}).get('cinema_link_id')}: "
                "no bookmark in the state and no start_date; set start_date for a "
                "first run"
            )
            raise ConfigValidationError(msg, errors=[msg])

        start = plan_start(
            bookmark=bookmark,
            start_date=settings.start_date,
            lookback_days=settings.lookback_days,
            today=today,
        )
        queries = plan_queries(start, today, settings.lookback_days)
        if self.category.code == SCREENINGS:
            queries = plan_screening_days(queries, today, settings.screening_days_ahead)
        self._today = today

        return queries

    def _bookmark(self, context: Context | None) -> dt.date | None:
        value = self.get_context_state(context).get("replication_key_value")
        if value is None or value == "":
            return None
        bookmark = parse_iso_date(value)
        if bookmark is None:
            msg = (
                f"Stream {self.name}, cinema {(context or {}).get('cinema_link_id')}: "
                f"bookmark {value!r} in the state is not a YYYY-MM-DD date; fix or "
                "remove it from the state"
            )
            raise ConfigValidationError(msg, errors=[msg])
        return bookmark

    def _rewind_bookmark(self, context: Context | None, first_day: dt.date) -> None:
        """Lower the bookmark to the first re-fetched day (lookback rows re-sort).

        The SDK checks that a sorted stream's key never decreases from the stored
        bookmark; the lookback window starts before it. The lowered value is safe
        if the run stops early: the next run starts from there.
        """
        state = self.get_context_state(context)
        current = state.get("replication_key_value")
        if current and current > first_day.isoformat():
            state["replication_key_value"] = first_day.isoformat()
        self._last_bookmark = None

    def _query_records(
        self, cinema: Cinema, query: Query, decrypter: UrlDecrypter
    ) -> Iterator[dict[str, Any]]:
        started = time.perf_counter()
        gateway = self._tap_ref.gateway
        code = self.category.code
        where = f"{code} {query.search_date_type} {query.search_date}"
        ciphertexts = gateway.download_url_list(
            lease_code=cinema.lease_code,
            cinema_link_id=cinema.cinema_link_id,
            data_type=code,
            query=query,
        )
        urls = self._decrypt_all(ciphertexts, decrypter, query, where)
        urls = sorted(urls, key=lambda url: self._file_sort_key(url, query))

        rows = 0
        refreshed: list[str] | None = None
        for index, data in self._tap_ref.fetcher.fetch_in_order(urls):
            if data is None:
                refreshed = refreshed or self._fresh_urls(
                    cinema, query, decrypter, where
                )
                data = self._retry_expired(urls[index], refreshed)
            records = self._file_records(urls[index], data, cinema)
            rows += len(records)
            self._inside_file = True
            try:
                yield from records
            finally:
                self._inside_file = False
            # The SDK has written every record of this file: a STATE now never
            # splits a business day of one cinema.
            self._write_state_message()

        self.logger.info(
            "Cinema %s, %s %s %s: %d files, %d rows in %.2f s",
            cinema.cinema_link_id,
            code,
            query.search_date_type,
            query.search_date,
            len(urls),
            rows,
            time.perf_counter() - started,
        )

    def _decrypt_all(
        self,
        ciphertexts: list[str],
        decrypter: UrlDecrypter,
        query: Query,
        where: str,
    ) -> list[str]:
        settings = self._tap_ref.run_settings
        urls = []
        for ciphertext in ciphertexts:
            url = decrypter.decrypt(ciphertext, where=where)
            check_download_url(url, settings.download_hosts, where)
            urls.append(url)
        check_windows(urls, query, settings.business_day_start, where)
        return urls

    def _file_sort_key(self, url: str, query: Query) -> str:
        day = window_business_date(url, self._tap_ref.run_settings.business_day_start)
        return (day or query.first_day).isoformat()

    def _fresh_urls(
        self, cinema: Cinema, query: Query, decrypter: UrlDecrypter, where: str
    ) -> list[str]:
        self.logger.warning(
            "%s: a download URL expired; asking the gateway again", where
        )
        ciphertexts = self._tap_ref.gateway.download_url_list(
            lease_code=cinema.lease_code,
            cinema_link_id=cinema.cinema_link_id,
            data_type=self.category.code,
            query=query,
        )
        return self._decrypt_all(ciphertexts, decrypter, query, where)

    def _retry_expired(self, expired_url: str, fresh_urls: list[str]) -> bytes:
        label = redact(expired_url)
        matches = [url for url in fresh_urls if redact(url) == label]
        if not matches:
            msg = f"File {label}: URL expired and the gateway no longer lists it"
            raise UrlExpiredError(msg)

        try:
            return self._tap_ref.fetcher.fetch(matches[0])
        except UrlExpiredError:
            msg = f"File {label}: HTTP 403 (expired) again with a fresh URL"
            raise UrlExpiredError(msg) from None

    def _file_records(
        self, url: str, data: bytes, cinema: Cinema
    ) -> list[dict[str, Any]]:
        settings = self._tap_ref.run_settings
        label = redact(url)
        table = read_table(decode_file(data, label), label)
        business_date = window_business_date(url, settings.business_day_start)
        # A whole file is read before any of its rows is emitted: a bad row
        # stops the run without handing the target a partial business day.
        records = list(
            self.builder.records(
                table,
                business_date=business_date,
                cinema_link_id=cinema.cinema_link_id,
                cinema_name=cinema.name,
            )
        )
        if business_date is None:
            # Dates come from the time column: order them for the sorted bookmark.
            records.sort(key=lambda record: record["_business_date"])
        return records

    def _write_state_message(self) -> None:
        """Write STATE only between files, never inside one business day's rows."""
        if not self._inside_file:
            super()._write_state_message()

    def _process_record(
        self,
        record: dict[str, Any],
        child_context: Context | None = None,
        partition_context: Context | None = None,
    ) -> None:
        """No child streams; and the partition key must not leak into records."""

    def _increment_stream_state(
        self, latest_record: dict[str, Any], *, context: Context | None = None
    ) -> None:
        """Advance the bookmark; screenings (C18) never move it past today."""
        if self.category.code == SCREENINGS:
            today = self._today.isoformat()
            if latest_record["_business_date"] > today:
                latest_record = {self.replication_key: today}
        super()._increment_stream_state(latest_record, context=context)

    @property
    def builder(self) -> RecordBuilder:
        """The record builder of this stream (converters compiled once)."""
        if self._builder is None:
            settings = self._tap_ref.run_settings
            self._builder = RecordBuilder(
                self.category,
                timezone=settings.timezone,
                business_day_start=settings.business_day_start,
                on_unknown_column=settings.on_unknown_column,
                logger=self.logger,
            )
        return self._builder

    def _cinema(self, context: Context | None) -> Cinema:
        link_id = (context or {}).get("cinema_link_id")
        for cinema in self._tap_ref.run_settings.cinemas:
            if cinema.cinema_link_id == link_id:
                return cinema
        msg = f"Stream {self.name}: no configured cinema {link_id!r}"
        raise FileFormatError(msg)
