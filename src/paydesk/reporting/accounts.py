"""Accounts as a list to work through: by number or customer name (as the search box matches
them), customer class and opening-date range, sorted by any column (balance too), paged — the
same rows for the page, the CSV export and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from paydesk.accounts import search
from paydesk.accounts.models import Account, Customer
from paydesk.accounts.service import escape_like
from paydesk.db.listing import Sorts, check_range, fetch_page, within
from paydesk.ledger.models import LedgerEntry

_balance = (
    select(func.coalesce(func.sum(LedgerEntry.amount_minor), 0))
    .where(LedgerEntry.account_id == Account.id)
    .correlate(Account)
    .scalar_subquery()
)
SORTS = Sorts(
    {
        "number": Account.number,
        "customer": Customer.name,
        "class": Account.customer_class,
        "currency": Account.currency,
        "opened": Account.created_at,
        "balance": _balance,
    },
    default="number",
    tie=Account.id,
)


@dataclass(frozen=True)
class AccountFilter:
    text: str | None = None  # an account number (part) or words of the customer's name
    customer_class: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def __post_init__(self) -> None:
        check_range(self.date_from, self.date_to)


@dataclass(frozen=True)
class AccountLine:
    id: int
    number: str
    customer_id: int
    customer_name: str
    customer_class: str
    currency: str
    opened_at: datetime
    balance_minor: int


def list_accounts(
    session: Session, f: AccountFilter, *, sort: str = SORTS.default, limit: int, offset: int = 0
) -> tuple[list[AccountLine], int]:
    """One page of the accounts matching ``f`` in ``sort`` order, and how many match in all."""
    query = select(
        Account.id,
        Account.number,
        Customer.id,
        Customer.name,
        Account.customer_class,
        Account.currency,
        Account.created_at,
        _balance,
    ).join(Customer, Customer.id == Account.customer_id)
    if f.text and f.text.strip():
        by_number = Account.number.ilike(f"%{escape_like(f.text.strip())}%", escape="\\")
        by_name = search.matching(f.text)
        query = query.where(by_number if by_name is None else by_number | Customer.id.in_(by_name))
    if f.customer_class:
        query = query.where(Account.customer_class == f.customer_class)
    query = within(query, Account.created_at, f.date_from, f.date_to, moment=True)
    rows, total = fetch_page(session, query, SORTS, sort, limit=limit, offset=offset)
    return [AccountLine(*row) for row in rows], total
