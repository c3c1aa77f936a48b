"""TargetFeishu: settings, shared Feishu resources and the end-of-run summary."""

from __future__ import annotations

import concurrent.futures
import functools
import sys
import threading
import typing as t
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from singer_sdk import Target
from singer_sdk import typing as th
from singer_sdk.exceptions import ConfigValidationError

from target_feishu.client import FeishuClient
from target_feishu.fields import CellConverter
from target_feishu.loads import UNCONFIRMED_REASON, LoadPlan, TableLoad
from target_feishu.naming import TableNamer
from target_feishu.reader import SIGNAL_EXIT_BASE, StoppableReader
from target_feishu.records import RecordWriter
from target_feishu.sinks import LOAD_METHODS, FeishuSink
from target_feishu.tables import TableDirectory, TableHandle

MAX_BATCH_SIZE = 1000

if t.TYPE_CHECKING:
    from types import FrameType

STREAM_OVERRIDES = th.ObjectType(
    th.Property("table_name", th.StringType, description="Base table name."),
    th.Property(
        "table_name_template", th.StringType, description="Template for this stream."
    ),
    th.Property(
        "load_method",
        th.StringType,
        allowed_values=list(LOAD_METHODS),
        description="Load method for this stream.",
    ),
    th.Property("date_property", th.StringType, description="Date property."),
    th.Property("retention_days", th.IntegerType, description="Rolling window."),
)


