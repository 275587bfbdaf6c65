"""Only the entry points read the process-wide settings; every service takes them explicitly.

``get_settings()`` (settings from the file and the environment, cached for the process) may be
called by the command line and the app factory alone; a service that fell back on it would
ignore the settings the app or the command was built with.
"""

from __future__ import annotations

import ast
from pathlib import Path

import paydesk

SRC = Path(paydesk.__file__).parent
ENTRY_POINTS = ("cli/", "api/app.py", "settings.py")


def _uses_get_settings(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    lines = []
    for node in ast.walk(tree):
        if (
            (isinstance(node, ast.Name) and node.id == "get_settings")
            or (isinstance(node, ast.Attribute) and node.attr == "get_settings")
            or (
                isinstance(node, ast.ImportFrom)
                and any(a.name == "get_settings" for a in node.names)
            )
        ):
            lines.append(node.lineno)
    return lines


def test_only_entry_points_call_get_settings() -> None:
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if relative.startswith(ENTRY_POINTS) or "migrations" in relative:
            continue
        if lines := _uses_get_settings(path):
            found[relative] = lines
    assert found == {}


def test_the_check_sees_a_call() -> None:
    assert _uses_get_settings(SRC / "api" / "app.py")
