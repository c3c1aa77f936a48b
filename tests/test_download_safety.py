"""Downloads go only to allowed http(s) hosts, with TLS on; sandboxes stay local."""

from __future__ import annotations

import ast
import datetime as dt
import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from sandbox.cinema import SyntheticCinema
from sandbox.feishu import FeishuSandbox
from sandbox.yuekeyun import YuekeyunSandbox
from tap_yuekeyun.exceptions import DownloadUrlError
from tap_yuekeyun.tap import TapYuekeyun
from tap_yuekeyun.urls import check_download_url

ROOT = Path(__file__).resolve().parent.parent
TAP = Path(sys.executable).with_name("tap-yuekeyun")
PLUGINS = ("tap_yuekeyun", "target_feishu")
WHERE = "C01 2026-11-30"


def _tap_config(gateway: YuekeyunSandbox, **extra: Any) -> dict[str, Any]:
    cinema = gateway.cinemas[0]
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    return {
        "app_key": gateway.app_key,
        "secret_key": gateway.secret_key,
        "channel_code": gateway.channel_code,
        "lease_code": cinema.lease_code,
        "cinema_link_id": cinema.cinema_link_id,
        "base_url": gateway.base_url,
        "start_date": (today - dt.timedelta(days=1)).isoformat(),
        **extra,
    }


def _calls_named(package: str, name: str) -> list[str]:
    """Every ``verify=<literal>`` keyword or ``.verify = <literal>`` in a package."""
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == name:
                found.append(f"{path.name}:{node.value.lineno} {ast.unparse(node)}")
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Attribute) and target.attr == name:
                        found.append(f"{path.name}:{node.lineno} {ast.unparse(node)}")
    return found


@pytest.mark.parametrize("package", PLUGINS)
def test_no_code_switches_tls_verification(package: str) -> None:
    assert _calls_named(package, "verify") == []
    text = "\n".join(
        path.read_text(encoding="utf-8") for path in (ROOT / package).rglob("*.py")
    )
    assert "verify=False" not in text.replace(" ", "")
    assert "disable_warnings" not in text
    assert "CERT_NONE" not in text


@pytest.mark.parametrize("package", PLUGINS)
def test_no_setting_can_switch_tls_verification_off(package: str) -> None:
    about = subprocess.run(
        [
            str(Path(sys.executable).with_name(package.replace("_", "-"))),
            "--about",
            "--format=json",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    settings = json.loads(about.stdout)["settings"]["properties"]
    suspicious = [
        name
        for name in settings
        if any(word in name.lower() for word in ("verify", "ssl", "tls", "insecure"))
    ]
    assert suspicious == []


def test_the_tap_session_verifies_tls_even_with_empty_ca_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An empty CA variable in the environment must not turn verification off.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "")
    monkeypatch.setenv("CURL_CA_BUNDLE", "")
    gateway = YuekeyunSandbox(cinemas=[SyntheticCinema()])
    tap = TapYuekeyun(config=_tap_config(gateway), validate_config=False)
    session = tap.session

    assert session.verify is True
    settings = session.merge_environment_settings(
        "https://lark-bicore.oss-cn-hangzhou.aliyuncs.com/a.csv", {}, None, None, None
    )
    assert settings["verify"] is not False


def test_default_download_hosts_allow_only_aliyun_oss() -> None:
    gateway = YuekeyunSandbox(cinemas=[SyntheticCinema()])
    config = _tap_config(gateway)
    hosts = TapYuekeyun(config=config, validate_config=False).run_settings
    allowed = list(hosts.download_hosts)

    assert allowed == ["*.aliyuncs.com"]
    check_download_url(
        "http://lark-bicore.oss-cn-hangzhou.aliyuncs.com/a.csv", allowed, WHERE
    )
    with pytest.raises(DownloadUrlError):
        check_download_url("http://127.0.0.1/a.csv", allowed, WHERE)


def _listening_addresses(port: int) -> set[str]:
    """Local addresses of the TCP sockets listening on ``port`` (from /proc)."""
    found = set()
    for table, family in (
        ("/proc/net/tcp", socket.AF_INET),
        ("/proc/net/tcp6", socket.AF_INET6),
    ):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].split(":")
            if int(port_hex, 16) != port or fields[3] != "0A":  # 0A = LISTEN
                continue
            raw = bytes.fromhex(address)
            if family == socket.AF_INET:
                found.add(socket.inet_ntop(family, raw[::-1]))
            else:
                words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
                found.add(socket.inet_ntop(family, words))
    return found


def test_both_sandboxes_listen_on_loopback_only(tmp_path: Path) -> None:
    gateway = YuekeyunSandbox(cinemas=[SyntheticCinema()])
    feishu = FeishuSandbox(
        db_path=str(tmp_path / "feishu.sqlite3"), apps={"cli_a": "s"}
    )
    urls = [gateway.start(), feishu.start()]
    try:
        for url in urls:
            port = int(url.rsplit(":", 1)[1].split("/")[0])
            assert url.startswith("http://127.0.0.1:")
            assert _listening_addresses(port) == {"127.0.0.1"}
    finally:
        gateway.stop()
        feishu.stop()


def _run_tap(
    config: dict[str, Any], tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    catalog = subprocess.run(
        [str(TAP), "--config", str(config_path), "--discover"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    chosen = json.loads(catalog.stdout)
    for stream in chosen["streams"]:
        selected = stream["tap_stream_id"] == "ticket_orders"
        for entry in stream["metadata"]:
            if entry["breadcrumb"] == []:
                entry["metadata"]["selected"] = selected
    catalog_path = tmp_path / "catalog.json"
    catalog_path.write_text(json.dumps(chosen), encoding="utf-8")

    return subprocess.run(
        [str(TAP), "--config", str(config_path), "--catalog", str(catalog_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_a_url_on_a_host_outside_download_hosts_is_never_fetched(
    tmp_path: Path,
) -> None:
    # The sandbox's URLs point at 127.0.0.1, which these download_hosts exclude.
    with YuekeyunSandbox(cinemas=[SyntheticCinema(tickets_per_day=5)]) as gateway:
        config = _tap_config(gateway, download_hosts=["*.aliyuncs.com"])
        done = _run_tap(config, tmp_path)
        downloads = list(gateway.downloads)
        answered = [call for call in gateway.calls if call.error_code is None]

    assert done.returncode != 0
    assert answered, "the gateway must have been asked (the URLs exist)"
    assert downloads == []
    assert "download_hosts" in done.stderr
    assert "'127.0.0.1'" in done.stderr
    assert '"type":"RECORD"' not in done.stdout.replace(" ", "")


def test_a_decrypted_url_on_a_foreign_host_stops_the_run(tmp_path: Path) -> None:
    with YuekeyunSandbox(cinemas=[SyntheticCinema(tickets_per_day=5)]) as gateway:
        gateway.faults.foreign_host_url = 1
        gateway.faults.data_types = {"C01"}
        config = _tap_config(gateway, download_hosts=["127.0.0.1"])
        done = _run_tap(config, tmp_path)
        injected = dict(gateway.faults.injected)

    assert injected == {"foreign_host_url": 1}
    assert done.returncode != 0
    assert "evil.example.invalid" in done.stderr
    assert "download_hosts" in done.stderr


def test_the_sandbox_base_url_is_plain_loopback_http() -> None:
    with YuekeyunSandbox(cinemas=[SyntheticCinema()]) as gateway:
        answer = requests.get(gateway.base_url + "/", timeout=5)
    assert gateway.base_url.startswith("http://127.0.0.1:")
    assert answer.status_code in (400, 404)
