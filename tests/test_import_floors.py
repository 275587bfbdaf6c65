"""No package of paydesk imports a package on a higher floor, and no packages import in a circle.

The floors, from the ground up (README, "Layout"). A module may import its own package and any
package on a lower floor; packages on one floor may import each other, but never in a circle. The
imports are read from the source (ast), inside functions too; imports under ``if TYPE_CHECKING:``
are only for type hints and are left out, and so are ``db/models.py`` (the registry of every
table, for Alembic) and ``db/migrations``.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from pathlib import Path

import paydesk

SRC = Path(paydesk.__file__).parent

#: Ground first (README, "Layout"). Modules directly in src/paydesk are packages of their own name.
FLOORS: list[set[str]] = [
    {"money", "errors", "settings", "retry", "secret", "collection", "tender_type"},
    {"db"},
    {"ledger", "audit", "auth", "webhooks"},
    {"accounts"},
    {"codes"},
    {"documents"},
    {"payments"},
    {"cashier", "bank", "directdebits", "slips"},
    {"worker", "banksim", "reporting"},
    {"request_limits"},
    {"api", "web", "cli", "demo"},
]
FLOOR = {package: level for level, packages in enumerate(FLOORS) for package in packages}
EXEMPT = ("db/models.py", "db/migrations/")


def _package(path: Path) -> str:
    """The package of a source file: ``codes`` for ``codes/rf.py``, ``money`` for ``money.py``."""
    return path.relative_to(SRC).with_suffix("").parts[0]


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement under ``node``, except the bodies of ``if TYPE_CHECKING:``."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for other in child.orelse:
                yield from _imports(other)
            continue
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        yield from _imports(child)


def _imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of each name ``path`` imports, relative imports resolved."""
    here = ["paydesk", *path.relative_to(SRC).parent.parts]
    for node in _imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
            continue
        base = here[: len(here) - node.level + 1] if node.level else []
        module = ".".join([*base, *([node.module] if node.module else [])])
        for alias in node.names:
            yield node.lineno, f"{module}.{alias.name}"


def _edges() -> list[tuple[str, str, str]]:
    """(importing package, imported package, where) for each import between two packages."""
    edges = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if relative.startswith(EXEMPT) or relative == "__init__.py":
            continue
        source = _package(path)
        for line, module in _imported_modules(path):
            parts = module.split(".")
            if parts[0] != "paydesk" or len(parts) < 2:
                continue
            target = parts[1]
            if target != source and target in FLOOR:
                edges.append((source, target, f"{relative}:{line} imports {module}"))
    return edges


EDGES = _edges()


def test_every_package_has_a_floor() -> None:
    packages = {_package(p) for p in SRC.rglob("*.py") if p != SRC / "__init__.py"}
    assert packages - FLOOR.keys() == set()


def test_no_package_imports_a_higher_floor() -> None:
    upward = [where for source, target, where in EDGES if FLOOR[target] > FLOOR[source]]
    assert upward == []


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One circle of imports in ``graph``, or [] (depth-first search)."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def test_no_packages_import_in_a_circle() -> None:
    graph: dict[str, set[str]] = {}
    for source, target, _ in EDGES:
        graph.setdefault(source, set()).add(target)
    circle = _cycle(graph)
    where = [w for s, t, w in EDGES if (s, t) in itertools.pairwise(circle)]
    assert circle == [], f"{' -> '.join(circle)}: {where}"


def test_the_reader_sees_imports() -> None:
    """The check can fail: the reader finds known imports, relative ones too."""
    assert any(s == "money" and t == "errors" for s, t, _ in EDGES)
    assert any(s == "api" and t == "payments" for s, t, _ in EDGES)
