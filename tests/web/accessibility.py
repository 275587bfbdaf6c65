"""axe-core in the browser tests: every page shot is checked for serious or critical
accessibility violations (axe-core 4.10.3, the npm package ``axe-core`` —
``npm pack axe-core@4.10.3`` — vendored in ``vendor/axe.min.js`` for the tests only)."""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
_SERIOUS = (
    "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
    ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))"
)


def check_accessible(tab) -> None:
    """Run axe-core in the page (evaluated through the browser's debugging protocol, so the
    page's Content-Security-Policy needs no exception); fail on serious or critical
    violations."""
    if not tab.evaluate("typeof window.axe !== 'undefined'"):
        tab.evaluate(AXE.read_text(encoding="utf-8"))
    found = tab.evaluate(_SERIOUS)
    assert not found, f"accessibility violations on {tab.url}: {found}"
