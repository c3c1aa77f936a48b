"""Run the tap with ``python -m tap_yuekeyun``."""

from __future__ import annotations

from tap_yuekeyun.tap import TapYuekeyun

TapYuekeyun.cli()
