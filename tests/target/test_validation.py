"""The compiled record validator rejects what the schema forbids, on its fast path."""

from __future__ import annotations

import typing as t

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from singer_sdk.exceptions import InvalidRecord

from target_feishu.validation import CompiledValidator

# The shape of a tap-yuekeyun stream schema: unknown columns pass as strings.
SCHEMA: dict[str, t.Any] = {
    "type": "object",
    "title": "影票销售明细",
    "properties": {
        "票号": {"type": ["string", "null"]},
        "票价": {"type": ["number", "null"]},
        "影票数": {"type": ["integer", "null"]},
        "销售时间": {"type": ["string", "null"], "format": "date-time"},
        "_business_date": {"type": "string", "format": "date"},
    },
    "required": ["_business_date"],
    "additionalProperties": {"type": ["string", "null"]},
}

GOOD = {
    "票号": "0001",
    "票价": 45.5,
    "影票数": 2,
    "销售时间": "2026-11-30T14:23:01+08:00",
    "_business_date": "2026-11-30",
}


def test_tap_shaped_schema_uses_the_fast_path() -> None:
    assert CompiledValidator(SCHEMA)._full is None


@pytest.mark.parametrize(
    ("record", "valid"),
    [
        (GOOD, True),
        ({**GOOD, "新列": "值"}, True),
        ({**GOOD, "新列": None}, True),
        ({**GOOD, "新列": 3}, False),
        ({**GOOD, "票价": "45.5"}, False),
        ({**GOOD, "影票数": True}, False),
        ({**GOOD, "影票数": 2.5}, False),
        ({**GOOD, "销售时间": "not a time"}, False),
        ({**GOOD, "_business_date": "2026-11-31"}, False),
        ({k: v for k, v in GOOD.items() if k != "_business_date"}, False),
    ],
)
def test_verdict_for_each_kind_of_record(record: dict[str, t.Any], valid: bool) -> None:
    # jsonschema agrees on everything but the formats, which it checks only with
    # optional packages; the expected verdicts are spelled out above.
    if "销售时间" in record and record["销售时间"] == GOOD["销售时间"]:
        reference = Draft202012Validator(SCHEMA, format_checker=FormatChecker())
        assert reference.is_valid(record) is valid

    if valid:
        CompiledValidator(SCHEMA).validate(record)
    else:
        with pytest.raises(InvalidRecord):
            CompiledValidator(SCHEMA).validate(record)
