"""Every example in a docstring under src/paydesk holds: each module with one is run by doctest."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

import paydesk

SRC = Path(paydesk.__file__).parent


def _modules_with_examples() -> list[str]:
    """Dotted names of the modules whose source has a ``>>>`` example (migrations aside)."""
    names = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC.parent)
        if "migrations" in relative.parts or ">>> " not in path.read_text(encoding="utf-8"):
            continue
        names.append(".".join(relative.with_suffix("").parts).removesuffix(".__init__"))
    return names


MODULES = _modules_with_examples()


def test_the_modules_with_examples_are_found() -> None:
    assert {"paydesk.codes.rf", "paydesk.money", "paydesk.cashier.tenders"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has '>>> ' but no example doctest can run"
    assert result.failed == 0
