"""Shared helpers of the gateway-sandbox tests: an independent tiny client."""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import time
from typing import Any

import requests
from Crypto.Cipher import AES

from sandbox.yuekeyun import YuekeyunSandbox

API = "param2/1/alibaba.dme.lark/dme.lark.data.finance.getFinancialData"
APP_KEY = "sandbox-app"
SECRET = "sandbox-secret"


def sign(secret: str, app_key: str, params: dict[str, str]) -> str:
    """Ocean signature, written from the reference for the tests alone."""
    text = f"{API}/{app_key}" + "".join(
        name + params[name] for name in sorted(params) if name != "_aop_signature"
    )
    digest = hmac.new(secret.encode(), text.encode(), hashlib.sha1).hexdigest()

    return digest.upper()


def query_params(
    data_type: str = "C01",
    search_date_type: str = "day",
    search_date: str = "2026-11-30",
    **overrides: str,
) -> dict[str, str]:
    """Signed parameters for a query (``overrides`` apply before signing)."""
    params = {
        "leaseCode": "democs",
        "cinemaLinkId": "1001",
        "_aop_timestamp": str(int(time.time() * 1000)),
        "channelCode": "SANDBOX",
        "dataType": data_type,
        "searchDateType": search_date_type,
        "searchDate": search_date,
    }
    params.update(overrides)
    params["_aop_signature"] = sign(SECRET, APP_KEY, params)

    return params


def gateway_url(gateway: YuekeyunSandbox, app_key: str = APP_KEY) -> str:
    """The full gateway URL of ``getFinancialData``."""
    return f"{gateway.base_url}/openapi/{API}/{app_key}"


def ask(gateway: YuekeyunSandbox, *args: str, **overrides: str) -> requests.Response:
    """One signed GET to the gateway."""
    return requests.get(
        gateway_url(gateway), params=query_params(*args, **overrides), timeout=10
    )


def entries(response: requests.Response) -> list[str]:
    """The ``downloadUrlList`` of a success answer."""
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()

    return list(body["data"]["bizData"]["downloadUrlList"])


def raw_decrypt(lease_code: str, entry: str) -> bytes:
    """AES-128-ECB decryption without unpadding (key from the lease code)."""
    key = hashlib.sha1(hashlib.sha1(lease_code.encode()).digest()).digest()[:16]
    data = base64.b64decode(entry)

    return AES.new(key, AES.MODE_ECB).decrypt(data)


def decrypt(lease_code: str, entry: str) -> str:
    """Decrypt an entry and strictly remove its PKCS#7 padding."""
    plain = raw_decrypt(lease_code, entry)
    size = plain[-1]
    assert 1 <= size <= 16
    assert plain[-size:] == bytes([size]) * size

    return plain[:-size].decode("ascii")


def parse_file(data: bytes) -> tuple[list[str], list[str], list[list[str]]]:
    """Split a served file into (comment + title lines, header, rows)."""
    text = data.decode("gbk")
    lines = text.split("\r\n", 3)
    records = list(csv.reader(io.StringIO(lines[3], newline="")))

    return lines[:3], records[0], records[1:]


def as_dicts(header: list[str], rows: list[list[str]]) -> list[dict[str, str]]:
    """Rows keyed by header, failing on any ragged row."""
    return [dict(zip(header, row, strict=True)) for row in rows]
