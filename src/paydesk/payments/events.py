"""The webhook events of payments, payment codes, held bank entries and returned direct
debits: one builder and one shape per event type (examples in the README's "Webhooks" section)."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from paydesk.codes.status import CodeState
from paydesk.money import format_minor

__all__ = [
    "CODE_STATUS_EVENTS",
    "PAYMENT_EVENTS",
    "bank_entry_held",
    "code_paid",
    "code_status",
    "direct_debit_returned",
    "payment",
]

Event = tuple[str, dict[str, Any]]

#: The event a code's new status is told as (statuses without one are not told).
CODE_STATUS_EVENTS = {
    "partially_paid": "payment_code.partially_paid",
    "paid": "payment_code.paid",
    "overpaid": "payment_code.overpaid",
}

#: The event a payment's new status is told as.
PAYMENT_EVENTS = {
    "frozen": "payment.frozen",
    "error": "payment.error",
    "cancelled": "payment.cancelled",
}


class _Payment(Protocol):
    id: int
    event_id: int
    account_id: int
    amount_minor: int
    currency: str


def payment(
    p: _Payment,
    status: str,
    *,
    source: str,
    rf: str | None,
    document_id: int | None,
    reason: str | None = None,
) -> Event:
    """``payment.frozen`` / ``payment.error`` / ``payment.cancelled``; ``reason`` is the error
    message or the cancel reason."""
    return PAYMENT_EVENTS[status], {
        "payment_id": p.id,
        "event_id": p.event_id,
        "account_id": p.account_id,
        "amount": format_minor(p.amount_minor, p.currency),
        "currency": p.currency,
        "status": status,
        "source": source,
        "rf": rf,
        "document_id": document_id,
        "reason": reason,
    }


def _code(code: CodeState, previous_status: str | None) -> dict[str, Any]:
    return {
        "rf": code.rf,
        "status": code.status,
        "previous_status": previous_status,
        "amount_type": code.amount_type,
        "amount": None
        if code.amount_minor is None
        else format_minor(code.amount_minor, code.currency),
        "paid": format_minor(code.paid_minor, code.currency),
        "currency": code.currency,
        "document_id": code.document_id,
        "account_id": code.account_id,
        "payment": None,
    }


def code_paid(
    code: CodeState,
    previous_status: str,
    *,
    amount_minor: int,
    paid_on: date,
    bank_bic: str | None,
    bank_name: str | None,
    payer_name: str | None,
) -> Event | None:
    """``payment_code.partially_paid`` / ``paid`` / ``overpaid`` for one payment received."""
    event_type = CODE_STATUS_EVENTS.get(code.status)
    if event_type is None:
        return None
    payload = _code(code, previous_status)
    payload["payment"] = {
        "amount": format_minor(amount_minor, code.currency),
        "paid_on": paid_on.isoformat(),
        "bank_bic": bank_bic,
        "bank_name": bank_name,
        "payer_name": payer_name,
    }
    return event_type, payload


def code_status(code: CodeState, previous_status: str) -> Event | None:
    """The code's new status after a payment was taken off it (no ``payment`` given)."""
    event_type = CODE_STATUS_EVENTS.get(code.status)
    if event_type is None or code.status == previous_status:
        return None
    return event_type, _code(code, previous_status)


def bank_entry_held(
    entry_id: int | None,
    *,
    key: str | None = None,
    rf: str | None = None,
    reason: str | None,
    amount_minor: int,
    currency: str,
    booking_date: date | None = None,
    payer_name: str | None = None,
) -> Event:
    """``bank_entry.unmatched``: a credit waits for a person (assign it or return it)."""
    return "bank_entry.unmatched", {
        "bank_entry_id": entry_id,
        "key": key,
        "rf": rf,
        "reason": reason,
        "amount": format_minor(amount_minor, currency),
        "currency": currency,
        "booking_date": booking_date.isoformat() if booking_date else None,
        "payer_name": payer_name,
    }


def direct_debit_returned(
    collection_id: int,
    *,
    tender_id: int,
    event_id: int,
    account_id: int,
    amount_minor: int,
    currency: str,
    mandate: str,
    end_to_end_id: str,
    code: str,
    reason: str,
    returned_by: str,
    points: int,
) -> Event:
    """``direct_debit.returned``: the payer's bank did not pay a collection (rejected by a
    pain.002, or returned in a camt.054); its tender and payments are cancelled."""
    return "direct_debit.returned", {
        "collection_id": collection_id,
        "tender_id": tender_id,
        "event_id": event_id,
        "account_id": account_id,
        "amount": format_minor(amount_minor, currency),
        "currency": currency,
        "mandate": mandate,
        "end_to_end_id": end_to_end_id,
        "reason_code": code,
        "reason": reason,
        "returned_by": returned_by,
        "cash_only_points": points,
    }
