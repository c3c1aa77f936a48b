"""The sandbox's signing and URL encryption against the reference vectors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sandbox.yuekeyun.signing import aop_signature, string_to_sign
from sandbox.yuekeyun.url_cipher import decrypt_url, encrypt_url, lease_key

FIXTURES = Path("/work/shared/fixtures/jvm-sha1prng")
VECTOR = {
    "leaseCode": "democs",
    "cinemaLinkId": "1001",
    "_aop_timestamp": "1754000000000",
    "channelCode": "CH01",
    "dataType": "C01",
    "searchDateType": "day",
    "searchDate": "2025-08-01",
}
REFERENCE_URL = (
    "http://example-bucket.oss-cn-hangzhou.aliyuncs.com/bicore/open/democs/C01/"
    "0123456789abcdef0123456789abcdef/2025-08-01%2006%3A00%3A00_2025-08-02%2005%3A59"
    "%3A59.csv?Expires=1754100000&OSSAccessKeyId=EXAMPLEKEYID&Signature=EXAMPLESIG%3D"
)
REFERENCE_CIPHERTEXT = (
    "XMppefv1gZEbKORcyFV3+mAXdR8WKlgx2DXY+n2H3veQLmor7i884kji578bQBhfHacgrzUwfxvqSow0X"
    "W+CIQjYvhxJCTu8i4SwME2TmvqJ/Do30/XSBpCTTMBKwymXmHy9x+HbWWQotElnOZZRFNLDMs5ZrgHde6E"
    "bW+vjRdtPXPkkPdSIo/LopaDBBf685iw0bQKKEtz59QH5omNIUr9YlO7IMSDILo1p6wQn/B4+qev5D1wh"
    "db9JWI3FmxjOteLLFCCXPo4xfLAoRnBu3D5kWnEZRFp8Di8vzjlstPlakaF799EE2dy0JD9lDiVk"
)


def fixture_lines() -> list[tuple[str, str, str]]:
    """(seed, ciphertext, plaintext) for every line of the JVM fixtures.

    The seed is the lease code the file's URLs carry in ``/open/{lease}/``; it
    equals the file name up to case (``bj-cinema-0042.tsv`` holds ciphertexts
    made with ``BJ-CINEMA-0042``).
    """
    found: list[tuple[str, str, str]] = []
    for path in sorted(FIXTURES.glob("*.tsv")):
        pairs = [line.split("\t") for line in path.read_text("utf-8").splitlines()]
        leases = {m[1] for _, url in pairs if (m := re.search(r"/open/([^/]+)/", url))}
        assert len(leases) == 1
        seed = leases.pop()
        assert seed.lower() == path.stem.lower()
        found.extend((seed, cipher, plain) for cipher, plain in pairs)

    return found


def test_signature_reference_vector() -> None:
    expected_text = (
        "param2/1/alibaba.dme.lark/dme.lark.data.finance.getFinancialData/1234567"
        "_aop_timestamp1754000000000channelCodeCH01cinemaLinkId1001dataTypeC01"
        "leaseCodedemocssearchDate2025-08-01searchDateTypeday"
    )
    assert string_to_sign("1234567", VECTOR) == expected_text
    assert (
        aop_signature("test-secret", "1234567", VECTOR)
        == "7C5E32C6CB783FF86EE2B820F21981902940A444"
    )


def test_signature_ignores_the_signature_parameter() -> None:
    signed = {**VECTOR, "_aop_signature": "ANYTHING"}
    assert aop_signature("test-secret", "1234567", signed) == (
        "7C5E32C6CB783FF86EE2B820F21981902940A444"
    )


def test_lease_key_matches_the_reference_demo_key() -> None:
    assert lease_key("democs").hex().upper() == "E62965DCD6E50C965A29B1F474197743"


def test_encrypt_url_reference_vector() -> None:
    assert encrypt_url("democs", REFERENCE_URL) == REFERENCE_CIPHERTEXT
    assert decrypt_url("democs", REFERENCE_CIPHERTEXT) == REFERENCE_URL


def test_fixtures_cover_both_files() -> None:
    seeds = sorted({seed for seed, _, _ in fixture_lines()})
    assert seeds == ["BJ-CINEMA-0042", "democs"]
    assert len(fixture_lines()) == 6


@pytest.mark.parametrize(("seed", "ciphertext", "plaintext"), fixture_lines())
def test_encrypt_url_matches_jvm_fixture(
    seed: str, ciphertext: str, plaintext: str
) -> None:
    assert encrypt_url(seed, plaintext) == ciphertext
    assert decrypt_url(seed, ciphertext) == plaintext


def test_decrypt_url_rejects_a_wrong_lease_code() -> None:
    with pytest.raises((ValueError, UnicodeDecodeError)):
        decrypt_url("another-lease", REFERENCE_CIPHERTEXT)
