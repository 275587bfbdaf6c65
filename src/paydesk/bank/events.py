"""The webhook events a bank credit raises, shaped once for the importer and for assignments."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from paydesk.money import format_minor
from paydesk.webhooks.outbox import CODE_STATUS_EVENTS, code_status_payload


class _Code(Protocol):
    rf: str
    status: str
    amount_type: str
    amount_minor: int | None
    paid_minor: int
    currency: str
    document_id: int | None
    account_id: int


def code_paid_event(
    code: _Code,
    previous_status: str,
    amount_minor: int,
    paid_on: date,
    bank_bic: str | None,
    bank_name: str | None,
    payer_name: str | None,
) -> tuple[str, dict[str, Any]]:
    """``payment_code.partially_paid`` / ``paid`` / ``overpaid`` for one payment received."""
    payload = code_status_payload(code, previous_status)
    payload["payment"] = {
        "amount": format_minor(amount_minor, code.currency),
        "paid_on": paid_on.isoformat(),
        "bank_bic": bank_bic,
        "bank_name": bank_name,
        "payer_name": payer_name,
    }
    return CODE_STATUS_EVENTS[code.status], payload
