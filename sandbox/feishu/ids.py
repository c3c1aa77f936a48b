"""Identifiers in the shapes Feishu uses (``tbl…``, ``fld…``, ``rec…``)."""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
RECORD_SPACE = 62**7
RECORD_MULTIPLIER = 2_654_435_761  # odd and not a multiple of 31: a bijection
RECORD_INVERSE = pow(RECORD_MULTIPLIER, -1, RECORD_SPACE)
LENGTHS = {"app": 24, "wik": 24, "tbl": 13, "vew": 7, "fld": 7, "opt": 7}


def random_id(prefix: str) -> str:
    """A random identifier with the prefix and length of its kind."""
    length = LENGTHS.get(prefix, 10)
    return prefix + "".join(secrets.choice(ALPHABET) for _ in range(length))


def _base62(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, digit = divmod(number, 62)
        digits.append(ALPHABET[digit])
    return "".join(reversed(digits))


def record_id(seq: int) -> str:
    """The public ``rec`` id of a record's storage sequence number."""
    return "rec" + _base62(seq * RECORD_MULTIPLIER % RECORD_SPACE, 7)


def record_seq(value: str) -> int | None:
    """The storage sequence number of a ``rec`` id, or None if malformed."""
    if len(value) != 10 or not value.startswith("rec"):
        return None
    number = 0
    for char in value[3:]:
        digit = ALPHABET.find(char)
        if digit < 0:
            return None
        number = number * 62 + digit
    return number * RECORD_INVERSE % RECORD_SPACE
