"""Lists to work through, as on the web pages: filtered by date range, sorted, paged, and
exported as CSV (the same rows)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel
from sqlalchemy import select

from paydesk.accounts.models import Account
from paydesk.api.deps import database, require
from paydesk.api.schemas import Page
from paydesk.auth.roles import ANYONE, DESK
from paydesk.bank.models import BankEntry
from paydesk.codes import service as codes
from paydesk.codes.status import CodeStatus
from paydesk.db.engine import Database
from paydesk.reporting import bank_entries, events, export, payments
from paydesk.web.listing import csv_response

router = APIRouter(tags=["reports"])

Show = Literal["", "unbalanced", "attention", "validation"]


class EventLineOut(BaseModel):
    id: int
    event_date: date
    source: str
    created_by: str
    account_id: int | None
    account_number: str | None
    customer_name: str | None
    currency: str | None
    tendered: str
    paid: str
    difference: str

    @classmethod
    def of(cls, e: events.EventLine) -> EventLineOut:
        return cls(
            id=e.id,
            event_date=e.event_date,
            source=e.source,
            created_by=e.created_by,
            account_id=e.account_id,
            account_number=e.account_number,
            customer_name=e.customer_name,
            currency=e.currency,
            tendered=export.amount(e.tendered_minor, e.currency),
            paid=export.amount(e.paid_minor, e.currency),
            difference=export.amount(e.difference_minor, e.currency),
        )


class EventLinesOut(BaseModel):
    items: list[EventLineOut]
    page: Page


def _filter(
    date_from: date | None = Query(None, alias="from", description="event date, from"),
    date_to: date | None = Query(None, alias="to", description="event date, to (included)"),
    show: Show = "",
    source: Literal["desk", "bank"] | None = None,
) -> events.EventFilter:
    return events.EventFilter(date_from, date_to, show, source)


@router.get("/reports/payment-events", response_model=EventLinesOut)
def payment_events(
    filters: events.EventFilter = Depends(_filter),
    sort: str = Query(events.SORTS.default, description=events.SORTS.help),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    db: Database = Depends(database),
    _caller=Depends(require(DESK)),
) -> EventLinesOut:
    """Payment events with their account, customer, tendered and paid amounts."""
    with db.reading() as session:
        lines, total = events.list_events(session, filters, sort=sort, limit=limit, offset=offset)
    return EventLinesOut(
        items=[EventLineOut.of(e) for e in lines],
        page=Page(total=total, limit=limit, offset=offset),
    )


@router.get("/reports/payment-events.csv", response_class=Response)
def payment_events_csv(
    filters: events.EventFilter = Depends(_filter),
    sort: str = Query(events.SORTS.default, description=events.SORTS.help),
    db: Database = Depends(database),
    _caller=Depends(require(DESK)),
) -> Response:
    """The same rows as CSV (every page, at most 100 000)."""
    with db.reading() as session:
        lines, _total = events.list_events(session, filters, sort=sort, limit=export.MAX_ROWS)
    return csv_response(export.events_csv(lines), "payment-events.csv")


@router.get("/reports/payment-codes.csv", response_class=Response)
def payment_codes_csv(
    status: CodeStatus | None = None,
    kind: str | None = None,
    account_id: int | None = None,
    issued_from: date | None = None,
    issued_to: date | None = None,
    expiring_by: date | None = None,
    sort: str = Query(codes.SORTS.default, description=codes.SORTS.help),
    db: Database = Depends(database),
    _caller=Depends(require(ANYONE)),
) -> Response:
    """The codes `GET /v1/payment-codes` lists with the same filters, every page, as CSV."""
    filters = codes.CodeFilter(status, kind, account_id, issued_from, issued_to, expiring_by)
    with db.reading() as session:
        found, _total = codes.search(session, filters, limit=export.MAX_ROWS, offset=0, sort=sort)
        ids = {c.account_id for c in found}
        rows = session.execute(select(Account.id, Account.number).where(Account.id.in_(ids)))
        numbers = {i: number for i, number in rows}
    return csv_response(export.codes_csv(found, numbers), "payment-codes.csv")


class BankEntryLineOut(BaseModel):
    id: int
    booking_date: date | None
    value_date: date | None
    status: str
    currency: str | None
    amount: str | None
    rf: str | None
    payer: str | None
    bank_bic: str | None
    bank: str | None
    end_to_end_id: str | None
    bank_reference: str | None
    remittance: str | None
    reason: str | None

    @classmethod
    def of(cls, e: BankEntry) -> BankEntryLineOut:
        return cls(
            id=e.id,
            booking_date=e.booking_date,
            value_date=e.value_date,
            status=e.status,
            currency=e.currency,
            amount=None if e.amount_minor is None else export.amount(e.amount_minor, e.currency),
            rf=e.rf or e.rf_candidate,
            payer=e.debtor_name,
            bank_bic=e.debtor_bic,
            bank=e.bank_name,
            end_to_end_id=e.end_to_end_id,
            bank_reference=e.account_servicer_ref,
            remittance=e.remittance_text,
            reason=e.reason,
        )


class BankEntryLinesOut(BaseModel):
    items: list[BankEntryLineOut]
    page: Page


EntryStatus = Literal["matched", "unmatched", "reversed", "reversal", "rejected", "returned"]


def _entry_filter(
    status: EntryStatus | None = None,
    date_from: date | None = Query(None, alias="from", description="booking date, from"),
    date_to: date | None = Query(None, alias="to", description="booking date, to (included)"),
) -> bank_entries.EntryFilter:
    return bank_entries.EntryFilter(status, date_from, date_to)


@router.get("/reports/bank-entries", response_model=BankEntryLinesOut)
def bank_entry_lines(
    filters: bank_entries.EntryFilter = Depends(_entry_filter),
    sort: str = Query(bank_entries.SORTS.default, description=bank_entries.SORTS.help),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    db: Database = Depends(database),
    _caller=Depends(require(ANYONE)),
) -> BankEntryLinesOut:
    """Bank entries by status and booking date, sorted, paged."""
    with db.reading() as session:
        found, total = bank_entries.list_entries(
            session, filters, sort=sort, limit=limit, offset=offset
        )
    return BankEntryLinesOut(
        items=[BankEntryLineOut.of(e) for e in found],
        page=Page(total=total, limit=limit, offset=offset),
    )


@router.get("/reports/bank-entries.csv", response_class=Response)
def bank_entry_lines_csv(
    filters: bank_entries.EntryFilter = Depends(_entry_filter),
    sort: str = Query(bank_entries.SORTS.default, description=bank_entries.SORTS.help),
    db: Database = Depends(database),
    _caller=Depends(require(ANYONE)),
) -> Response:
    """The same rows as CSV (every page, at most 100 000)."""
    with db.reading() as session:
        found, _total = bank_entries.list_entries(
            session, filters, sort=sort, limit=export.MAX_ROWS
        )
    return csv_response(export.bank_entries_csv(found), "bank-entries.csv")


class PaymentLineOut(BaseModel):
    id: int
    event_id: int
    event_date: date
    source: str
    status: str
    account_id: int
    account_number: str
    customer_name: str
    currency: str
    amount: str
    match_type: str | None
    match_value: str | None
    error: str | None

    @classmethod
    def of(cls, p: payments.PaymentLine) -> PaymentLineOut:
        return cls(
            id=p.id,
            event_id=p.event_id,
            event_date=p.event_date,
            source=p.source,
            status=p.status,
            account_id=p.account_id,
            account_number=p.account_number,
            customer_name=p.customer_name,
            currency=p.currency,
            amount=export.amount(p.amount_minor, p.currency),
            match_type=p.match_type,
            match_value=p.match_value,
            error=p.error_message,
        )


class PaymentLinesOut(BaseModel):
    items: list[PaymentLineOut]
    page: Page


PaymentStatusName = Literal["incomplete", "freezable", "error", "frozen", "cancelled"]


def _payment_filter(
    status: PaymentStatusName | None = None,
    source: Literal["desk", "bank"] | None = None,
    date_from: date | None = Query(None, alias="from", description="event date, from"),
    date_to: date | None = Query(None, alias="to", description="event date, to (included)"),
) -> payments.PaymentFilter:
    return payments.PaymentFilter(status, date_from, date_to, source)


@router.get("/reports/payments", response_model=PaymentLinesOut)
def payment_lines(
    filters: payments.PaymentFilter = Depends(_payment_filter),
    sort: str = Query(payments.SORTS.default, description=payments.SORTS.help),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    db: Database = Depends(database),
    _caller=Depends(require(DESK)),
) -> PaymentLinesOut:
    """Payments, one line each, with their account and customer."""
    with db.reading() as session:
        lines, total = payments.list_payments(
            session, filters, sort=sort, limit=limit, offset=offset
        )
    return PaymentLinesOut(
        items=[PaymentLineOut.of(p) for p in lines],
        page=Page(total=total, limit=limit, offset=offset),
    )


@router.get("/reports/payments.csv", response_class=Response)
def payment_lines_csv(
    filters: payments.PaymentFilter = Depends(_payment_filter),
    sort: str = Query(payments.SORTS.default, description=payments.SORTS.help),
    db: Database = Depends(database),
    _caller=Depends(require(DESK)),
) -> Response:
    """The same rows as CSV (every page, at most 100 000)."""
    with db.reading() as session:
        lines, _total = payments.list_payments(session, filters, sort=sort, limit=export.MAX_ROWS)
    return csv_response(export.payments_csv(lines), "payments.csv")
