"""Row comparison of Feishu tables against the gateway's ground truth."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

_DATE_TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?"
    r"(Z|[+-]\d{2}:?\d{2})?$"
)
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# A plain decimal number: no leading zeros (codes like "007" stay text).
_NUMBER = re.compile(r"^-?(0|[1-9]\d*)(\.\d+)?$")

Row = Mapping[str, object]
CanonicalRow = tuple[tuple[str, str], ...]


def _epoch_ms(moment: dt.datetime) -> str:
    """Render an aware or Shanghai-naive datetime as epoch milliseconds."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return str(int(moment.timestamp() * 1000))


def _parse_offset(text: str) -> dt.tzinfo:
    if text == "Z":
        return dt.timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:])
    return dt.timezone(sign * dt.timedelta(minutes=minutes))


def canonical_value(value: object) -> str | None:
    """Normalise one cell: None/empty → None, numbers and moments → one spelling.

    Date-times (with or without an offset, naive ones read in Asia/Shanghai) and
    dates (midnight in Asia/Shanghai) become epoch milliseconds; plain decimal
    numbers, JSON or textual, become their shortest decimal spelling; anything else
    is kept verbatim, so a code such as ``"007"`` never equals the number 7.
    """
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return _decimal_text(Decimal(str(value)))
    if isinstance(value, dt.datetime):
        return _epoch_ms(value)
    if isinstance(value, dt.date):
        return _epoch_ms(dt.datetime(value.year, value.month, value.day))
    if isinstance(value, list | dict):
        return repr(value)
    text = str(value)

    moment = _DATE_TIME.match(text)
    if moment:
        year, month, day, hour, minute, second, fraction, offset = moment.groups()
        parsed = dt.datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")),
            tzinfo=_parse_offset(offset) if offset else SHANGHAI,
        )
        return _epoch_ms(parsed)
    day_match = _DATE.match(text)
    if day_match:
        year, month, day = (int(part) for part in day_match.groups())
        return _epoch_ms(dt.datetime(year, month, day))
    if _NUMBER.match(text):
        return _decimal_text(Decimal(text))
    return text


def _decimal_text(number: Decimal) -> str:
    try:
        normal = number.normalize()
    except InvalidOperation:
        return str(number)
    if normal == 0:
        return "0"
    return format(normal, "f")


def canonical_row(row: Row, ignored: Iterable[str] = ()) -> CanonicalRow:
    """Return the row as a sorted tuple of non-empty canonical cells."""
    skip = set(ignored)
    cells = []
    for name, value in row.items():
        if name in skip:
            continue
        text = canonical_value(value)
        if text is not None:
            cells.append((name, text))

    return tuple(sorted(cells))


@dataclass
class Mismatch:
    """One row that differs, for the report."""

    kind: str
    table: str
    row: CanonicalRow
    expected_copies: int
    actual_copies: int


@dataclass
class Comparison:
    """Counts of one comparison (one table, or several added together)."""

    rows_expected: int = 0
    rows_actual: int = 0
    missing: int = 0
    duplicated: int = 0
    wrong: int = 0
    examples: list[Mismatch] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return self.missing == 0 and self.duplicated == 0 and self.wrong == 0

    def add(self, other: Comparison, keep_examples: int = 20) -> None:
        self.rows_expected += other.rows_expected
        self.rows_actual += other.rows_actual
        self.missing += other.missing
        self.duplicated += other.duplicated
        self.wrong += other.wrong
        room = keep_examples - len(self.examples)
        self.examples.extend(other.examples[: max(room, 0)])


def compare_rows(
    table: str,
    expected: Iterable[Row],
    actual: Iterable[Row],
    ignored: Iterable[str] = (),
    keep_examples: int = 20,
) -> Comparison:
    """Compare two bags of rows after normalising each side on its own.

    Args:
        table: a label for the examples (the Feishu table name).
        expected: ground-truth rows (the gateway's CSV values, strings).
        actual: rows read from Feishu (write-shape values, empty cells omitted).
        ignored: column names that only one side has (the tap's ``_`` columns).
        keep_examples: how many mismatching rows to keep for the report.

    Returns:
        ``missing``: expected copies absent from Feishu; ``duplicated``: extra
        copies of an expected row; ``wrong``: Feishu rows equal to no expected row
        (a row with a wrong value counts once here and once as missing).
    """
    ignored = tuple(ignored)
    want = Counter(canonical_row(row, ignored) for row in expected)
    have = Counter(canonical_row(row, ignored) for row in actual)
    result = Comparison(
        rows_expected=sum(want.values()), rows_actual=sum(have.values())
    )

    for row in sorted(set(want) | set(have)):
        wanted, held = want.get(row, 0), have.get(row, 0)
        if wanted == held:
            continue
        if wanted == 0:
            kind = "wrong"
            result.wrong += held
        elif held > wanted:
            kind = "duplicated"
            result.duplicated += held - wanted
        else:
            kind = "missing"
            result.missing += wanted - held
        if len(result.examples) < keep_examples:
            result.examples.append(Mismatch(kind, table, row, wanted, held))

    return result
