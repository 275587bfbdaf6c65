"""A payment code's status from what it was issued for and what has been paid (pure)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import NamedTuple

from paydesk.errors import InvalidTransition
from paydesk.money import format_minor


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


class Refusal(NamedTuple):
    """Why a code does not take a payment: a stable ``reason`` and the sentence to show."""

    #: ``cancelled``, ``expired``, ``currency_mismatch``, ``paid`` or ``amount_mismatch``.
    reason: str
    message: str


def refusal(code: CodeState, *, amount_minor: int, currency: str, on: date) -> Refusal | None:
    """Whether ``code`` takes ``amount_minor`` in ``currency`` paid ``on`` a day: ``None`` when
    it does, else why not. The same rule for a bank credit and for money at the desk: a
    cancelled or expired code, another currency, or a fixed code already paid or paid another
    amount than it asks for is refused; an open code takes any amount (beyond its ceiling it
    becomes ``overpaid``)."""
    rf = code.rf
    if code.status == CodeStatus.CANCELLED:
        return Refusal("cancelled", f"payment code {rf} is cancelled")
    if code.status == CodeStatus.EXPIRED or is_expired(code.expires_on, on):
        return Refusal("expired", f"payment code {rf} expired on {code.expires_on}")
    if currency != code.currency:
        return Refusal(
            "currency_mismatch", f"paid in {currency}, payment code {rf} is in {code.currency}"
        )
    if code.amount_type == "fixed":
        due_minor = (code.amount_minor or 0) - code.paid_minor
        if due_minor <= 0:
            return Refusal("paid", f"fixed-amount code {rf} is already paid")
        if amount_minor != due_minor:
            due = format_minor(due_minor, currency)
            paid = format_minor(amount_minor, currency)
            return Refusal(
                "amount_mismatch", f"fixed-amount code {rf} asks for {due} {currency}, {paid} paid"
            )
    return None
