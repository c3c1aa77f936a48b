"""URL decryption: the JVM fixtures, the reference vector and bad ciphertexts."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from Crypto.Cipher import AES

from tap_yuekeyun.cipher import UrlDecrypter, derive_key
from tap_yuekeyun.exceptions import DownloadUrlError

FIXTURES = Path("/work/shared/fixtures/jvm-sha1prng")
REFERENCE_PLAINTEXT = (
    "http://example-bucket.oss-cn-hangzhou.aliyuncs.com/bicore/open/democs/C01/"
    "0123456789abcdef0123456789abcdef/2025-08-01%2006%3A00%3A00_2025-08-02%2005%3A59"
    "%3A59.csv?Expires=1754100000&OSSAccessKeyId=EXAMPLEKEYID&Signature=EXAMPLESIG%3D"
)
REFERENCE_CIPHERTEXT = (
    "XMppefv1gZEbKORcyFV3+mAXdR8WKlgx2DXY+n2H3veQLmor7i884kji578bQBhfHacgrzUwfxvqSow0"
    "XW+CIQjYvhxJCTu8i4SwME2TmvqJ/Do30/XSBpCTTMBKwymXmHy9x+HbWWQotElnOZZRFNLDMs5ZrgHd"
    "e6EbW+vjRdtPXPkkPdSIo/LopaDBBf685iw0bQKKEtz59QH5omNIUr9YlO7IMSDILo1p6wQn/B4+qev5"
    "D1whdb9JWI3FmxjOteLLFCCXPo4xfLAoRnBu3D5kWnEZRFp8Di8vzjlstPlakaF799EE2dy0JD9lDiVk"
)


# The fixture files are named by the lower-cased seed; the JVM seeded with the
# lease code exactly as it appears in the URLs (case matters to SHA-1).
SEEDS = {"democs": "democs", "bj-cinema-0042": "BJ-CINEMA-0042"}


def fixture_lines() -> list[tuple[str, str, str]]:
    lines = []
    for path in sorted(FIXTURES.glob("*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                ciphertext, plaintext = line.split("\t")
                lines.append((SEEDS[path.stem], ciphertext, plaintext))
    return lines


def encrypt_raw(lease_code: str, raw: bytes) -> str:
    cipher = AES.new(derive_key(lease_code), AES.MODE_ECB)
    return base64.b64encode(cipher.encrypt(raw)).decode("ascii")


def test_fixtures_are_present() -> None:
    assert len(fixture_lines()) == 6


@pytest.mark.parametrize(("lease_code", "ciphertext", "plaintext"), fixture_lines())
def test_decrypt_every_jvm_fixture_line(
    lease_code: str, ciphertext: str, plaintext: str
) -> None:
    assert UrlDecrypter(lease_code).decrypt(ciphertext, where="C01 day") == plaintext


def test_decrypt_reference_vector() -> None:
    decrypted = UrlDecrypter("democs").decrypt(REFERENCE_CIPHERTEXT, where="C01")
    assert decrypted == REFERENCE_PLAINTEXT


def test_derive_key_matches_reference_hex() -> None:
    assert derive_key("democs").hex().upper() == "E62965DCD6E50C965A29B1F474197743"


def test_decrypt_rejects_length_not_multiple_of_16() -> None:
    ciphertext = base64.b64encode(b"x" * 20).decode("ascii")
    with pytest.raises(DownloadUrlError) as caught:
        UrlDecrypter("democs").decrypt(ciphertext, where="C01 day 2026-11-30")
    assert str(caught.value) == (
        "Download URL of C01 day 2026-11-30 has 20 ciphertext bytes, "
        "not a positive multiple of 16"
    )


def test_decrypt_rejects_bad_padding() -> None:
    ciphertext = encrypt_raw("democs", b"http://x/a.csv\x03\x02")
    with pytest.raises(DownloadUrlError) as caught:
        UrlDecrypter("democs").decrypt(ciphertext, where="C02 day 2026-11-30")
    assert str(caught.value) == (
        "Download URL of C02 day 2026-11-30 has an invalid PKCS#7 pad (wrong key?)"
    )


def test_decrypt_rejects_zero_pad_byte() -> None:
    ciphertext = encrypt_raw("democs", b"http://x/a.csv!\x00")
    with pytest.raises(DownloadUrlError, match="invalid PKCS#7 pad"):
        UrlDecrypter("democs").decrypt(ciphertext, where="C02 day 2026-11-30")


def test_decrypt_rejects_invalid_base64() -> None:
    with pytest.raises(DownloadUrlError) as caught:
        UrlDecrypter("democs").decrypt("not base64!!", where="C03 month 2026-10")
    assert str(caught.value) == "Download URL of C03 month 2026-10 is not valid Base64"


def test_decrypt_rejects_empty_ciphertext() -> None:
    with pytest.raises(DownloadUrlError, match="0 ciphertext bytes"):
        UrlDecrypter("democs").decrypt("", where="C03 month 2026-10")


def test_decrypt_rejects_non_ascii_plaintext() -> None:
    ciphertext = encrypt_raw("democs", "http://x/票.csv".encode() + bytes([16]) * 16)
    with pytest.raises(DownloadUrlError) as caught:
        UrlDecrypter("democs").decrypt(ciphertext, where="C04 day 2026-11-30")
    assert str(caught.value) == (
        "Download URL of C04 day 2026-11-30 decrypts to non-ASCII bytes (wrong key?)"
    )


def test_lease_code_is_case_sensitive() -> None:
    _, ciphertext, _ = fixture_lines()[0]
    with pytest.raises(DownloadUrlError, match="wrong key"):
        UrlDecrypter("bj-cinema-0042").decrypt(ciphertext, where="C18 day")


def test_decrypt_with_wrong_lease_code_fails_cleanly() -> None:
    with pytest.raises(DownloadUrlError, match="wrong key"):
        UrlDecrypter("other").decrypt(REFERENCE_CIPHERTEXT, where="C01 day")
