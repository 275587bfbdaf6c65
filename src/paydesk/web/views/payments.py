"""Payments, one line each: by status, channel and event date, sorted, paged, exported as CSV
(see :mod:`paydesk.reporting.payments`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from paydesk.auth.roles import CASHIER_DESK
from paydesk.reporting import export
from paydesk.reporting import payments as payment_list
from paydesk.web import listing
from paydesk.web.pages import PageRoute, Web, page

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _query(
    web: Web = Depends(page(CASHIER_DESK)),
    status: str = "",
    source: str = "",
    date_from: str = Query("", alias="from"),
    date_to: str = Query("", alias="to"),
    sort: str = payment_list.SORTS.default,
    offset: int = 0,
) -> tuple[Web, listing.ListQuery, payment_list.PaymentFilter]:
    """The list's filters, sort and page from the query string; bad dates are errors."""
    chosen = {
        "status": status if status in payment_list.STATUSES else "",
        "source": source if source in ("desk", "bank") else "",
    }
    query = listing.read(
        web,
        payment_list.SORTS,
        sort=sort,
        offset=offset,
        values=chosen,
        dates={"from": date_from, "to": date_to},
    )
    filters = payment_list.PaymentFilter(
        chosen["status"] or None, query.days["from"], query.days["to"], chosen["source"] or None
    )
    return web, query, filters


@router.get("/payments", name="web.payments")
def payment_list_page(asked=Depends(_query)):
    web, query, filters = asked
    with web.db.reading() as s:
        lines, total = payment_list.list_payments(
            s, filters, sort=query.sort, limit=listing.PAGE_SIZE, offset=query.offset
        )
    return listing.render(
        web,
        "payments/list.html",
        query,
        total=total,
        csv_route="web.payments_csv",
        lines=lines,
        statuses=payment_list.STATUSES,
    )


@router.get("/payments.csv", name="web.payments_csv")
def payment_list_csv(asked=Depends(_query)):
    web, query, filters = asked
    query.refuse_errors()
    with web.db.reading() as s:
        lines, _total = payment_list.list_payments(
            s, filters, sort=query.sort, limit=export.MAX_ROWS
        )
    return listing.csv_response(export.payments_csv(lines), "payments.csv")
