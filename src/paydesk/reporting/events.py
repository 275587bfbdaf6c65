"""Payment events as a list to work through: filtered by date range and by what needs a
person, sorted by any column, paged, with the account and customer each event pays and its
tendered and paid amounts — the same rows for the pages, the CSV export and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from paydesk.accounts.models import Account, Customer
from paydesk.db.listing import Sorts, check_range, fetch_page, within
from paydesk.errors import InvalidInput
from paydesk.payments.models import Payment, PaymentEvent, Tender
from paydesk.reporting.work import NEEDING_ATTENTION, WAITING_FOR_VALIDATION

#: What the list can be narrowed to (besides dates): every event, the unbalanced ones (valid
#: tenders ≠ payments not cancelled), those with a payment needing a person, those waiting for
#: a bank-account validation.
SHOWS = ("", "unbalanced", "attention", "validation")


@dataclass(frozen=True)
class EventFilter:
    date_from: date | None = None
    date_to: date | None = None
    show: str = ""
    source: str | None = None  # desk | bank

    def __post_init__(self) -> None:
        if self.show not in SHOWS:
            raise InvalidInput(f"show {self.show!r} is not one of {[s for s in SHOWS if s]}")
        check_range(self.date_from, self.date_to)


@dataclass(frozen=True)
class EventLine:
    id: int
    event_date: date
    source: str
    created_by: str
    account_id: int | None
    account_number: str | None
    customer_name: str | None
    currency: str | None
    tendered_minor: int
    paid_minor: int

    @property
    def difference_minor(self) -> int:
        return self.tendered_minor - self.paid_minor


_tendered = (
    select(Tender.event_id, func.sum(Tender.amount_minor).label("total"))
    .where(Tender.status == "valid")
    .group_by(Tender.event_id)
    .subquery()
)
_paid = (
    select(
        Payment.event_id,
        func.sum(Payment.amount_minor).label("total"),
        func.min(Payment.account_id).label("account_id"),
        func.min(Payment.currency).label("currency"),
    )
    .where(Payment.status != "cancelled")
    .group_by(Payment.event_id)
    .subquery()
)
_any_payment = (
    select(Payment.event_id, func.min(Payment.account_id).label("account_id"))
    .group_by(Payment.event_id)
    .subquery()
)
_account_id = func.coalesce(_paid.c.account_id, _any_payment.c.account_id)
_tendered_total = func.coalesce(_tendered.c.total, 0)
_paid_total = func.coalesce(_paid.c.total, 0)
SORTS = Sorts(
    {
        "id": PaymentEvent.id,
        "date": PaymentEvent.event_date,
        "source": PaymentEvent.source,
        "by": PaymentEvent.created_by,
        "account": Account.number,
        "customer": Customer.name,
        "tendered": _tendered_total,
        "paid": _paid_total,
    },
    default="-id",
    tie=PaymentEvent.id,
)


def _query(f: EventFilter) -> Select:
    query = (
        select(
            PaymentEvent.id,
            PaymentEvent.event_date,
            PaymentEvent.source,
            PaymentEvent.created_by,
            _account_id,
            Account.number,
            Customer.name,
            _paid.c.currency,
            _tendered_total,
            _paid_total,
        )
        .outerjoin(_tendered, _tendered.c.event_id == PaymentEvent.id)
        .outerjoin(_paid, _paid.c.event_id == PaymentEvent.id)
        .outerjoin(_any_payment, _any_payment.c.event_id == PaymentEvent.id)
        .outerjoin(Account, Account.id == _account_id)
        .outerjoin(Customer, Customer.id == Account.customer_id)
    )
    query = within(query, PaymentEvent.event_date, f.date_from, f.date_to)
    if f.source:
        query = query.where(PaymentEvent.source == f.source)
    if f.show == "unbalanced":
        query = query.where(_tendered_total != _paid_total)
    elif f.show == "attention":
        query = query.where(PaymentEvent.id.in_(NEEDING_ATTENTION))
    elif f.show == "validation":
        query = query.where(PaymentEvent.id.in_(WAITING_FOR_VALIDATION))
    return query


def list_events(
    session: Session, f: EventFilter, *, sort: str = SORTS.default, limit: int, offset: int = 0
) -> tuple[list[EventLine], int]:
    """One page of the events matching ``f`` in ``sort`` order, and how many match in all."""
    rows, total = fetch_page(session, _query(f), SORTS, sort, limit=limit, offset=offset)
    return [EventLine(*row) for row in rows], total
