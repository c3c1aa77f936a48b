"""Chaos harness: the main job under faults, kills and moving data."""
