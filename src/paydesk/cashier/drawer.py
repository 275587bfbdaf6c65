"""Cash-drawer close: what should be in the drawer, per tender type, against what was counted.

Expected for a tender type is its starting float plus its valid tenders (cash back counts,
being a negative cash tender; cancelled tenders do not). The difference is counted minus
expected: negative is a shortage, positive an overage. A type expected but not counted counts
as zero; a type counted but not expected is expected as zero. All amounts are in the
drawer's one currency.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from paydesk.errors import CurrencyMismatch
from paydesk.money import Money

__all__ = ["DrawerEntry", "DrawerLine", "DrawerReconciliation", "reconcile_drawer"]


@dataclass(frozen=True, slots=True)
class DrawerEntry:
    """A tender taken in the drawer session."""

    type_code: str
    amount: Money
    cancelled: bool = False


@dataclass(frozen=True, slots=True)
class DrawerLine:
    type_code: str
    expected: Money
    counted: Money

    @property
    def difference(self) -> Money:
        """Counted minus expected: negative is missing money."""
        return self.counted - self.expected


@dataclass(frozen=True, slots=True)
class DrawerReconciliation:
    currency: str
    lines: tuple[DrawerLine, ...]

    @property
    def differences(self) -> dict[str, Money]:
        """Difference per tender type, including zero ones."""
        return {line.type_code: line.difference for line in self.lines}

    @property
    def balanced(self) -> bool:
        return all(line.difference.is_zero() for line in self.lines)


def reconcile_drawer(
    currency: str,
    floats: Mapping[str, Money],
    tenders: Iterable[DrawerEntry],
    counted: Mapping[str, Money],
) -> DrawerReconciliation:
    """Expected (float + valid tenders) against counted, per tender type, sorted by type."""
    zero = Money.zero(currency)
    expected: dict[str, Money] = {}

    def add(type_code: str, amount: Money) -> None:
        if amount.currency != currency:
            raise CurrencyMismatch(f"{type_code}: {amount} in a {currency} drawer")
        expected[type_code] = expected.get(type_code, zero) + amount

    for type_code, amount in floats.items():
        add(type_code, amount)
    for tender in tenders:
        if not tender.cancelled:
            add(tender.type_code, tender.amount)
    for type_code, amount in counted.items():
        if amount.currency != currency:
            raise CurrencyMismatch(f"{type_code}: counted {amount} in a {currency} drawer")
    lines = tuple(
        DrawerLine(code, expected.get(code, zero), counted.get(code, zero))
        for code in sorted(expected.keys() | counted.keys())
    )
    return DrawerReconciliation(currency, lines)
