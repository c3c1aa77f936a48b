"""The ``_aop_signature`` test vector of the protocol reference."""

from __future__ import annotations

from tap_yuekeyun.signing import sign

VECTOR_PARAMS = {
    "leaseCode": "democs",
    "cinemaLinkId": "1001",
    "_aop_timestamp": "1754000000000",
    "channelCode": "CH01",
    "dataType": "C01",
    "searchDateType": "day",
    "searchDate": "2025-08-01",
}


def test_sign_matches_reference_vector() -> None:
    assert sign("1234567", "test-secret", VECTOR_PARAMS) == (
        "7C5E32C6CB783FF86EE2B820F21981902940A444"
    )


def test_sign_ignores_an_existing_signature_parameter() -> None:
    params = {**VECTOR_PARAMS, "_aop_signature": "OLD"}
    assert sign("1234567", "test-secret", params) == (
        "7C5E32C6CB783FF86EE2B820F21981902940A444"
    )


def test_sign_changes_with_the_secret() -> None:
    assert sign("1234567", "other-secret", VECTOR_PARAMS) != (
        "7C5E32C6CB783FF86EE2B820F21981902940A444"
    )
