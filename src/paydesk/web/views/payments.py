"""Payments, one line each: by status, channel and event date, sorted, paged, exported as CSV
(see :mod:`paydesk.reporting.payments`)."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Response

from paydesk.auth.roles import CASHIER_DESK
from paydesk.errors import InvalidInput
from paydesk.reporting import export
from paydesk.reporting import payments as payment_list
from paydesk.web.pages import PageError, PageRoute, Web, page

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 50


def _filter(
    web: Web, status: str, source: str, date_from: str, date_to: str, sort: str
) -> tuple[payment_list.PaymentFilter, str, dict[str, str]]:
    """The list's filters and sort from the query string; the errors of bad dates."""
    errors: dict[str, str] = {}
    days: dict[str, date | None] = {}
    for name, text in (("from", date_from.strip()), ("to", date_to.strip())):
        days[name] = None
        if text:
            try:
                days[name] = date.fromisoformat(text)
            except ValueError:
                errors[name] = web._("Enter a date.")
    if days["from"] and days["to"] and days["to"] < days["from"]:
        errors["to"] = web._("The end date is before the start date.")
        days["to"] = None
    try:
        payment_list.check_sort(sort)
    except InvalidInput:
        sort = payment_list.DEFAULT_SORT
    chosen = payment_list.PaymentFilter(
        status if status in payment_list.STATUSES else None,
        days["from"],
        days["to"],
        source if source in ("desk", "bank") else None,
    )
    return chosen, sort, errors


@router.get("/payments", name="web.payments")
def payment_list_page(
    status: str = "",
    source: str = "",
    date_from: str = Query("", alias="from"),
    date_to: str = Query("", alias="to"),
    sort: str = payment_list.DEFAULT_SORT,
    offset: int = 0,
    web: Web = Depends(page(CASHIER_DESK)),
):
    filters, sort, errors = _filter(web, status, source, date_from, date_to, sort)
    offset = max(offset, 0)
    with web.db.reading() as s:
        lines, total = payment_list.list_payments(
            s, filters, sort=sort, limit=PAGE_SIZE, offset=offset
        )
    query = {
        "status": filters.status or "",
        "source": filters.source or "",
        "from": date_from,
        "to": date_to,
        "sort": sort,
    }
    return web.render(
        "payments/list.html",
        status=422 if errors else 200,
        lines=lines,
        total=total,
        statuses=payment_list.STATUSES,
        filters=query,
        errors=errors,
        sort=sort,
        offset=offset,
        page_size=PAGE_SIZE,
        query=query,
        csv_url=web.url("web.payments_csv") + "?" + urlencode(query),
    )


@router.get("/payments.csv", name="web.payments_csv")
def payment_list_csv(
    status: str = "",
    source: str = "",
    date_from: str = Query("", alias="from"),
    date_to: str = Query("", alias="to"),
    sort: str = payment_list.DEFAULT_SORT,
    web: Web = Depends(page(CASHIER_DESK)),
):
    filters, sort, errors = _filter(web, status, source, date_from, date_to, sort)
    if errors:
        raise PageError(422, " ".join(errors.values()))
    with web.db.reading() as s:
        lines, _total = payment_list.list_payments(s, filters, sort=sort, limit=export.MAX_ROWS)
    return Response(
        export.payments_csv(lines),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="payments.csv"'},
    )
