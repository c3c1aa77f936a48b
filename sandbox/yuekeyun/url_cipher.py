"""AES-128-ECB encryption of download URLs, keyed JVM SHA1PRNG style."""

from __future__ import annotations

import base64
import hashlib

from Crypto.Cipher import AES

BLOCK = 16


def lease_key(lease_code: str) -> bytes:
    """First 16 bytes of SHA1(SHA1(lease code)), as Java's SHA1PRNG yields them."""
    inner = hashlib.sha1(lease_code.encode("utf-8")).digest()

    return hashlib.sha1(inner).digest()[:BLOCK]


def pkcs7_pad(data: bytes) -> bytes:
    """Append PKCS#7 padding up to the next whole block (always 1-16 bytes)."""
    size = BLOCK - len(data) % BLOCK

    return data + bytes([size]) * size


def encrypt_blocks(lease_code: str, data: bytes) -> str:
    """Encrypt already block-aligned ``data`` and return standard Base64."""
    cipher = AES.new(lease_key(lease_code), AES.MODE_ECB)

    return base64.b64encode(cipher.encrypt(data)).decode("ascii")


def encrypt_url(lease_code: str, url: str) -> str:
    """The ``downloadUrlList`` entry for ``url``: Base64(AES-ECB(PKCS#7(url)))."""
    return encrypt_blocks(lease_code, pkcs7_pad(url.encode("ascii")))


def short_entry(lease_code: str, url: str) -> str:
    """Fault: Base64 of a ciphertext cut to a length that is not whole blocks."""
    data = base64.b64decode(encrypt_url(lease_code, url))

    return base64.b64encode(data[:-5]).decode("ascii")


def bad_padding_entry(lease_code: str, url: str) -> str:
    """Fault: the URL zero-filled to whole blocks, then a block of zeros (pad 0)."""
    data = url.encode("ascii")
    data += b"\x00" * (-len(data) % BLOCK)

    return encrypt_blocks(lease_code, data + b"\x00" * BLOCK)


def garbage_entry(lease_code: str) -> str:
    """Fault: validly padded bytes that are not an ASCII URL."""
    return encrypt_blocks(lease_code, pkcs7_pad(b"\x89PNG\r\n\x1a\n\xfe\xed" * 4))


def decrypt_url(lease_code: str, entry: str) -> str:
    """Decrypt an entry (for the sandbox's own tests and tools).

    Raises:
        ValueError: the entry is not Base64 of whole blocks with a valid pad.
    """
    data = base64.b64decode(entry, validate=True)
    if not data or len(data) % BLOCK:
        msg = f"ciphertext length {len(data)} is not a multiple of {BLOCK}"
        raise ValueError(msg)
    plain = AES.new(lease_key(lease_code), AES.MODE_ECB).decrypt(data)
    size = plain[-1]
    if not 1 <= size <= BLOCK or plain[-size:] != bytes([size]) * size:
        msg = "bad PKCS#7 padding"
        raise ValueError(msg)

    return plain[:-size].decode("ascii")
