"""Documents as a list to work through: by kind, status, account and issue-date range, sorted
by any column, paged, each with its account — the same rows for the page, the CSV export and
the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from paydesk.accounts.models import Account
from paydesk.db.listing import Sorts, check_range, fetch_page, within
from paydesk.documents.models import Document

SORTS = Sorts(
    {
        "id": Document.id,
        "number": Document.number,
        "kind": Document.kind,
        "account": Account.number,
        "issued": Document.issue_date,
        "due": Document.due_date,
        "status": Document.status,
        "amount": Document.amount_minor,
    },
    default="-id",
    tie=Document.id,
)


@dataclass(frozen=True)
class DocumentFilter:
    kind: str | None = None
    status: str | None = None
    account_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    def __post_init__(self) -> None:
        check_range(self.date_from, self.date_to)


def list_documents(
    session: Session, f: DocumentFilter, *, sort: str = SORTS.default, limit: int, offset: int = 0
) -> tuple[list[tuple[Document, str]], int]:
    """One page of (document, account number) matching ``f`` in ``sort`` order, and how many
    match in all."""
    query = select(Document, Account.number).join(Account, Account.id == Document.account_id)
    if f.kind:
        query = query.where(Document.kind == f.kind)
    if f.status:
        query = query.where(Document.status == f.status)
    if f.account_id is not None:
        query = query.where(Document.account_id == f.account_id)
    query = within(query, Document.issue_date, f.date_from, f.date_to)
    rows, total = fetch_page(session, query, SORTS, sort, limit=limit, offset=offset)
    return [(document, number) for document, number in rows], total
