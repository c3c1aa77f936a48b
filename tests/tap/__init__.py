"""Tests of tap_yuekeyun."""
