"""Cash drawers as a list to work through: by status, cashier and opening-date range, sorted by
any column, paged — the same rows for the page, the CSV export and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from paydesk.cashier.models import CashDrawerSession
from paydesk.db.listing import Sorts, check_range, fetch_page, within

STATUSES = ("open", "closed")
SORTS = Sorts(
    {
        "id": CashDrawerSession.id,
        "cashier": CashDrawerSession.cashier,
        "status": CashDrawerSession.status,
        "float": CashDrawerSession.float_minor,
        "opened": CashDrawerSession.opened_at,
        "closed": CashDrawerSession.closed_at,
    },
    default="-id",
    tie=CashDrawerSession.id,
)


@dataclass(frozen=True)
class DrawerFilter:
    status: str | None = None
    cashier: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def __post_init__(self) -> None:
        check_range(self.date_from, self.date_to)


def list_drawers(
    session: Session, f: DrawerFilter, *, sort: str = SORTS.default, limit: int, offset: int = 0
) -> tuple[list[CashDrawerSession], int]:
    """One page of the drawers matching ``f`` in ``sort`` order, and how many match in all."""
    query = select(CashDrawerSession)
    if f.status:
        query = query.where(CashDrawerSession.status == f.status)
    if f.cashier:
        query = query.where(CashDrawerSession.cashier == f.cashier)
    query = within(query, CashDrawerSession.opened_at, f.date_from, f.date_to, moment=True)
    return fetch_page(session, query, SORTS, sort, limit=limit, offset=offset, entities=True)
