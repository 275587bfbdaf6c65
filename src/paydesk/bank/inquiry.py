"""Code inquiry: may this RF be paid, how much, until when (asked by the paying bank).

The paying bank asks before every payment, so the inquiry is a cheap read: one statement of
the code's columns on a plain connection (no ORM session, no write), answered by pure rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from paydesk.codes import rf
from paydesk.codes.models import PaymentCode
from paydesk.codes.status import PAYABLE, CodeStatus
from paydesk.money import Money

#: Why a code is refused (``reason`` of an unpayable answer).
UNKNOWN = "unknown"
AMOUNT_MISMATCH = "amount_mismatch"
EXCEEDS_CEILING = "exceeds_ceiling"
CURRENCY_MISMATCH = "currency_mismatch"


@dataclass(frozen=True)
class Inquiry:
    payable: bool
    reason: str | None
    rf: str
    amount_type: str | None = None
    #: Fixed: amount − paid. Open: ceiling − paid, or None without a ceiling.
    amount_due: Money | None = None
    currency: str | None = None
    expires_on: date | None = None
    status: str | None = None


_CODE = select(
    PaymentCode.rf,
    PaymentCode.status,
    PaymentCode.amount_type,
    PaymentCode.amount_minor,
    PaymentCode.paid_minor,
    PaymentCode.currency,
    PaymentCode.expires_on,
).where(PaymentCode.rf == bindparam("rf"))


def inquire(
    connection: Connection | Session,
    text: str,
    amount: str | None = None,
    currency: str | None = None,
) -> Inquiry:
    """Answer the inquiry for ``text``; a malformed RF or amount raises an input error.

    Refusal reasons: the code's status (``expired``, ``cancelled``, ``paid``, ``overpaid``),
    ``unknown`` (no such code), ``currency_mismatch``, ``amount_mismatch`` (a fixed code is
    paid with exactly the amount due) and ``exceeds_ceiling`` (an open code's ceiling).
    """
    code_text = rf.validate(text)
    code = connection.execute(_CODE, {"rf": code_text}).first()
    if code is None:
        return Inquiry(False, UNKNOWN, code_text)
    due_minor: int | None = None
    if code.amount_minor is not None:
        due_minor = max(code.amount_minor - code.paid_minor, 0)
    answer = {
        "rf": code.rf,
        "amount_type": code.amount_type,
        "amount_due": None if due_minor is None else Money.from_minor(due_minor, code.currency),
        "currency": code.currency,
        "expires_on": code.expires_on,
        "status": code.status,
    }
    if code.status not in PAYABLE:
        return Inquiry(False, str(CodeStatus(code.status)), **answer)
    if currency is not None and currency.upper() != code.currency:
        return Inquiry(False, CURRENCY_MISMATCH, **answer)
    if amount is not None:
        offered = Money.parse(amount, code.currency, allow_zero=False).minor
        if code.amount_type == "fixed" and offered != due_minor:
            return Inquiry(False, AMOUNT_MISMATCH, **answer)
        if code.amount_type == "open" and due_minor is not None and offered > due_minor:
            return Inquiry(False, EXCEEDS_CEILING, **answer)
    return Inquiry(True, None, **answer)
