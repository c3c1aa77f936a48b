"""Alibaba Ocean ``_aop_signature`` and the file host's URL signature."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping

API_PATH = "param2/1/alibaba.dme.lark/dme.lark.data.finance.getFinancialData"
SIGNATURE_PARAMETER = "_aop_signature"


def string_to_sign(app_key: str, parameters: Mapping[str, str]) -> str:
    """The Ocean string-to-sign: path factor, then sorted ``name + value`` pairs.

    Args:
        app_key: The app key, last segment of the API path.
        parameters: The request parameters, raw (not URL-encoded) values;
            ``_aop_signature`` is left out if present.

    Returns:
        The text the HMAC is computed over.
    """
    pairs = sorted(
        (name, value)
        for name, value in parameters.items()
        if name != SIGNATURE_PARAMETER
    )

    return f"{API_PATH}/{app_key}" + "".join(name + value for name, value in pairs)


def aop_signature(secret_key: str, app_key: str, parameters: Mapping[str, str]) -> str:
    """HMAC-SHA1 of the string-to-sign, as 40 uppercase hex digits."""
    message = string_to_sign(app_key, parameters).encode("utf-8")
    digest = hmac.new(secret_key.encode("utf-8"), message, hashlib.sha1).hexdigest()

    return digest.upper()


def signature_matches(
    secret_key: str, app_key: str, parameters: Mapping[str, str], given: str
) -> bool:
    """Whether ``given`` is exactly the signature of ``parameters``."""
    expected = aop_signature(secret_key, app_key, parameters)

    return hmac.compare_digest(expected, given)


def file_signature(oss_secret: str, path: str, expires: int) -> str:
    """An OSS-V1-like signature (Base64 HMAC-SHA1) of a file path and expiry."""
    message = f"GET\n\n\n{expires}\n{path}".encode()
    digest = hmac.new(oss_secret.encode("utf-8"), message, hashlib.sha1).digest()

    return base64.b64encode(digest).decode("ascii")
