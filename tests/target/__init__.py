"""Tests of target-feishu against the Feishu sandbox."""
