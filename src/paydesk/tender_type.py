"""What a kind of tender needs and allows: the one definition of a tender type.

The settings list the installation's tender types as :class:`TenderType` values (validated when
the settings load), the desk (:mod:`paydesk.cashier.tenders`) checks each tender against its
type, and the API and the pages show the same values. :func:`default_tender_types` are the types
of a new installation.

>>> TenderType("cheque", "Cheque", allows_cash_back=True, requires_cheque_number=True).is_card
False
>>> TenderType("cash", "Cash", like_cash=True, allows_cash_back=True)
Traceback (most recent call last):
...
ValueError: tender type 'cash': a cash-like type cannot allow cash back
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TenderType:
    """A kind of tender and the switches that govern it.

    ``like_cash``: counted in the cash drawer (change is given from it, never cash back);
    ``allows_cash_back``: a tender larger than the payment gives the difference back as a
    negative cash tender; ``requires_…``: the detail the tender needs (and no other type
    takes); ``is_card``: card payments go through the external card processor, never the desk.
    """

    code: str
    name: str
    like_cash: bool = False
    allows_cash_back: bool = False
    requires_cheque_number: bool = False
    requires_bank_account: bool = False
    requires_stored_method: bool = False
    is_card: bool = False

    def __post_init__(self) -> None:
        if not self.code or not self.code.strip() or self.code != self.code.strip():
            raise ValueError(f"tender type code {self.code!r} must be non-empty, without spaces")
        if self.like_cash and self.allows_cash_back:
            # Change for cash is given at the drawer; a cash tender never creates cash back.
            raise ValueError(f"tender type {self.code!r}: a cash-like type cannot allow cash back")


def default_tender_types() -> list[TenderType]:
    """The tender types of a new installation."""
    return [
        TenderType("cash", "Cash", like_cash=True),
        TenderType("cheque", "Cheque", allows_cash_back=True, requires_cheque_number=True),
        TenderType("direct_debit", "Direct debit", requires_bank_account=True),
        TenderType("stored_method", "Stored payment method", requires_stored_method=True),
        TenderType("bank_transfer", "Bank transfer"),
        TenderType("card", "Payment card", is_card=True),
    ]
