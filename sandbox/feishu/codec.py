"""JSON encoding for answers and storage (msgspec for speed, stdlib to parse)."""

from __future__ import annotations

import json
from typing import Any

import msgspec

_encoder = msgspec.json.Encoder()


def encode(value: Any) -> bytes:
    """Compact UTF-8 JSON bytes."""
    return _encoder.encode(value)


def encode_text(value: Any) -> str:
    """Compact JSON text."""
    return encode(value).decode()


def canonical(value: Any) -> bytes:
    """JSON bytes with sorted keys, for comparing request bodies."""
    return msgspec.json.encode(value, order="sorted")


def decode(raw: bytes | str) -> Any:
    """Parse JSON, refusing NaN and Infinity."""
    return json.loads(raw, parse_constant=_refuse_constant)


def _refuse_constant(name: str) -> Any:
    msg = f"{name} is not valid JSON"
    raise ValueError(msg)
