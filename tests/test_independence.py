"""The tap, the target and the sandbox never import one another."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("tap_yuekeyun", "target_feishu", "sandbox")


def imported_top_packages(package: str) -> dict[str, set[str]]:
    """Map each module file of ``package`` to the top-level packages it imports."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_package_imports_none_of_the_others(package: str) -> None:
    others = set(PACKAGES) - {package}
    offenders = {
        module: sorted(names & others)
        for module, names in imported_top_packages(package).items()
        if names & others
    }
    assert offenders == {}
