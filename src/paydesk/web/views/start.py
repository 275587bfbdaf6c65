"""The start page after sign-in: collections today and this month (by channel and paying
bank), a chart of the last 30 days with its figures as a table, and counts of the work
waiting, each linking to where it is done. What is shown follows the role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends
from fastapi.responses import RedirectResponse

from paydesk.auth.roles import ADMINS, BACK_OFFICE, CASHIER_DESK, Role
from paydesk.reporting import collections, work
from paydesk.web.chart import Chart, bar_chart
from paydesk.web.i18n import N_
from paydesk.web.pages import PageRoute, Web, public_page

router = APIRouter(route_class=PageRoute, include_in_schema=False)

CHART_DAYS = 30


@dataclass(frozen=True)
class WorkItem:
    """One count of waiting work, and where the work is done (``None``: no page for it)."""

    key: str
    label: str
    count: int
    href: str | None


def today_in(timezone: str) -> date:
    """Today's date in the business's time zone."""
    return datetime.now(ZoneInfo(timezone)).date()


def _work_items(web: Web, waiting: work.Waiting, today: date) -> list[WorkItem]:
    """The counts the signed-in role deals with."""
    items = [
        ("held_bank_entries", N_("Held bank entries"), waiting.held_bank_entries,
         "/bank#unmatched", BACK_OFFICE),
        ("payments_needing_attention", N_("Payments needing attention"),
         waiting.payments_needing_attention, "/payment-events?show=attention", CASHIER_DESK),
        ("events_waiting_for_validation", N_("Events waiting for bank-account validation"),
         waiting.events_waiting_for_validation, "/payment-events?show=validation", CASHIER_DESK),
        ("codes_expiring", N_("Payment codes expiring within 7 days"), waiting.codes_expiring,
         f"/codes?expiring_by={work.expiring_by(today).isoformat()}", frozenset(Role)),
        ("failed_slip_emails", N_("Failed slip e-mails"), waiting.failed_slip_emails, None,
         BACK_OFFICE),
        ("failed_webhooks", N_("Failed webhook deliveries"), waiting.failed_webhooks, None,
         ADMINS | {Role.INTEGRATION}),
        ("open_drawers", N_("Open cash drawers"), waiting.open_drawers, "/cash-drawer",
         CASHIER_DESK),
    ]  # fmt: skip
    return [
        WorkItem(key, web._(label), count, href)
        for key, label, count, href, roles in items
        if web.may(roles)
    ]


@router.get("/", name="web.home")
def start_page(web: Web = Depends(public_page)):
    if web.user is None:
        return RedirectResponse("/sign-in", status_code=303)
    today = today_in(web.settings.timezone)
    with web.db.reading() as s:
        today_figures = collections.period(s, today, today)
        month = collections.period(s, today.replace(day=1), today)
        days = collections.daily(s, today, web.settings.currency, CHART_DAYS)
        waiting = work.waiting(s, today)
    chart: Chart = bar_chart([(d.day, d.minor) for d in days])
    return web.render(
        "start.html",
        today=today,
        periods=[(web._("Today"), "today", today_figures), (web._("This month"), "month", month)],
        days=days,
        chart=chart,
        currency=web.settings.currency,
        work=_work_items(web, waiting, today),
    )
