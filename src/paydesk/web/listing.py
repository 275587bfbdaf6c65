"""The one shape of a list page: its query string read (filters as typed, date fields, sort,
page), the page rendered with its sort headers, pager and *Export CSV* link, and the CSV
answer of the same rows (:func:`register` declares both routes of a list). The lists themselves
(rows, sort keys, filters) live in :mod:`paydesk.reporting` and :mod:`paydesk.db.listing`;
templates use the macros ``date_fields``, ``list_buttons`` and ``pager`` of ``_macros.html``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from paydesk.db.listing import Sorts
from paydesk.reporting import export
from paydesk.web.pages import PageError, Web

PAGE_SIZE = 50


@dataclass(frozen=True)
class ListQuery:
    """What a list page was asked for: the query string as typed (kept in every link), the
    dates read from it, the errors of the bad ones, the sort and the first row shown."""

    values: dict[str, str]
    days: dict[str, date | None]
    errors: dict[str, str]
    sort: str
    offset: int

    def refuse_errors(self) -> None:
        """A CSV export of a bad filter is refused (the page shows the errors by the fields)."""
        if self.errors:
            raise PageError(422, " ".join(self.errors.values()))


def read(
    web: Web,
    sorts: Sorts,
    *,
    sort: str,
    offset: int = 0,
    values: Mapping[str, str] = {},
    dates: Mapping[str, str] = {},
    date_range: tuple[str, str] = ("from", "to"),
) -> ListQuery:
    """The list's query: ``values`` (filters already checked by the view), ``dates`` (name →
    text as typed; a bad one is an error and ignored), the sort (a stale one: the default)."""
    errors: dict[str, str] = {}
    days: dict[str, date | None] = {}
    for name, text in dates.items():
        days[name] = None
        if text.strip():
            try:
                days[name] = date.fromisoformat(text.strip())
            except ValueError:
                errors[name] = web._("Enter a date.")
    start, end = (days.get(name) for name in date_range)
    if start and end and end < start:
        errors[date_range[1]] = web._("The end date is before the start date.")
        days[date_range[1]] = None
    sort = sorts.chosen(sort)
    typed = {**values, **{name: text.strip() for name, text in dates.items()}, "sort": sort}
    return ListQuery(typed, days, errors, sort, max(offset, 0))


@dataclass(frozen=True)
class DatedQuery:
    """What every dated list reads from its query string (a ``Depends()``): the date range
    ``from``/``to`` as typed, the sort and the first row shown."""

    date_from: str = Query("", alias="from")
    date_to: str = Query("", alias="to")
    sort: str = ""
    offset: int = 0


def read_dated(web: Web, sorts: Sorts, dated: DatedQuery, values: Mapping[str, str]) -> ListQuery:
    """:func:`read` of a list dated ``from``/``to``; ``values`` are its other filters."""
    return read(
        web,
        sorts,
        sort=dated.sort,
        offset=dated.offset,
        values=values,
        dates={"from": dated.date_from, "to": dated.date_to},
    )


def render(
    web: Web,
    template: str,
    query: ListQuery,
    *,
    total: int,
    csv_route: str,
    page_size: int = PAGE_SIZE,
    **context: object,
) -> HTMLResponse:
    """The list page: 422 with the errors by their fields when a filter was bad."""
    return web.render(
        template,
        status=422 if query.errors else 200,
        total=total,
        filters=query.values,
        values=query.values,
        errors=query.errors,
        sort=query.sort,
        offset=query.offset,
        page_size=page_size,
        query=query.values,
        csv_url=web.url(csv_route) + "?" + urlencode(query.values),
        **context,
    )


def csv_response(text: str, filename: str) -> Response:
    """``text`` as a CSV download named ``filename``."""
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


#: What a list page shows beside its count: ``(web, session, rows, filters)`` → the template's
#: names (the rows among them).
Context = Callable[[Web, Session, list, Any], Mapping[str, object]]


def _rows_as_lines(web: Web, s: Session, found: list, filters: Any) -> Mapping[str, object]:
    return {"lines": found}


def register(
    router: APIRouter,
    path: str,
    name: str,
    *,
    asked: Callable[..., tuple[Web, ListQuery, Any]],
    lister: Callable[..., tuple[list, int]],
    template: str,
    to_csv: Callable[[list], str],
    context: Context = _rows_as_lines,
) -> None:
    """A list's page at ``path`` (route ``name``) and its CSV at ``<path>.csv`` (route
    ``<name>_csv``, every page, at most :data:`export.MAX_ROWS` rows): ``asked`` reads the
    query string into ``(web, query, filters)``, ``lister(session, filters, sort=, limit=,
    offset=)`` finds the rows and their count."""

    def list_page(asked: tuple[Web, ListQuery, Any] = Depends(asked)) -> HTMLResponse:
        web, query, filters = asked
        with web.db.reading() as s:
            found, total = lister(s, filters, sort=query.sort, limit=PAGE_SIZE, offset=query.offset)
            shown = context(web, s, found, filters)
        return render(web, template, query, total=total, csv_route=f"{name}_csv", **shown)

    def list_csv(asked: tuple[Web, ListQuery, Any] = Depends(asked)) -> Response:
        web, query, filters = asked
        query.refuse_errors()
        with web.db.reading() as s:
            found, _total = lister(s, filters, sort=query.sort, limit=export.MAX_ROWS, offset=0)
        return csv_response(to_csv(found), f"{path.rsplit('/', 1)[-1]}.csv")

    router.get(path, name=name)(list_page)
    router.get(f"{path}.csv", name=f"{name}_csv")(list_csv)
