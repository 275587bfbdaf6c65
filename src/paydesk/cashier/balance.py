"""Payment event balance: the tenders must sum to the payments, in every currency.

>>> check_balance([Money.parse("120", "EUR"), Money.parse("-20", "EUR", allow_negative=True)],
...               [Money.parse("100", "EUR")]).balanced
True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from paydesk.cashier.errors import UnbalancedEvent
from paydesk.money import Money

__all__ = ["CurrencyBalance", "EventBalance", "check_balance", "require_balanced"]


@dataclass(frozen=True, slots=True)
class CurrencyBalance:
    currency: str
    tendered: Money
    paid: Money

    @property
    def difference(self) -> Money:
        """Tendered minus paid."""
        return self.tendered - self.paid


@dataclass(frozen=True, slots=True)
class EventBalance:
    by_currency: tuple[CurrencyBalance, ...]

    @property
    def balanced(self) -> bool:
        return all(b.difference.is_zero() for b in self.by_currency)


def _amount(item: object) -> Money:
    amount = item if isinstance(item, Money) else getattr(item, "amount", None)
    if not isinstance(amount, Money):
        raise TypeError(f"{item!r} is neither Money nor has a Money amount")
    return amount


def check_balance(tenders: Iterable[object], payments: Iterable[object]) -> EventBalance:
    """Totals per currency of tenders and payments (``Money`` or anything with ``.amount``)."""
    tendered: dict[str, Money] = {}
    paid: dict[str, Money] = {}
    for items, totals in ((tenders, tendered), (payments, paid)):
        for item in items:
            amount = _amount(item)
            totals[amount.currency] = (
                totals.get(amount.currency, Money.zero(amount.currency)) + amount
            )
    return EventBalance(
        tuple(
            CurrencyBalance(c, tendered.get(c, Money.zero(c)), paid.get(c, Money.zero(c)))
            for c in sorted(tendered.keys() | paid.keys())
        )
    )


def require_balanced(tenders: Iterable[object], payments: Iterable[object]) -> EventBalance:
    """Raise :class:`UnbalancedEvent` unless there is a tender and a payment and they balance."""
    tenders, payments = list(tenders), list(payments)
    if not tenders or not payments:
        raise UnbalancedEvent("a payment event needs at least one tender and one payment")
    balance = check_balance(tenders, payments)
    off = [b for b in balance.by_currency if not b.difference.is_zero()]
    if off:
        detail = "; ".join(
            f"tenders {b.tendered}, payments {b.paid} (difference {b.difference})" for b in off
        )
        raise UnbalancedEvent(f"tenders and payments do not balance: {detail}")
    return balance
