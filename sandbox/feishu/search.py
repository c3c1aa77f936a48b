"""Record search: filter and sort compiled to SQL, opaque page tokens, totals."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.feishu import values as v
from sandbox.feishu.errors import ApiError

MAX_CONDITIONS, MAX_VALUES, MAX_FIELD_NAMES, MAX_SORTS = 50, 10, 200, 100
TEXT_OPS = ("is", "isNot", "contains", "doesNotContain", "isEmpty", "isNotEmpty")
NUMBER_OPS = ("is", "isNot", "isGreater", "isGreaterEqual", "isLess", "isLessEqual")
DATE_OPS = ("is", "isEmpty", "isNotEmpty", "isGreater", "isLess")
EMPTINESS = ("isEmpty", "isNotEmpty")
DAY_WORDS = {"Today": 0, "Tomorrow": 1, "Yesterday": -1}
PERIOD_WORDS = frozenset(
    {"CurrentWeek", "LastWeek", "CurrentMonth", "LastMonth"}
    | {"TheLastWeek", "TheNextWeek", "TheLastMonth", "TheNextMonth"}
)
SCALAR_TYPES = frozenset({v.TEXT, v.PHONE, v.LOCATION, v.URL, v.SINGLE_SELECT})
LIST_TYPES = frozenset({v.MULTI_SELECT, v.SINGLE_LINK, v.DUPLEX_LINK})
ID_LIST_TYPES = frozenset({v.USER, v.GROUP})
INDEXABLE_TYPES = frozenset({v.TEXT, v.NUMBER, v.SINGLE_SELECT, v.PHONE, v.LOCATION})


def invalid_filter(reason: str) -> ApiError:
    """The 1254018 InvalidFilter error."""
    return ApiError(1254018, f"InvalidFilter: {reason}")


@dataclass
class Compiled:
    """A WHERE clause with its parameters."""

    sql: str
    params: list[Any]


def _expr(field_def: v.FieldDef) -> str:
    if field_def.type == v.CREATED_TIME:
        return "created_ms"
    if field_def.type == v.MODIFIED_TIME:
        return "modified_ms"
    if field_def.type == v.AUTO_NUMBER:
        return "CAST(serial AS TEXT)"
    suffix = ".text" if field_def.type == v.URL else ""
    return f"json_extract(fields, '$.{field_def.field_id}{suffix}')"


class FilterCompiler:
    """Compiles a search ``filter`` for one table into SQL."""

    def __init__(self, fields: list[v.FieldDef], zone: ZoneInfo, now_ms: int) -> None:
        self._by_name = {f.field_name: f for f in fields}
        self._zone = zone
        self._now_ms = now_ms
        self._count = 0
        self.indexable: set[str] = set()

    def compile(self, spec: object) -> Compiled:
        """Compile the whole filter (None or {} means every record)."""
        if spec is None or spec == {}:
            return Compiled("1", [])
        return self._group(spec, "filter", nested_ok=True)

    def _group(self, spec: object, where: str, nested_ok: bool) -> Compiled:
        if not isinstance(spec, dict) or set(spec) - {
            "conjunction",
            "conditions",
            "children",
        }:
            reason = f"{where} must be {{conjunction, conditions, children}}"
            raise invalid_filter(reason)
        conjunction = spec.get("conjunction", "and")
        if conjunction not in ("and", "or"):
            reason = f"{where}.conjunction must be and|or, got {conjunction!r}"
            raise invalid_filter(reason)
        conditions = spec.get("conditions") or []
        children = spec.get("children") or []
        if not isinstance(conditions, list) or not isinstance(children, list):
            reason = f"{where}.conditions and .children must be lists"
            raise invalid_filter(reason)
        if children and not nested_ok:
            reason = f"{where}.children: only one level of children"
            raise invalid_filter(reason)

        parts = [
            self._condition(c, f"{where}.conditions[{i}]")
            for i, c in enumerate(conditions)
        ]
        parts += [
            self._group(child, f"{where}.children[{i}]", nested_ok=False)
            for i, child in enumerate(children)
        ]
        if not parts:
            return Compiled("1", [])
        joiner = " AND " if conjunction == "and" else " OR "
        params = [p for part in parts for p in part.params]
        return Compiled("(" + joiner.join(f"({p.sql})" for p in parts) + ")", params)

    def _condition(self, spec: object, where: str) -> Compiled:
        self._count += 1
        if self._count > MAX_CONDITIONS:
            reason = f"more than {MAX_CONDITIONS} conditions"
            raise invalid_filter(reason)
        if not isinstance(spec, dict):
            reason = f"{where} must be an object"
            raise invalid_filter(reason)
        name, operator = spec.get("field_name"), spec.get("operator")
        field_def = self._by_name.get(name) if isinstance(name, str) else None
        if field_def is None:
            reason = f"{where}.field_name {name!r} is not a field"
            raise invalid_filter(reason)
        value = spec.get("value", [])
        ok = isinstance(value, list) and all(isinstance(x, str) for x in value)
        if not ok or len(value) > MAX_VALUES:
            reason = f"{where}.value must be a list of <= 10 strings"
            raise invalid_filter(reason)
        allowed = self._operators(field_def)
        if operator not in allowed:
            msg = (
                f"{where}: operator {operator!r} not allowed on field {name!r}"
                f" (type {field_def.type})"
            )
            raise invalid_filter(msg)
        if operator in EMPTINESS:
            if value:
                reason = f"{where}: {operator} takes an empty value list"
                raise invalid_filter(reason)
            return self._emptiness(field_def, operator == "isEmpty")
        if not value:
            reason = f"{where}: {operator} needs a value"
            raise invalid_filter(reason)
        if field_def.type in v.DATE_TYPES:
            return self._date(field_def, operator, value, where)
        return self._compare(field_def, operator, value, where)

    @staticmethod
    def _operators(field_def: v.FieldDef) -> tuple[str, ...]:
        kind = field_def.type
        if kind in v.DATE_TYPES:
            return DATE_OPS
        if kind == v.NUMBER:
            return (*NUMBER_OPS, *EMPTINESS)
        if kind == v.CHECKBOX:
            return ("is",)
        if kind == v.ATTACHMENT:
            return EMPTINESS
        if kind in (v.FORMULA, v.LOOKUP):
            return ()
        return TEXT_OPS

    def _emptiness(self, field_def: v.FieldDef, empty: bool) -> Compiled:
        return Compiled(f"{_expr(field_def)} IS {'' if empty else 'NOT '}NULL", [])

    def _compare(
        self, field_def: v.FieldDef, operator: str, value: list[str], where: str
    ) -> Compiled:
        kind, expr = field_def.type, _expr(field_def)
        if operator == "is" and kind in INDEXABLE_TYPES:
            self.indexable.add(field_def.field_id)
        if kind == v.CHECKBOX:
            if value not in (["true"], ["false"]):
                reason = f'{where}: checkbox value must be ["true"] or ["false"]'
                raise invalid_filter(reason)
            return Compiled(
                f"{expr} = 1" if value == ["true"] else f"coalesce({expr}, 0) = 0", []
            )
        if kind == v.NUMBER:
            return self._number(expr, operator, value, where)
        several = operator in ("contains", "doesNotContain") and kind != v.TEXT
        if not several and len(value) != 1:
            reason = f"{where}: {operator} takes exactly one value"
            raise invalid_filter(reason)
        if kind in LIST_TYPES or kind in ID_LIST_TYPES:
            return self._list(field_def, operator, value)
        if kind in (v.TEXT, v.PHONE, v.LOCATION, v.URL, v.AUTO_NUMBER):
            sql = {
                "is": f"{expr} = ?",
                "isNot": f"({expr} IS NULL OR {expr} <> ?)",
                "contains": f"instr({expr}, ?) > 0",
                "doesNotContain": f"({expr} IS NULL OR instr({expr}, ?) = 0)",
            }[operator]
            return Compiled(sql, [value[0]])
        marks = ",".join("?" * len(value))
        sql = {
            "is": f"{expr} = ?",
            "isNot": f"({expr} IS NULL OR {expr} <> ?)",
            "contains": f"{expr} IN ({marks})",
            "doesNotContain": f"({expr} IS NULL OR {expr} NOT IN ({marks}))",
        }[operator]
        return Compiled(sql, list(value))

    @staticmethod
    def _number(expr: str, operator: str, value: list[str], where: str) -> Compiled:
        if len(value) != 1:
            reason = f"{where}: {operator} takes exactly one value"
            raise invalid_filter(reason)
        try:
            number = float(value[0])
        except ValueError:
            reason = f"{where}: {value[0]!r} is not a number"
            raise invalid_filter(reason) from None
        sql = {
            "is": f"{expr} = ?",
            "isNot": f"({expr} IS NULL OR {expr} <> ?)",
            "isGreater": f"{expr} > ?",
            "isGreaterEqual": f"{expr} >= ?",
            "isLess": f"{expr} < ?",
            "isLessEqual": f"{expr} <= ?",
        }[operator]
        return Compiled(sql, [number])

    @staticmethod
    def _list(field_def: v.FieldDef, operator: str, value: list[str]) -> Compiled:
        path = f"'$.{field_def.field_id}'"
        item = "value ->> '$.id'" if field_def.type in ID_LIST_TYPES else "value"
        marks = ",".join("?" * len(value))
        any_in = (
            f"EXISTS (SELECT 1 FROM json_each(fields, {path})"
            f" WHERE {item} IN ({marks}))"
        )
        if operator == "contains":
            return Compiled(any_in, list(value))
        if operator == "doesNotContain":
            return Compiled(f"NOT {any_in}", list(value))
        distinct = sorted(set(value))
        marks = ",".join("?" * len(distinct))
        same = (
            f"(json_extract(fields, {path}) IS NOT NULL AND NOT EXISTS (SELECT 1 FROM"
            f" json_each(fields, {path}) WHERE {item} NOT IN ({marks})) AND (SELECT"
            f" count(DISTINCT {item}) FROM json_each(fields, {path}))"
            f" = {len(distinct)})"
        )
        return Compiled(same if operator == "is" else f"NOT {same}", distinct)

    def _date(
        self, field_def: v.FieldDef, operator: str, value: list[str], where: str
    ) -> Compiled:
        start, end = self._day_range(value, operator, where)
        bounds = {"is": (start, end), "isGreater": (end, None), "isLess": (None, start)}
        low, high = bounds[operator]
        if field_def.type == v.DATE:
            column, sql = (
                "ms",
                "seq IN (SELECT seq FROM date_cells"
                f" WHERE field_id = '{field_def.field_id}'",
            )
        else:
            column, sql = _expr(field_def), "(1"
        params: list[Any] = []
        if low is not None:
            sql += f" AND {column} >= ?"
            params.append(low)
        if high is not None:
            sql += f" AND {column} < ?"
            params.append(high)
        return Compiled(sql + ")", params)

    def _day_range(
        self, value: list[str], operator: str, where: str
    ) -> tuple[int, int]:
        word = value[0]
        if word == "ExactDate":
            if len(value) != 2 or not value[1].lstrip("-").isdigit():
                reason = f'{where}: expected ["ExactDate", "<ms timestamp>"]'
                raise invalid_filter(reason)
            day = dt.datetime.fromtimestamp(int(value[1]) / 1000, self._zone).date()
            return self._ms(day), self._ms(day + dt.timedelta(days=1))
        if len(value) != 1 or (word not in DAY_WORDS and word not in PERIOD_WORDS):
            reason = f"{where}: unknown date value {value!r}"
            raise invalid_filter(reason)
        today = dt.datetime.fromtimestamp(self._now_ms / 1000, self._zone).date()
        if word in DAY_WORDS:
            day = today + dt.timedelta(days=DAY_WORDS[word])
            return self._ms(day), self._ms(day + dt.timedelta(days=1))
        if operator != "is":
            reason = f"{where}: {word} is only allowed with the is operator"
            raise invalid_filter(reason)
        first, last = _period(word, today)
        return self._ms(first), self._ms(last + dt.timedelta(days=1))

    def _ms(self, day: dt.date) -> int:
        midnight = dt.datetime(day.year, day.month, day.day, tzinfo=self._zone)
        return int(midnight.timestamp() * 1000)


def _period(word: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of a relative period word."""
    day = dt.timedelta(days=1)
    monday = today - today.weekday() * day
    month_start = today.replace(day=1)
    previous_month_end = month_start - day
    next_month = (month_start + 32 * day).replace(day=1)
    periods = {
        "CurrentWeek": (monday, monday + 6 * day),
        "LastWeek": (monday - 7 * day, monday - day),
        "CurrentMonth": (month_start, next_month - day),
        "LastMonth": (previous_month_end.replace(day=1), previous_month_end),
        "TheLastWeek": (today - 6 * day, today),
        "TheNextWeek": (today, today + 6 * day),
        "TheLastMonth": (today - 29 * day, today),
        "TheNextMonth": (today, today + 29 * day),
    }
    return periods[word]


