"""Bank entries as a list to work through: by status and booking-date range, sorted by any
column, paged — the same rows for the page, the CSV export and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from paydesk.bank.models import BankEntry
from paydesk.db.listing import Sorts, check_range, fetch_page, within
from paydesk.errors import InvalidInput

STATUSES = ("matched", "unmatched", "reversed", "reversal", "rejected", "returned")
SORTS = Sorts(
    {
        "id": BankEntry.id,
        "date": BankEntry.booking_date,
        "amount": BankEntry.amount_minor,
        "status": BankEntry.status,
        "payer": BankEntry.debtor_name,
        "bank": BankEntry.bank_name,
        "rf": BankEntry.rf,
    },
    default="-id",
    tie=BankEntry.id,
)


@dataclass(frozen=True)
class EntryFilter:
    status: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in STATUSES:
            raise InvalidInput(f"status {self.status!r} is not one of {list(STATUSES)}")
        check_range(self.date_from, self.date_to)


def list_entries(
    session: Session, f: EntryFilter, *, sort: str = SORTS.default, limit: int, offset: int = 0
) -> tuple[list[BankEntry], int]:
    """One page of the entries matching ``f`` in ``sort`` order, and how many match in all."""
    query = select(BankEntry)
    if f.status:
        query = query.where(BankEntry.status == f.status)
    query = within(query, BankEntry.booking_date, f.date_from, f.date_to)
    return fetch_page(session, query, SORTS, sort, limit=limit, offset=offset, entities=True)
