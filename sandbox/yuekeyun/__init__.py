"""Loopback emulator of the Yuekeyun gateway and its OSS file host."""

from __future__ import annotations

from sandbox.yuekeyun.faults import GatewayFaults
from sandbox.yuekeyun.journal import FileDownload, GatewayCall
from sandbox.yuekeyun.server import YuekeyunSandbox

__all__ = ["FileDownload", "GatewayCall", "GatewayFaults", "YuekeyunSandbox"]
