"""The faults the harness injects, and their seeded random schedule."""

from __future__ import annotations

import random
import signal
from collections.abc import Mapping
from dataclasses import dataclass, field

from tests.chaos.process import Kill

# Counters on the sandboxes' ``faults`` objects: "the next N matching requests".
GATEWAY_FAULTS: Mapping[str, str] = {
    "gateway_errors": "gateway answers HTTP 500 isp.InternalError",
    "gateway_busy": "gateway answers HTTP 503 isp.ServiceBusy",
    "gateway_throttle": "gateway answers HTTP 429 gw.QosAppFrequencyLimit",
    "gateway_html_502": "gateway answers an HTML 502 page from the proxy",
    "expired_urls": "file host answers HTTP 403 OSS AccessDenied (URL expired)",
    "truncated_files": "file host cuts the body short (Content-Length too big)",
}
FEISHU_FAULTS: Mapping[str, str] = {
    "rate_limited_429": "Feishu answers HTTP 429 with code 99991400",
    "rate_limited_1254290": "Feishu answers 1254290 TooManyRequest",
    "write_conflicts": "Feishu answers 1254291 Write conflict",
    "data_not_ready": "Feishu answers 1254607 data not ready",
    "commit_then_timeout": "Feishu commits a write, then the answer never comes",
    "html_502": "Feishu's gateway answers an HTML 502 page",
    "server_errors": "Feishu answers HTTP 500 internal error",
    "token_expired": "Feishu answers 99991663 invalid tenant access token",
}
# Switches on the Feishu sandbox's faults object, drawn with the counters.
FEISHU_SWITCHES: Mapping[str, str] = {
    "commit_then_drop": "a commit_then_timeout write drops the connection instead",
    "data_not_ready_after_schema_change": (
        "the first write after a field change answers 1254607 data not ready"
    ),
}
KILLS: Mapping[str, str] = {
    "SIGKILL": "the whole process group of meltano and its plugins is SIGKILLed",
    "SIGTERM": "the whole process group is sent SIGTERM (graceful stop)",
}


@dataclass
class FaultPlan:
    """Everything one run gets: counters per fault, a kill, a token expiry."""

    gateway: dict[str, int] = field(default_factory=dict)
    feishu: dict[str, int] = field(default_factory=dict)
    switches: dict[str, bool] = field(default_factory=dict)
    kill: Kill | None = None
    expire_tokens_after: float | None = None

    @property
    def clean(self) -> bool:
        return (
            not any(self.gateway.values())
            and not any(self.feishu.values())
            and not any(self.switches.values())
            and self.kill is None
            and self.expire_tokens_after is None
        )

    def describe(self) -> str:
        parts = [f"{name}={count}" for name, count in self.gateway.items() if count]
        parts += [f"{name}={count}" for name, count in self.feishu.items() if count]
        parts += [name for name, on in self.switches.items() if on]
        if self.kill is not None:
            parts.append(f"{self.kill.name}@{self.kill.after_seconds:.2f}s")
        if self.expire_tokens_after is not None:
            parts.append(f"expire_tokens@{self.expire_tokens_after:.2f}s")

        return ", ".join(parts) or "no faults"


def draw_plan(
    rng: random.Random,
    expected_seconds: float,
    kill_probability: float = 0.3,
) -> FaultPlan:
    """Draw a random plan: a few fault kinds, a count each, maybe a kill.

    Args:
        rng: the sequence's generator (``random.Random(seed + sequence)``).
        expected_seconds: how long a clean run lasts, to place the kill inside it.
        kill_probability: chance that this run is killed at a random moment.
    """
    plan = FaultPlan()
    for name in rng.sample(sorted(GATEWAY_FAULTS), k=rng.randint(0, 3)):
        plan.gateway[name] = rng.randint(1, 3)
    for name in rng.sample(sorted(FEISHU_FAULTS), k=rng.randint(0, 3)):
        plan.feishu[name] = rng.randint(1, 3)
    if plan.feishu.get("commit_then_timeout"):
        plan.switches["commit_then_drop"] = rng.random() < 0.5
    plan.switches["data_not_ready_after_schema_change"] = rng.random() < 0.15
    if rng.random() < 0.2:
        plan.expire_tokens_after = rng.uniform(0.0, expected_seconds)
    if rng.random() < kill_probability:
        signal_number = signal.SIGTERM if rng.random() < 0.25 else signal.SIGKILL
        plan.kill = Kill(signal_number, rng.uniform(0.3, expected_seconds * 1.1))

    return plan


def _set_counter(faults: object, name: str, value: int | bool) -> None:
    if isinstance(faults, dict):
        faults[name] = value
    else:
        setattr(faults, name, value)


def apply_plan(plan: FaultPlan, gateway_faults: object, feishu_faults: object) -> None:
    """Reset every counter of both sandboxes, then arm the plan's."""
    for name in GATEWAY_FAULTS:
        _set_counter(gateway_faults, name, plan.gateway.get(name, 0))
    for name in FEISHU_FAULTS:
        _set_counter(feishu_faults, name, plan.feishu.get(name, 0))
    for name in FEISHU_SWITCHES:
        _set_counter(feishu_faults, name, plan.switches.get(name, False))
