"""Decryption of the gateway's download URLs (AES-128-ECB, JVM SHA1PRNG key)."""

from __future__ import annotations

import base64
import binascii
import hashlib

from Crypto.Cipher import AES

from tap_yuekeyun.exceptions import DownloadUrlError

BLOCK_SIZE = 16


def derive_key(lease_code: str) -> bytes:
    """Return the AES key Java's SHA1PRNG seeded with the lease code yields.

    Key = first 16 bytes of SHA1(SHA1(lease code as UTF-8)).
    """
    inner = hashlib.sha1(lease_code.encode("utf-8")).digest()
    return hashlib.sha1(inner).digest()[:BLOCK_SIZE]


class UrlDecrypter:
    """Decrypts the Base64 ciphertexts of one lease code."""

    def __init__(self, lease_code: str) -> None:
        """Derive the key once per lease code."""
        self._key = derive_key(lease_code)

    def decrypt(self, ciphertext: str, *, where: str) -> str:
        """Return the plaintext URL of one ``downloadUrlList`` item.

        Args:
            ciphertext: Standard Base64 text.
            where: What the URL belongs to (category and date), for messages.

        Returns:
            The ASCII URL.

        Raises:
            DownloadUrlError: Invalid Base64, a length not a multiple of 16, a bad
                PKCS#7 pad or non-ASCII plaintext.
        """
        try:
            raw = base64.b64decode(ciphertext, validate=True)
        except (binascii.Error, ValueError) as exc:
            msg = f"Download URL of {where} is not valid Base64"
            raise DownloadUrlError(msg) from exc

        if not raw or len(raw) % BLOCK_SIZE:
            msg = (
                f"Download URL of {where} has {len(raw)} ciphertext bytes, "
                f"not a positive multiple of {BLOCK_SIZE}"
            )
            raise DownloadUrlError(msg)

        padded = AES.new(self._key, AES.MODE_ECB).decrypt(raw)
        plaintext = _remove_pkcs7(padded, where)
        try:
            return plaintext.decode("ascii")
        except UnicodeDecodeError as exc:
            msg = f"Download URL of {where} decrypts to non-ASCII bytes (wrong key?)"
            raise DownloadUrlError(msg) from exc


def _remove_pkcs7(padded: bytes, where: str) -> bytes:
    pad = padded[-1]
    if not 1 <= pad <= BLOCK_SIZE or padded[-pad:] != bytes([pad]) * pad:
        msg = f"Download URL of {where} has an invalid PKCS#7 pad (wrong key?)"
        raise DownloadUrlError(msg)

    return padded[:-pad]
