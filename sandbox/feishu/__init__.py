"""Loopback emulator of the Feishu Open API: tenant tokens, wiki nodes, Bitable."""

from __future__ import annotations

from sandbox.feishu.dispatch import CallRecord
from sandbox.feishu.limits import FeishuFaults
from sandbox.feishu.server import FeishuSandbox, PageServer, serve_page

__all__ = ["CallRecord", "FeishuFaults", "FeishuSandbox", "PageServer", "serve_page"]
