"""A payment code's status from what it was issued for and what has been paid (pure)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import NamedTuple

from paydesk.errors import InvalidTransition


class CodeStatus(StrEnum):
    ACTIVE = "active"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    OVERPAID = "overpaid"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


#: Statuses in which a code still takes payments.
PAYABLE = frozenset({CodeStatus.ACTIVE, CodeStatus.PARTIALLY_PAID})
#: An open code without a ceiling stays partially paid however much comes in.
#: Cancel is allowed while nothing settled the code.
CANCELLABLE = frozenset({CodeStatus.ACTIVE, CodeStatus.PARTIALLY_PAID})


def status_for_paid(amount_type: str, amount_minor: int | None, paid_minor: int) -> CodeStatus:
    """The status a live code has after ``paid_minor`` was received on it."""
    if paid_minor <= 0:
        return CodeStatus.ACTIVE
    if amount_minor is None:  # open, no ceiling
        return CodeStatus.PARTIALLY_PAID
    if paid_minor < amount_minor:
        return CodeStatus.PARTIALLY_PAID
    if paid_minor == amount_minor:
        return CodeStatus.PAID
    return CodeStatus.OVERPAID


def is_expired(expires_on: date | None, today: date) -> bool:
    return expires_on is not None and today > expires_on


def check_cancel(status: str) -> None:
    if status not in CANCELLABLE:
        raise InvalidTransition(f"a payment code in status {status!r} cannot be cancelled")


class CodeState(NamedTuple):
    """A payment code as matching and the payment planner see it: what it asks, what it has."""

    id: int
    rf: str
    status: str
    amount_type: str
    amount_minor: int | None
    paid_minor: int
    currency: str
    account_id: int
    document_id: int | None
    expires_on: date | None

    def with_paid(self, paid_minor: int) -> CodeState:
        """The code after its paid amount became ``paid_minor`` (a cancelled or expired code
        keeps its status; a live one takes the status its paid amount gives)."""
        status = self.status
        if status not in (CodeStatus.CANCELLED, CodeStatus.EXPIRED):
            status = status_for_paid(self.amount_type, self.amount_minor, paid_minor)
        return CodeState(
            self.id,
            self.rf,
            status,
            self.amount_type,
            self.amount_minor,
            paid_minor,
            self.currency,
            self.account_id,
            self.document_id,
            self.expires_on,
        )