def order_by(fields: list[v.FieldDef], sort: object) -> str:
    """The ORDER BY clause of a search ``sort`` (empty cells last, then seq)."""
    if sort is None:
        return "seq"
    if not isinstance(sort, list) or len(sort) > MAX_SORTS:
        error = ApiError(1254016, f"InvalidSort: sort must be a list of <= {MAX_SORTS}")
        raise error
    by_name = {f.field_name: f for f in fields}
    terms = []
    for index, item in enumerate(sort):
        name = item.get("field_name") if isinstance(item, dict) else None
        field_def = by_name.get(name) if isinstance(name, str) else None
        desc = item.get("desc", False) if isinstance(item, dict) else None
        if field_def is None or not isinstance(desc, bool):
            msg = f"InvalidSort: sort[{index}] needs a known field_name and bool desc"
            raise ApiError(1254016, msg)
        expr = _expr(field_def)
        if field_def.type == v.AUTO_NUMBER:
            expr = "serial"
        terms.append(f"{expr} IS NULL, {expr}{' DESC' if desc else ''}")
    return ", ".join([*terms, "seq"])


class PageTokens:
    """Opaque base64 page tokens bound to the query they continue."""

    @staticmethod
    def fingerprint(table_id: str, body: object) -> str:
        """A short hash of a table and search body."""
        canonical = json.dumps([table_id, body], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    @staticmethod
    def encode(position: int, fingerprint: str) -> str:
        """A token for the page after ``position``."""
        raw = json.dumps({"p": position, "q": fingerprint}).encode()
        return base64.urlsafe_b64encode(raw).decode()

    @staticmethod
    def decode(token: str, fingerprint: str) -> int:
        """The position a token continues from.

        Raises:
            ApiError: 1254030 for a token that is malformed or from another query.
        """
        try:
            payload = json.loads(base64.urlsafe_b64decode(token.encode()))
            position, expected = payload["p"], payload["q"]
        except (binascii.Error, ValueError, KeyError, TypeError):
            payload, position, expected = None, None, None
        if not isinstance(position, int) or expected != fingerprint:
            msg = (
                "InvalidPageToken: page_token is malformed or belongs to another query"
            )
            raise ApiError(1254030, msg) from None
        return position


class TotalCache:
    """Counts of matching records per table revision and WHERE clause."""

    def __init__(self, limit: int = 256) -> None:
        self._limit = limit
        self._lock = threading.Lock()
        self._counts: dict[tuple[Any, ...], int] = {}

    def get(self, key: tuple[Any, ...], count: Callable[[], int]) -> int:
        """The cached count for ``key``, computed once by ``count``."""
        with self._lock:
            if key in self._counts:
                return self._counts[key]
        total = count()
        with self._lock:
            if len(self._counts) >= self._limit:
                self._counts.clear()
            self._counts[key] = total
        return total
