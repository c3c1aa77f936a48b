"""No secret reaches stdout, stderr, Meltano's logs or the state, at DEBUG too.

The main job runs through Meltano against both sandboxes, behind a recording
proxy that sees every request: so the test knows the exact tenant tokens the
Feishu sandbox issued, the ``_aop_signature`` values the tap sent and the OSS
``Signature``/``OSSAccessKeyId``/``Expires`` of every download URL, and looks
for each of them (and the two configured secrets) in everything the run left.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from Crypto.Cipher import AES

from tests.chaos.harness import STREAMS, job_settings
from tests.chaos.process import run_job
from tests.chaos.project import MeltanoProject, prepare_project, write_catalog
from tests.chaos.recorder import Exchange, RecordingProxy
from tests.chaos.sandboxes import CinemaSpec, Sandboxes, business_today

pytestmark = pytest.mark.e2e

SECRET_KEY = "YKY-SECRET-k7Q2xV9pLm4Rt8Wz"
FEISHU_SECRET = "FEISHU-SECRET-b3Nc6Hs1Jd5Ge0Ya"
WRONG_SECRET_KEY = "YKY-WRONG-SECRET-u2Ti9Oq4Ew7Ry1"
WRONG_FEISHU_SECRET = "FEISHU-WRONG-SECRET-z8Xc3Vb6Nm1Lk"
DEBUG_ENV = {
    "LOGLEVEL": "DEBUG",
    "TAP_YUEKEYUN_LOGLEVEL": "DEBUG",
    "TAP_YUEKEYUN_LOG_LEVEL": "DEBUG",
    "TARGET_FEISHU_LOGLEVEL": "DEBUG",
    "TARGET_FEISHU_LOG_LEVEL": "DEBUG",
}
# Files the run leaves that are not the product's output: the sandbox's own
# database, and Meltano's temporary plugin configs (which hold the settings).
NOT_OUTPUT = ("feishu.sqlite3", "/.meltano/run/")


@pytest.fixture(scope="module")
def project() -> MeltanoProject:
    return prepare_project()


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_catalog(tmp_path_factory.mktemp("catalog") / "catalog.json", STREAMS)


@dataclass
class Leftovers:
    """Everything a run wrote that a person or a log shipper could read."""

    returncode: int
    texts: dict[str, str]

    def lines(self) -> Iterator[tuple[str, str]]:
        for name, text in self.texts.items():
            for line in text.splitlines():
                yield name, line


def _jvm_key(lease_code: str) -> bytes:
    return hashlib.sha1(hashlib.sha1(lease_code.encode()).digest()).digest()[:16]


def _decrypt(lease_code: str, entry: str) -> str:
    plain = AES.new(_jvm_key(lease_code), AES.MODE_ECB).decrypt(base64.b64decode(entry))
    return plain[: -plain[-1]].decode("ascii")


def secrets_seen(
    exchanges: list[Exchange], lease_code: str, configured: list[str]
) -> dict[str, set[str]]:
    """Every secret value that went over the wire, by kind."""
    found: dict[str, set[str]] = {
        "configured secret": set(configured),
        "tenant token": set(),
        "_aop_signature": set(),
        "OSS Signature": set(),
        "OSSAccessKeyId": set(),
        "OSS Expires": set(),
    }
    for exchange in exchanges:
        query = parse_qs(urlsplit(exchange.path).query)
        found["_aop_signature"].update(query.get("_aop_signature", []))
        bearer = exchange.headers.get("Authorization", "")
        if bearer.startswith("Bearer "):
            found["tenant token"].add(bearer.removeprefix("Bearer "))
        try:
            answer = json.loads(exchange.answer)
        except ValueError:
            continue
        if isinstance(answer, dict) and answer.get("tenant_access_token"):
            found["tenant token"].add(str(answer["tenant_access_token"]))
        entries = (
            ((answer.get("data") or {}).get("bizData") or {}).get("downloadUrlList")
            if isinstance(answer, dict) and isinstance(answer.get("data"), dict)
            else None
        )
        for entry in entries or []:
            url_query = parse_qs(urlsplit(_decrypt(lease_code, entry)).query)
            signature = url_query["Signature"][0]
            found["OSS Signature"].update({signature, unquote(signature)})
            found["OSSAccessKeyId"].update(url_query["OSSAccessKeyId"])
            found["OSS Expires"].update(url_query["Expires"])

    return found


def run_main_job(
    tmp_path: Path,
    project: MeltanoProject,
    catalog: Path,
    *,
    tap_secret: str = SECRET_KEY,
    target_secret: str = FEISHU_SECRET,
    faults: dict[str, int] | None = None,
) -> tuple[Leftovers, dict[str, set[str]]]:
    cinema = CinemaSpec(7, "scan0001", "7001", "扫描影城", 8)
    sandboxes = Sandboxes(
        tmp_path, cinema, None, secret_key=SECRET_KEY, feishu_app_secret=FEISHU_SECRET
    )
    sandboxes.start()
    gateway_proxy = RecordingProxy(sandboxes.gateway_url)
    feishu_proxy = RecordingProxy(sandboxes.feishu_url)
    try:
        for name, count in (faults or {}).items():
            owner = (
                sandboxes.gateway
                if hasattr(sandboxes.gateway.faults, name)
                else sandboxes.feishu
            )
            setattr(owner.faults, name, count)
        env = project.sequence_env(tmp_path)
        env.update(
            job_settings(
                sandboxes,
                business_today() - dt.timedelta(days=2),
                catalog,
                gateway_url=gateway_proxy.start(),
                feishu_url=feishu_proxy.start(),
            )
        )
        env.update(DEBUG_ENV)
        env["SECRET_KEY"] = tap_secret
        env["FEISHU_APP_SECRET"] = target_secret
        result = run_job(
            project.command(force=False, log_level="debug"),
            cwd=project.root,
            env=env,
            log_dir=tmp_path / "run",
            timeout_seconds=300,
        )
    finally:
        gateway_proxy.stop()
        feishu_proxy.stop()
        sandboxes.stop()

    texts = {"stdout": result.stdout, "stderr": result.stderr}
    for path in sorted(tmp_path.rglob("*")):
        if path.is_file() and not any(part in str(path) for part in NOT_OUTPUT):
            texts[str(path.relative_to(tmp_path))] = path.read_text(
                encoding="utf-8", errors="replace"
            )
    seen = secrets_seen(
        gateway_proxy.exchanges + feishu_proxy.exchanges,
        cinema.lease_code,
        [SECRET_KEY, FEISHU_SECRET, tap_secret, target_secret],
    )
    return Leftovers(result.returncode, texts), seen


def leaks(leftovers: Leftovers, seen: dict[str, set[str]]) -> list[str]:
    found = []
    for name, line in leftovers.lines():
        for kind, values in seen.items():
            for value in values:
                if value and value in line:
                    found.append(f"{kind} in {name}: {line[:200]}")
        for pattern in (
            r"Signature=(?!<redacted>|\*)[^&\s]+",
            r"Bearer [A-Za-z0-9._-]{8,}",
        ):
            if re.search(pattern, line):
                found.append(f"{pattern} in {name}: {line[:200]}")
    return found


def _assert_debug_output(leftovers: Leftovers) -> None:
    stderr = leftovers.texts["stderr"]
    assert "[debug" in stderr, "meltano --log-level=debug must show DEBUG lines"
    assert re.search(r"tap-yuekeyun .*(DEBUG|debug)|\[debug\s*\] tap-yuekeyun", stderr)


def test_a_debug_run_with_retried_faults_leaks_nothing(
    tmp_path: Path, project: MeltanoProject, catalog: Path
) -> None:
    faults = {
        "gateway_errors": 1,
        "expired_urls": 1,
        "truncated_files": 1,
        "token_expired": 1,
        "rate_limited_429": 1,
        "server_errors": 1,
    }
    leftovers, seen = run_main_job(tmp_path, project, catalog, faults=faults)

    assert leftovers.returncode == 0, leftovers.texts["stderr"][-3000:]
    _assert_debug_output(leftovers)
    for kind in ("tenant token", "_aop_signature", "OSS Signature", "OSSAccessKeyId"):
        assert seen[kind], f"the proxy saw no {kind}: the scan would be vacuous"
    assert any(name.endswith("state.json") for name in leftovers.texts)
    assert any(name.endswith("elt.log") for name in leftovers.texts)
    assert leaks(leftovers, seen) == []


def test_a_wrong_yuekeyun_secret_fails_without_showing_it(
    tmp_path: Path, project: MeltanoProject, catalog: Path
) -> None:
    leftovers, seen = run_main_job(
        tmp_path, project, catalog, tap_secret=WRONG_SECRET_KEY
    )

    assert leftovers.returncode != 0
    assert "gw.SignatureInvalid" in leftovers.texts["stderr"]
    assert seen["_aop_signature"]
    assert leaks(leftovers, seen) == []


def test_a_wrong_feishu_secret_fails_without_showing_it(
    tmp_path: Path, project: MeltanoProject, catalog: Path
) -> None:
    leftovers, seen = run_main_job(
        tmp_path, project, catalog, target_secret=WRONG_FEISHU_SECRET
    )

    assert leftovers.returncode != 0
    assert "app_secret" in leftovers.texts["stderr"]
    assert leaks(leftovers, seen) == []


def test_the_scan_finds_each_kind_of_planted_secret() -> None:
    seen = {"tenant token": {"t-abc123"}, "OSS Signature": {"c2lnbmF0dXJl"}}
    leftovers = Leftovers(
        0,
        {
            "stderr": "GET /x?Signature=c2lnbmF0dXJl\nAuthorization: Bearer t-abc123",
            "state.json": '{"ok": true}',
        },
    )
    assert len(leaks(leftovers, seen)) == 4
    assert leaks(Leftovers(0, {"stderr": "Signature=<redacted>"}), seen) == []
