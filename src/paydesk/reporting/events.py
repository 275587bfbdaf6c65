"""Payment events as a list to work through: filtered by date range and by what needs a
person, sorted by any column, paged, with the account and customer each event pays and its
tendered and paid amounts — the same rows for the pages, the CSV export and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from paydesk.accounts.models import Account, Customer
from paydesk.cashier.models import ServiceTask
from paydesk.errors import InvalidInput
from paydesk.payments.models import Payment, PaymentEvent, Tender
from paydesk.reporting.work import NEEDS_ATTENTION

#: What the list can be narrowed to (besides dates): every event, the unbalanced ones (valid
#: tenders ≠ payments not cancelled), those with a payment needing a person, those waiting for
#: a bank-account validation.
SHOWS = ("", "unbalanced", "attention", "validation")
SORTS = ("id", "date", "source", "by", "account", "customer", "tendered", "paid")
DEFAULT_SORT = "-id"


@dataclass(frozen=True)
class EventFilter:
    date_from: date | None = None
    date_to: date | None = None
    show: str = ""
    source: str | None = None  # desk | bank

    def __post_init__(self) -> None:
        if self.show not in SHOWS:
            raise InvalidInput(f"show {self.show!r} is not one of {[s for s in SHOWS if s]}")
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise InvalidInput("the end date is before the start date")


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


def check_sort(sort: str) -> tuple[str, bool]:
    """``"date"`` or ``"-date"`` (descending) → (column, descending); refuses other columns."""
    column = sort.removeprefix("-")
    if column not in SORTS:
        raise InvalidInput(f"sort {sort!r}: sort by one of {list(SORTS)}, '-' first for descending")
    return column, sort.startswith("-")


def _query(f: EventFilter) -> tuple[Select, dict[str, object]]:
    tendered = (
        select(Tender.event_id, func.sum(Tender.amount_minor).label("total"))
        .where(Tender.status == "valid")
        .group_by(Tender.event_id)
        .subquery()
    )
    paid = (
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
    any_payment = (
        select(Payment.event_id, func.min(Payment.account_id).label("account_id"))
        .group_by(Payment.event_id)
        .subquery()
    )
    account_id = func.coalesce(paid.c.account_id, any_payment.c.account_id)
    tendered_total = func.coalesce(tendered.c.total, 0)
    paid_total = func.coalesce(paid.c.total, 0)
    columns = {
        "id": PaymentEvent.id,
        "date": PaymentEvent.event_date,
        "source": PaymentEvent.source,
        "by": PaymentEvent.created_by,
        "account": Account.number,
        "customer": Customer.name,
        "tendered": tendered_total,
        "paid": paid_total,
    }
    query = (
        select(
            PaymentEvent.id,
            PaymentEvent.event_date,
            PaymentEvent.source,
            PaymentEvent.created_by,
            account_id,
            Account.number,
            Customer.name,
            paid.c.currency,
            tendered_total,
            paid_total,
        )
        .outerjoin(tendered, tendered.c.event_id == PaymentEvent.id)
        .outerjoin(paid, paid.c.event_id == PaymentEvent.id)
        .outerjoin(any_payment, any_payment.c.event_id == PaymentEvent.id)
        .outerjoin(Account, Account.id == account_id)
        .outerjoin(Customer, Customer.id == Account.customer_id)
    )
    if f.date_from:
        query = query.where(PaymentEvent.event_date >= f.date_from)
    if f.date_to:
        query = query.where(PaymentEvent.event_date <= f.date_to)
    if f.source:
        query = query.where(PaymentEvent.source == f.source)
    if f.show == "unbalanced":
        query = query.where(tendered_total != paid_total)
    elif f.show == "attention":
        query = query.where(
            PaymentEvent.id.in_(select(Payment.event_id).where(Payment.status.in_(NEEDS_ATTENTION)))
        )
    elif f.show == "validation":
        query = query.where(
            PaymentEvent.id.in_(select(ServiceTask.event_id).where(ServiceTask.status == "pending"))
        )
    return query, columns


def list_events(
    session: Session, f: EventFilter, *, sort: str = DEFAULT_SORT, limit: int, offset: int = 0
) -> tuple[list[EventLine], int]:
    """One page of the events matching ``f`` in ``sort`` order, and how many match in all."""
    column, descending = check_sort(sort)
    query, columns = _query(f)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    key = columns[column]
    order = [key.desc() if descending else key.asc()]
    if column != "id":
        order.append(PaymentEvent.id.desc() if descending else PaymentEvent.id.asc())
    rows = session.execute(query.order_by(*order).limit(limit).offset(offset)).all()
    return [EventLine(*row) for row in rows], int(total)
