"""Bad-input corpus, URL side: ciphertexts and decrypted URLs the tap must refuse.

Ciphertexts are made here with our own AES-128-ECB and JVM SHA1PRNG key code
(pycryptodome), checked first against the JVM-made fixtures, so a wrong length,
a wrong pad or a URL that decrypts to garbage can be crafted on purpose.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
from Crypto.Cipher import AES

from tap_yuekeyun.cipher import UrlDecrypter
from tap_yuekeyun.exceptions import DownloadUrlError
from tap_yuekeyun.urls import check_download_url

FIXTURES = Path("/work/shared/fixtures/jvm-sha1prng")
URLS_FILE = Path(__file__).with_name("files") / "refused_urls.txt"
LEASE_CODE = "democs"
WHERE = "C01 2026-11-30"
GOOD_URL = (
    "http://127.0.0.1:8123/bicore/open/democs/C01/0123456789abcdef0123456789abcdef/"
    "2026-11-30%2006%3A00%3A00_2026-12-01%2005%3A59%3A59.csv"
    "?Expires=1764900000&OSSAccessKeyId=KEYID&Signature=SIG%3D"
)


def jvm_key(seed: str) -> bytes:
    """Java SHA1PRNG seeded with ``seed`` → 128-bit AES key (Sun provider)."""
    return hashlib.sha1(hashlib.sha1(seed.encode("utf-8")).digest()).digest()[:16]


def encrypt(plain: bytes, seed: str = LEASE_CODE, pad: bool = True) -> str:
    if pad:
        size = 16 - len(plain) % 16
        plain += bytes([size]) * size
    cipher = AES.new(jvm_key(seed), AES.MODE_ECB)
    return base64.b64encode(cipher.encrypt(plain)).decode("ascii")


def fixture_pairs() -> list[tuple[str, str, str]]:
    """(lease code, ciphertext, URL) of every fixture line.

    The file name is the lease code in lower case; its spelling is the one in
    the URLs' ``/open/<lease code>/`` segment.
    """
    pairs = []
    for path in sorted(FIXTURES.glob("*.tsv")):
        lines = [
            line.split("\t")
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        spelled = {
            url.split("/open/")[1].split("/")[0] for _, url in lines if "/open/" in url
        }
        (lease_code,) = {code for code in spelled if code.lower() == path.stem}
        pairs += [(lease_code, ciphertext, url) for ciphertext, url in lines]
    return pairs


@pytest.mark.parametrize(("seed", "ciphertext", "plaintext"), fixture_pairs())
def test_our_cipher_matches_the_jvm_fixtures(
    seed: str, ciphertext: str, plaintext: str
) -> None:
    # Control: our crafting code is the JVM's, so the broken inputs below are
    # broken only where we break them.
    assert encrypt(plaintext.encode("ascii"), seed) == ciphertext
    assert UrlDecrypter(seed).decrypt(ciphertext, where=WHERE) == plaintext


def test_a_well_made_url_decrypts_exactly() -> None:
    assert UrlDecrypter(LEASE_CODE).decrypt(
        encrypt(GOOD_URL.encode()), where=WHERE
    ) == (GOOD_URL)


def _wrong_pad_inside() -> str:
    # The last byte says 4, but the bytes before it are not all 4.
    body = GOOD_URL.encode()[:44] + b"\x01\x02\x03\x04"
    return encrypt(body, pad=False)


@pytest.mark.parametrize(
    ("label", "ciphertext", "fragment"),
    [
        ("not Base64", "@@not-base64@@", "not valid Base64"),
        ("empty", "", "0 ciphertext bytes"),
        (
            "17 bytes",
            base64.b64encode(b"x" * 17).decode(),
            "17 ciphertext bytes, not a positive multiple of 16",
        ),
        ("pad byte 0", encrypt(GOOD_URL.encode()[:47] + b"\x00", pad=False), "PKCS#7"),
        ("pad byte 17", encrypt(GOOD_URL.encode()[:47] + b"\x11", pad=False), "PKCS#7"),
        ("inconsistent pad", _wrong_pad_inside(), "PKCS#7"),
        (
            "other lease code's key",
            encrypt(GOOD_URL.encode(), seed="other"),
            "wrong key",
        ),
    ],
)
def test_broken_ciphertext_stops_with_an_error_naming_the_url(
    label: str, ciphertext: str, fragment: str
) -> None:
    with pytest.raises(DownloadUrlError) as caught:
        UrlDecrypter(LEASE_CODE).decrypt(ciphertext, where=WHERE)

    message = str(caught.value)
    assert WHERE in message, label
    assert fragment in message, label


def refused_urls() -> list[tuple[str, str]]:
    entries = []
    for line in URLS_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            url, fragment = line.split("\t")
            entries.append((url, fragment))
    return entries


@pytest.mark.parametrize(("url", "fragment"), refused_urls())
def test_url_outside_download_hosts_is_never_fetched(url: str, fragment: str) -> None:
    with pytest.raises(DownloadUrlError) as caught:
        check_download_url(url, ["127.0.0.1", "*.aliyuncs.com"], WHERE)

    message = str(caught.value)
    assert WHERE in message
    assert "download_hosts" in message
    assert fragment in message


def test_garbage_plaintext_is_refused_as_a_url() -> None:
    garbage = UrlDecrypter(LEASE_CODE).decrypt(
        encrypt(b"this is not a url at all"), where=WHERE
    )
    with pytest.raises(DownloadUrlError) as caught:
        check_download_url(garbage, ["127.0.0.1"], WHERE)

    assert "not an http(s) URL" in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        GOOD_URL,
        "https://lark-bicore.oss-cn-hangzhou.aliyuncs.com/bicore/open/x/C01/a.csv",
        "http://LARK-BICORE.OSS-CN-HANGZHOU.ALIYUNCS.COM/bicore/open/x/C01/a.csv",
    ],
)
def test_url_on_an_allowed_host_passes(url: str) -> None:
    check_download_url(url, ["127.0.0.1", "*.aliyuncs.com"], WHERE)
