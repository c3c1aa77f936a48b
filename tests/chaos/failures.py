"""Reading a failed run's output: did it say what failed, and what was it?"""

from __future__ import annotations

import re

# Meltano relays a plugin's fatal error as an [error] line of that plugin, with
# the exception's type in ``plugin_exc_type=``.
_PLUGIN_ERROR = re.compile(
    r"\[error\s*\]\s+(?P<plugin>tap-yuekeyun|target-feishu)\s+(?P<message>.*)$"
)
_EXC_TYPE = re.compile(r"plugin_exc_type=(?P<type>\S+)")
_EXC_MESSAGE = re.compile(r"\s+plugin_exc_message=.*$")
# A message says what failed when it names an endpoint, a file, a code or a
# setting, as the tap's and the target's error messages do.
_SPECIFIC = re.compile(
    r"/open-apis/|getFinancialData|\.csv|HTTP \d{3}|code \d+|isp\.|gw\.|isv\.|"
    r"timed? ?out|setting|download_hosts|expired|truncated|\bC\d{2}\b",
    re.IGNORECASE,
)
_FILE = re.compile(r"\.\.\./C\d{2}/\S+?\.csv")
_VOLATILE = re.compile(
    r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}:\d{2}(\.\d+)?)?|[0-9a-f]{32}|"
    r"(?<![C\d])(?<!HTTP )(?<!code )\d+(\.\d+)?"
)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def plugin_errors(output: str) -> list[tuple[str, str]]:
    """Every error line of a plugin, as (plugin, message), exceptions first.

    A line with ``plugin_exc_type=`` carries the exception that stopped the
    plugin; it comes before generic lines ("An unhandled error occurred ...").
    """
    found: list[tuple[bool, str, str]] = []
    for raw in output.splitlines():
        line = _ANSI.sub("", raw).rstrip()
        match = _PLUGIN_ERROR.search(line)
        if match is None:
            continue
        message = _EXC_MESSAGE.sub("", match.group("message")).strip()
        kind = _EXC_TYPE.search(line)
        if kind is not None:
            message = f"{kind.group('type')}: {message}"
        found.append((kind is None, match.group("plugin"), message))

    return [
        (plugin, message) for _, plugin, message in sorted(found, key=lambda f: f[0])
    ]


def explain(output: str) -> str | None:
    """A one-line reason when the output says what failed, else ``None``."""
    for plugin, message in plugin_errors(output):
        if _SPECIFIC.search(message):
            return f"{plugin}: {message}"

    return None


def reason_key(explanation: str) -> str:
    """The explanation without dates, ids and numbers, for counting by kind."""
    return _VOLATILE.sub("#", _FILE.sub("(file)", explanation))[:160]


def last_lines(output: str, count: int = 3) -> str:
    lines = [_ANSI.sub("", line).strip() for line in output.strip().splitlines()]
    return " | ".join(lines[-count:])[:400] or "(no output)"
