"""The Alibaba Ocean ``_aop_signature`` of a gateway request."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

API_PATH = "param2/1/alibaba.dme.lark/dme.lark.data.finance.getFinancialData/"


def url_path_factor(app_key: str) -> str:
    """Return the request path after ``/openapi/``, the first part of the message."""
    return API_PATH + app_key


def sign(app_key: str, secret_key: str, params: Mapping[str, str]) -> str:
    """Compute ``_aop_signature`` for one request.

    Args:
        app_key: The application key (last path segment).
        secret_key: The HMAC key; never sent, never logged.
        params: Every query parameter except ``_aop_signature``, raw values.

    Returns:
        40 uppercase hexadecimal characters.
    """
    concatenated = "".join(
        name + params[name] for name in sorted(params) if name != "_aop_signature"
    )
    message = url_path_factor(app_key) + concatenated
    digest = hmac.new(
        secret_key.encode("utf-8"), message.encode("utf-8"), hashlib.sha1
    ).hexdigest()

    return digest.upper()