class TargetFeishu(Target):
    """Singer target that loads streams into Feishu (飞书) Bitable tables."""

    name = "target-feishu"
    package_name = "yuekeyun-feishu"  # the distribution that ships both plugins
    default_sink_class = FeishuSink
    message_reader_class = StoppableReader

    config_jsonschema = th.PropertiesList(
        th.Property(
            "app_id",
            th.StringType,
            required=True,
            title="App ID",
            description="Feishu self-built app id (cli_...).",
        ),
        th.Property(
            "app_secret",
            th.StringType,
            required=True,
            secret=True,
            title="App secret",
            description="The app's secret.",
        ),
        th.Property(
            "app_token",
            th.StringType,
            title="Base app token",
            description="Token of the destination base (from a /base/ "
            "URL). Set this or wiki_node_token, not both.",
        ),
        th.Property(
            "wiki_node_token",
            th.StringType,
            title="Wiki node token",
            description="Token of a wiki node that holds the base (from a "
            "/wiki/ URL); resolved once with get_node.",
        ),
        th.Property(
            "base_url",
            th.StringType,
            default="https://open.feishu.cn",
            title="API base URL",
            description="Open API host; https://open.larksuite.com for Lark.",
        ),
        th.Property(
            "timezone",
            th.StringType,
            default="Asia/Shanghai",
            title="Time zone",
            description="Zone of dates written to date "
            "fields (a date is its midnight there) and of 'today'.",
        ),
        th.Property(
            "table_name_template",
            th.StringType,
            default="{name}",
            title="Table name template",
            description="Placeholders {name}, "
            "{year}, {quarter}, {month} (two digits), {cinema}; the period "
            "comes from each record's date property.",
        ),
        th.Property(
            "date_property",
            th.StringType,
            title="Date property",
            description="Record property that "
            "dates a row: table period, replace scope, retention (_business_date "
            "when unset; a configured name the schema lacks is an error).",
        ),
        th.Property(
            "cinema_property",
            th.StringType,
            default="_cinema_link_id",
            title="Cinema property",
            description="Record property used "
            "by {cinema} and as the replace scope when present.",
        ),
        th.Property(
            "load_method",
            th.StringType,
            allowed_values=list(LOAD_METHODS),
            title="Load method",
            description="replace (default when the "
            "records carry the date property), append-only (default "
            "otherwise), upsert on key properties, or overwrite.",
        ),
        th.Property(
            "retention_days",
            th.IntegerType,
            title="Retention days",
            description="Delete rows dated before today minus N days.",
        ),
        th.Property(
            "batch_size",
            th.IntegerType,
            default=MAX_BATCH_SIZE,
            title="Batch size",
            description="Records per batch_create call (at most 1000).",
        ),
        th.Property(
            "max_parallel_tables",
            th.IntegerType,
            default=8,
            title="Parallel tables",
            description="Tables written at the same time (each table has one writer).",
        ),
        th.Property(
            "skip_rejected_rows",
            th.BooleanType,
            default=False,
            title="Skip rejected rows",
            description="Skip rows Feishu "
            "refuses (reported at WARNING) instead of failing.",
        ),
        th.Property(
            "request_timeout",
            th.NumberType,
            default=60,
            title="Request timeout",
            description="Seconds per HTTP call.",
        ),
        th.Property(
            "streams",
            th.ObjectType(additional_properties=STREAM_OVERRIDES),
            title="Per-stream overrides",
            description="{stream: {table_name,"
            " table_name_template, load_method, date_property, "
            "retention_days}}.",
        ),
    ).to_dict()

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_parallelism = max(1, int(self.config.get("max_parallel_tables", 8)))
        self._loads: dict[str, TableLoad] = {}
        self._loads_lock = threading.Lock()
        self._table_owners: dict[str, str] = {}
        # Streams whose newest records were not followed by a STATE message.
        self._unconfirmed: set[str] = set()

    # Settings

    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        errors = super()._validate_config(raise_errors=raise_errors)
        config = self.config
        problems: list[str] = []
        if bool(config.get("app_token")) == bool(config.get("wiki_node_token")):
            problems.append("set exactly one of app_token and wiki_node_token")
        batch_size = config.get("batch_size", MAX_BATCH_SIZE)
        if not 1 <= int(batch_size) <= MAX_BATCH_SIZE:
            problems.append(f"batch_size {batch_size} must be 1..{MAX_BATCH_SIZE}")
        if int(config.get("max_parallel_tables", 8)) < 1:
            problems.append("max_parallel_tables must be at least 1")
        if int(config.get("retention_days") or 0) < 0:
            problems.append("retention_days must not be negative")
        try:
            ZoneInfo(str(config.get("timezone", "Asia/Shanghai")))
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"timezone {config.get('timezone')!r} is not a known zone")
        templates = [("table_name_template", config.get("table_name_template"))]
        for stream, override in (config.get("streams") or {}).items():
            setting = f"streams.{stream}.table_name_template"
            templates.append((setting, (override or {}).get("table_name_template")))
        for setting, template in templates:
            try:
                TableNamer("(config)", "name", str(template or "{name}"), setting)
            except ConfigValidationError as exc:
                problems.append(str(exc))
        if problems and raise_errors:
            summary = "Config validation failed: " + "; ".join(problems)
            raise ConfigValidationError(summary, errors=problems)

        return errors + problems

    # Shared resources

    @functools.cached_property
    def client(self) -> FeishuClient:
        """The one Feishu client (token cache, pacing) of this run."""
        return FeishuClient(
            base_url=str(self.config.get("base_url", "https://open.feishu.cn")),
            app_id=str(self.config["app_id"]),
            app_secret=str(self.config["app_secret"]),
            timeout=float(self.config.get("request_timeout", 60)),
            logger=self.logger,
        )

    @functools.cached_property
    def directory(self) -> TableDirectory:
        """The destination base's tables."""
        return TableDirectory(
            self.client,
            app_token=self.config.get("app_token"),
            wiki_node_token=self.config.get("wiki_node_token"),
        )

    @functools.cached_property
    def converter(self) -> CellConverter:
        """Record values to cell values, in the configured time zone."""
        return CellConverter(str(self.config.get("timezone", "Asia/Shanghai")))

    @functools.cached_property
    def pool(self) -> concurrent.futures.ThreadPoolExecutor:
        """Threads that write different tables at the same time."""
        return concurrent.futures.ThreadPoolExecutor(
            max_workers=self.max_parallelism, thread_name_prefix="feishu-table"
        )

    def claim_tables(self, stream_name: str, table_names: t.Iterable[str]) -> None:
        """Reserve ``table_names`` for ``stream_name``, before anything is written.

        Raises:
            ConfigValidationError: when another stream already writes one of them.
        """
        with self._loads_lock:
            for name in table_names:
                owner = self._table_owners.setdefault(name, stream_name)
                if owner != stream_name:
                    msg = (
                        f"streams {owner!r} and {stream_name!r} both write table "
                        f"{name!r}; set streams.<stream>.table_name (or "
                        "streams.<stream>.table_name_template) so each stream has "
                        "its own table"
                    )
                    raise ConfigValidationError(msg, errors=[msg])

    def table_load(self, plan: LoadPlan, handle: TableHandle) -> TableLoad:
        """The load state of ``handle``'s table for this run (one per table)."""
        with self._loads_lock:
            load = self._loads.get(handle.name)
            if load is not None and load.plan.stream_name != plan.stream_name:
                msg = (
                    f"streams {load.plan.stream_name!r} and {plan.stream_name!r} both "
                    f"write table {handle.name!r}; set streams.<stream>.table_name "
                    "so each stream has its own table"
                )
                raise ConfigValidationError(msg, errors=[msg])
            if load is None:
                writer = RecordWriter(
                    self.client,
                    self.directory.app_token,
                    handle,
                    self.logger,
                    batch_size=int(self.config.get("batch_size", MAX_BATCH_SIZE)),
                    skip_rejected_rows=bool(self.config.get("skip_rejected_rows")),
                )
                load = TableLoad(
                    plan, handle, self.directory, writer, self.converter, self.logger
                )
                self._loads[handle.name] = load
            load.plan = plan

            return load

    def run_table_jobs(self, jobs: list[tuple[str, t.Callable[[], None]]]) -> None:
        """Run one job per table in parallel; wait for all, then raise the first error.

        Nothing keeps running after this returns, so the SDK's state message that
        follows a drain only ever covers written rows.
        """
        if len(jobs) == 1:
            jobs[0][1]()
            return

        futures = [self.pool.submit(job) for _, job in jobs]
        concurrent.futures.wait(futures)
        for future in futures:
            error = future.exception()
            if error is not None:
                raise error

    def finish_stream(self, stream_name: str) -> None:
        """Finish the tables of ``stream_name`` (pending deletes, gaps, retention).

        When the stream's last records were not followed by a STATE message, the
        newest date of each (table, cinema) is left unfinished: its old rows stay.
        """
        confirmed = stream_name not in self._unconfirmed
        if not confirmed:
            self.logger.warning(
                "Stream %r: %s; keeping the old rows of its newest dates and "
                "skipping gap-date emptying and overwrite deletes",
                stream_name,
                UNCONFIRMED_REASON,
            )
        with self._loads_lock:
            loads = [
                load
                for load in self._loads.values()
                if load.plan.stream_name == stream_name
            ]

        def finish(load: TableLoad) -> t.Callable[[], None]:
            def job() -> None:
                with load.handle.lock:
                    load.finish(confirmed=confirmed)

            return job

        self.run_table_jobs([(load.handle.name, finish(load)) for load in loads])

    # Checkpoints: records followed by a STATE message are complete

    def _process_record_message(self, message_dict: dict[str, t.Any]) -> None:
        super()._process_record_message(message_dict)
        stream_name = message_dict["stream"]
        self._unconfirmed.add(stream_name)
        for stream_map in self.mapper.stream_maps.get(stream_name, []):
            self._unconfirmed.add(stream_map.stream_alias)

    def _process_state_message(self, message_dict: dict[str, t.Any]) -> None:
        self._assert_line_requires(message_dict, requires={"value"})
        self._unconfirmed.clear()
        super()._process_state_message(message_dict)

    # Signals

    def _handle_termination(self, signum: int, frame: FrameType | None) -> None:
        """Record SIGTERM/SIGINT; the drain runs outside the handler (see reader)."""
        reader = getattr(self, "message_reader", None)
        if not isinstance(reader, StoppableReader):  # not listening yet
            sys.exit(SIGNAL_EXIT_BASE + signum)
        reader.stop(signum)

    # End of run

    def process_endofpipe(self) -> None:
        """Drain everything, log one summary line per table; exit after a signal."""
        signum = t.cast("StoppableReader", self.message_reader).stop_signal
        if signum is not None:
            self.logger.warning(
                "Received signal %s; writing the records read so far, then exiting "
                "with code %s",
                signum,
                SIGNAL_EXIT_BASE + signum,
            )
        self._drain_and_summarise()
        signum = t.cast("StoppableReader", self.message_reader).stop_signal
        if signum is not None:
            sys.exit(SIGNAL_EXIT_BASE + signum)

    def _drain_and_summarise(self) -> None:
        super().process_endofpipe()
        if "directory" not in self.__dict__:
            return
        for handle in self.directory.handles():
            self.logger.info(
                "Summary for table %r: %s rows inserted, %s deleted, %s rejected, "
                "%s API calls, %s retries",
                handle.name,
                handle.inserted,
                handle.deleted,
                handle.rejected,
                handle.stats.calls,
                handle.stats.retries,
            )
        totals = self.client.totals
        self.logger.info(
            "Summary: %s API calls in total, %s retries", totals.calls, totals.retries
        )
        if "pool" in self.__dict__:
            self.pool.shutdown(wait=True)
