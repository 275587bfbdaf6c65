"""Payments as a list to work through: by status, channel and event-date range, sorted by any
column, paged, with the account and customer — the same rows for the page, the CSV export and
the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from paydesk.accounts.models import Account, Customer
from paydesk.db.listing import Sorts, check_range, fetch_page, within
from paydesk.errors import InvalidInput
from paydesk.payments.models import Payment, PaymentEvent

STATUSES = ("incomplete", "freezable", "error", "frozen", "cancelled")
SORTS = Sorts(
    {
        "id": Payment.id,
        "date": PaymentEvent.event_date,
        "status": Payment.status,
        "amount": Payment.amount_minor,
        "account": Account.number,
        "customer": Customer.name,
        "source": PaymentEvent.source,
    },
    default="-id",
    tie=Payment.id,
)


@dataclass(frozen=True)
class PaymentFilter:
    status: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    source: str | None = None  # desk | bank

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in STATUSES:
            raise InvalidInput(f"status {self.status!r} is not one of {list(STATUSES)}")
        check_range(self.date_from, self.date_to)


@dataclass(frozen=True)
class PaymentLine:
    id: int
    event_id: int
    event_date: date
    source: str
    status: str
    amount_minor: int
    currency: str
    account_id: int
    account_number: str
    customer_name: str
    match_type: str | None
    match_value: str | None
    error_message: str | None


def list_payments(
    session: Session, f: PaymentFilter, *, sort: str = SORTS.default, limit: int, offset: int = 0
) -> tuple[list[PaymentLine], int]:
    """One page of the payments matching ``f`` in ``sort`` order, and how many match in all."""
    query = (
        select(
            Payment.id,
            Payment.event_id,
            PaymentEvent.event_date,
            PaymentEvent.source,
            Payment.status,
            Payment.amount_minor,
            Payment.currency,
            Payment.account_id,
            Account.number,
            Customer.name,
            Payment.match_type,
            Payment.match_value,
            Payment.error_message,
        )
        .join(PaymentEvent, PaymentEvent.id == Payment.event_id)
        .join(Account, Account.id == Payment.account_id)
        .join(Customer, Customer.id == Account.customer_id)
    )
    if f.status:
        query = query.where(Payment.status == f.status)
    if f.source:
        query = query.where(PaymentEvent.source == f.source)
    query = within(query, PaymentEvent.event_date, f.date_from, f.date_to)
    rows, total = fetch_page(session, query, SORTS, sort, limit=limit, offset=offset)
    return [PaymentLine(*row) for row in rows], total
