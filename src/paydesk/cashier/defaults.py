"""Payment amount defaults: pluggable algorithms that propose what the customer pays.

An algorithm is any callable taking an :class:`AccountPosition` and returning ``Money`` (the
proposal, zero when nothing is owed). The installation's settings name one; built in:

- ``payoff_balance`` — the sum of the contracts' positive balances (credits are not netted);
- ``latest_invoice`` — the open amount of the latest invoice (zero when there is none).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from paydesk.cashier.errors import UnknownAmountDefault
from paydesk.errors import CurrencyMismatch
from paydesk.money import Money
from paydesk.payments.distribution import OpenItem, resolve_invoice_match

__all__ = [
    "AMOUNT_DEFAULTS",
    "AccountPosition",
    "PaymentAmountDefault",
    "get_amount_default",
    "latest_invoice",
    "payoff_balance",
    "register_amount_default",
]


@dataclass(frozen=True, slots=True)
class AccountPosition:
    """What an account owes: contract balances by contract id, and its invoices."""

    currency: str
    contract_balances: Mapping[str, Money] = field(default_factory=dict)
    invoices: Sequence[OpenItem] = ()

    def __post_init__(self) -> None:
        amounts = [*self.contract_balances.values(), *(i.open_amount for i in self.invoices)]
        for amount in amounts:
            if amount.currency != self.currency:
                raise CurrencyMismatch(f"{amount} on an account kept in {self.currency}")


class PaymentAmountDefault(Protocol):
    def __call__(self, position: AccountPosition, /) -> Money: ...


def payoff_balance(position: AccountPosition) -> Money:
    """Sum of the positive contract balances."""
    total = Money.zero(position.currency)
    for balance in position.contract_balances.values():
        if balance.amount > 0:
            total += balance
    return total


def latest_invoice(position: AccountPosition) -> Money:
    """Open amount of the latest invoice (by issue date, then number); zero if none."""
    if not position.invoices:
        return Money.zero(position.currency)
    open_amount = resolve_invoice_match(None, position.invoices).open_amount
    return max(open_amount, Money.zero(position.currency))


AMOUNT_DEFAULTS: dict[str, PaymentAmountDefault] = {
    "payoff_balance": payoff_balance,
    "latest_invoice": latest_invoice,
}


def register_amount_default(name: str, algorithm: Callable[[AccountPosition], Money]) -> None:
    """Make ``algorithm`` available to the settings under ``name``."""
    if name in AMOUNT_DEFAULTS:
        raise ValueError(f"payment amount default {name!r} is already registered")
    AMOUNT_DEFAULTS[name] = algorithm


def get_amount_default(name: str) -> PaymentAmountDefault:
    """The algorithm registered as ``name``; :class:`UnknownAmountDefault` if none is."""
    try:
        return AMOUNT_DEFAULTS[name]
    except KeyError:
        known = ", ".join(sorted(AMOUNT_DEFAULTS))
        raise UnknownAmountDefault(
            f"unknown payment amount default {name!r}; known: {known}"
        ) from None
