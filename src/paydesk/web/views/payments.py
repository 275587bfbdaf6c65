"""Payments, one line each: by status, channel and event date, sorted, paged, exported as CSV
(see :mod:`paydesk.reporting.payments`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

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
    dated: listing.DatedQuery = Depends(),
) -> tuple[Web, listing.ListQuery, payment_list.PaymentFilter]:
    """The list's filters, sort and page from the query string; bad dates are errors."""
    chosen = {
        "status": status if status in payment_list.STATUSES else "",
        "source": source if source in ("desk", "bank") else "",
    }
    query = listing.read_dated(web, payment_list.SORTS, dated, chosen)
    filters = payment_list.PaymentFilter(
        chosen["status"] or None, query.days["from"], query.days["to"], chosen["source"] or None
    )
    return web, query, filters


listing.register(
    router,
    "/payments",
    "web.payments",
    asked=_query,
    lister=payment_list.list_payments,
    template="payments/list.html",
    to_csv=export.payments_csv,
    context=lambda web, s, lines, filters: {"lines": lines, "statuses": payment_list.STATUSES},
)
