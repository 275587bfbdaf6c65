"""Imported bank files as a list to work through: by status, source and import-date range,
sorted by any column, paged — the same rows for the page, the CSV export and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from paydesk.bank.models import BankFile
from paydesk.db.listing import Sorts, check_range, fetch_page, within

STATUSES = ("imported", "importing", "failed")
#: Where files come from; a bank feed's files say which feed (``feed:<name>``).
SOURCES = ("cli", "api", "web", "inbox", "feed", "push")
SORTS = Sorts(
    {
        "id": BankFile.id,
        "name": BankFile.name,
        "kind": BankFile.kind,
        "source": BankFile.source,
        "status": BankFile.status,
        "entries": BankFile.entries,
        "matched": BankFile.matched,
        "unmatched": BankFile.unmatched,
        "duplicates": BankFile.duplicates,
        "reversed": BankFile.reversed,
        "rejected": BankFile.rejected,
        "ignored": BankFile.ignored,
        "by": BankFile.imported_by,
        "imported": BankFile.created_at,
    },
    default="-id",
    tie=BankFile.id,
)


@dataclass(frozen=True)
class FileFilter:
    status: str | None = None
    source: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def __post_init__(self) -> None:
        check_range(self.date_from, self.date_to)


def list_files(
    session: Session, f: FileFilter, *, sort: str = SORTS.default, limit: int, offset: int = 0
) -> tuple[list[BankFile], int]:
    """One page of the files matching ``f`` in ``sort`` order, and how many match in all."""
    query = select(BankFile)
    if f.status:
        query = query.where(BankFile.status == f.status)
    if f.source == "feed":
        query = query.where(BankFile.source.like("feed:%") | (BankFile.source == "feed"))
    elif f.source:
        query = query.where(BankFile.source == f.source)
    query = within(query, BankFile.created_at, f.date_from, f.date_to, moment=True)
    return fetch_page(session, query, SORTS, sort, limit=limit, offset=offset, entities=True)
