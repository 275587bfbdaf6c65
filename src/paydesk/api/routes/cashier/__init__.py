"""Cashier desk API, one module per resource: payment events, payments and tenders, service
tasks, an account's wallet and options, cash-drawer sessions."""

from __future__ import annotations

from fastapi import APIRouter

from paydesk.api.routes.cashier import (
    accounts,
    drawer_sessions,
    payment_events,
    payments,
    service_tasks,
)

router = APIRouter()
for _module in (payment_events, payments, service_tasks, accounts, drawer_sessions):
    router.include_router(_module.router)
