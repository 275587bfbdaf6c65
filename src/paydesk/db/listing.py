"""One page of a list to work through: the columns it sorts by, named (``"amount"``, or
``"-amount"`` for descending), a date range on one column, the count of every matching row and
one page of them — the one shape behind every list page, its CSV export and the API's lists."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from paydesk.errors import InvalidInput


@dataclass(frozen=True)
class Sorts:
    """The columns a list sorts by, by name; ``tie`` (unique) orders rows that sort alike."""

    keys: Mapping[str, Any]
    default: str
    tie: Any

    def check(self, sort: str) -> tuple[str, bool]:
        """``"date"`` or ``"-date"`` (descending) → (column, descending); refuses others.

        >>> from sqlalchemy import column
        >>> Sorts({"id": column("id"), "date": column("d")}, "-id", column("id")).check("-date")
        ('date', True)
        """
        column = sort.removeprefix("-")
        if column not in self.keys:
            raise InvalidInput(
                f"sort {sort!r}: sort by one of {list(self.keys)}, '-' first for descending"
            )
        return column, sort.startswith("-")

    def chosen(self, sort: str) -> str:
        """``sort`` when the list sorts by it, else the default (a page ignores a stale link)."""
        try:
            self.check(sort)
        except InvalidInput:
            return self.default
        return sort

    @property
    def help(self) -> str:
        return f"one of {', '.join(self.keys)}; '-' first for descending"

    def order(self, sort: str) -> list[Any]:
        column, descending = self.check(sort)
        key = self.keys[column]
        keys = [key] if key is self.tie else [key, self.tie]
        return [k.desc() if descending else k.asc() for k in keys]


def check_range(date_from: date | None, date_to: date | None) -> None:
    if date_from and date_to and date_to < date_from:
        raise InvalidInput("the end date is before the start date")


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def within(
    query: Select, column: Any, date_from: date | None, date_to: date | None, *, moment=False
) -> Select:
    """``query`` narrowed to ``column`` from ``date_from`` to ``date_to``, both included; a
    ``moment`` column (a timestamp) counts whole UTC days."""
    if moment:
        if date_from:
            query = query.where(column >= _day_start(date_from))
        if date_to:
            query = query.where(column < _day_start(date_to + timedelta(days=1)))
        return query
    if date_from:
        query = query.where(column >= date_from)
    if date_to:
        query = query.where(column <= date_to)
    return query


def fetch_page(
    session: Session,
    query: Select,
    sorts: Sorts,
    sort: str,
    *,
    limit: int,
    offset: int = 0,
    entities: bool = False,
) -> tuple[list[Any], int]:
    """One page of ``query``'s rows in ``sort`` order (model objects when ``entities``), and
    how many rows match in all."""
    ordered = query.order_by(*sorts.order(sort)).limit(limit).offset(offset)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(ordered) if entities else session.execute(ordered)
    return list(rows.all()), int(total)
