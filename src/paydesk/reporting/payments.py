"""Payments as a list to work through: by status, channel and event-date range, sorted by any
column, paged, with the account and customer — the same rows for the page, the CSV export and
the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from paydesk.accounts.models import Account, Customer
from paydesk.errors import InvalidInput
from paydesk.payments.models import Payment, PaymentEvent

STATUSES = ("incomplete", "freezable", "error", "frozen", "cancelled")
SORTS = {
    "id": Payment.id,
    "date": PaymentEvent.event_date,
    "status": Payment.status,
    "amount": Payment.amount_minor,
    "account": Account.number,
    "customer": Customer.name,
    "source": PaymentEvent.source,
}
DEFAULT_SORT = "-id"


@dataclass(frozen=True)
class PaymentFilter:
    status: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    source: str | None = None  # desk | bank

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in STATUSES:
            raise InvalidInput(f"status {self.status!r} is not one of {list(STATUSES)}")
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise InvalidInput("the end date is before the start date")


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


def check_sort(sort: str) -> tuple[str, bool]:
    """``"amount"`` or ``"-amount"`` (descending) → (column, descending)."""
    column = sort.removeprefix("-")
    if column not in SORTS:
        raise InvalidInput(f"sort {sort!r}: sort by one of {list(SORTS)}, '-' first for descending")
    return column, sort.startswith("-")


def list_payments(
    session: Session, f: PaymentFilter, *, sort: str = DEFAULT_SORT, limit: int, offset: int = 0
) -> tuple[list[PaymentLine], int]:
    """One page of the payments matching ``f`` in ``sort`` order, and how many match in all."""
    column, descending = check_sort(sort)
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
    if f.date_from:
        query = query.where(PaymentEvent.event_date >= f.date_from)
    if f.date_to:
        query = query.where(PaymentEvent.event_date <= f.date_to)
    if f.source:
        query = query.where(PaymentEvent.source == f.source)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    key = SORTS[column]
    order = (key.desc(), Payment.id.desc()) if descending else (key.asc(), Payment.id.asc())
    rows = session.execute(query.order_by(*order).limit(limit).offset(offset)).all()
    return [PaymentLine(*row) for row in rows], int(total)
