"""Bank entries as a list to work through: by status and booking-date range, sorted by any
column, paged — the same rows for the page, the CSV export and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from paydesk.bank.models import BankEntry
from paydesk.errors import InvalidInput

STATUSES = ("matched", "unmatched", "reversed", "reversal", "rejected", "returned")
SORTS = {
    "id": BankEntry.id,
    "date": BankEntry.booking_date,
    "amount": BankEntry.amount_minor,
    "status": BankEntry.status,
    "payer": BankEntry.debtor_name,
    "bank": BankEntry.bank_name,
    "rf": BankEntry.rf,
}
DEFAULT_SORT = "-id"


@dataclass(frozen=True)
class EntryFilter:
    status: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in STATUSES:
            raise InvalidInput(f"status {self.status!r} is not one of {list(STATUSES)}")
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise InvalidInput("the end date is before the start date")


def check_sort(sort: str) -> tuple[str, bool]:
    """``"amount"`` or ``"-amount"`` (descending) → (column, descending)."""
    column = sort.removeprefix("-")
    if column not in SORTS:
        raise InvalidInput(f"sort {sort!r}: sort by one of {list(SORTS)}, '-' first for descending")
    return column, sort.startswith("-")


def list_entries(
    session: Session, f: EntryFilter, *, sort: str = DEFAULT_SORT, limit: int, offset: int = 0
) -> tuple[list[BankEntry], int]:
    """One page of the entries matching ``f`` in ``sort`` order, and how many match in all."""
    column, descending = check_sort(sort)
    query = select(BankEntry)
    if f.status:
        query = query.where(BankEntry.status == f.status)
    if f.date_from:
        query = query.where(BankEntry.booking_date >= f.date_from)
    if f.date_to:
        query = query.where(BankEntry.booking_date <= f.date_to)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    key = SORTS[column]
    order = (key.desc(), BankEntry.id.desc()) if descending else (key.asc(), BankEntry.id.asc())
    rows = session.scalars(query.order_by(*order).limit(limit).offset(offset))
    return list(rows), int(total)
