"""Lists to work through, as on the web pages: filtered by date range, sorted, paged, and
exported as CSV (the same rows)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy import select

from paydesk.accounts.models import Account
from paydesk.accounts.service import CustomerClass
from paydesk.api.deps import Paging, reader
from paydesk.api.routes.codes import code_filter
from paydesk.api.schemas import Minor, Out, PageOf
from paydesk.auth.roles import ANYONE, DESK, INTEGRATIONS, SUPERVISORS
from paydesk.bank.models import BankEntry
from paydesk.codes import service as codes
from paydesk.db.engine import Database
from paydesk.db.listing import Sorts
from paydesk.documents.lifecycle import DocumentKind
from paydesk.reporting import accounts as account_list
from paydesk.reporting import bank_entries, events, export, payments
from paydesk.reporting import bank_files as file_list
from paydesk.reporting import documents as document_list
from paydesk.reporting import drawers as drawer_list
from paydesk.web.listing import csv_response

router = APIRouter(tags=["reports"])

Show = Literal["", "unbalanced", "attention", "validation"]


#: An amount of a list, written as in its CSV export.
ListAmount = Annotated[str, Minor(write=export.amount)]


class EventLineOut(Out):
    id: int
    event_date: date
    source: str
    created_by: str
    account_id: int | None
    account_number: str | None
    customer_name: str | None
    currency: str | None
    tendered: ListAmount
    paid: ListAmount
    difference: ListAmount


class EventLinesOut(PageOf[EventLineOut]):
    pass


def _filter(
    date_from: date | None = Query(None, alias="from", description="event date, from"),
    date_to: date | None = Query(None, alias="to", description="event date, to (included)"),
    show: Show = "",
    source: Literal["desk", "bank"] | None = None,
) -> events.EventFilter:
    return events.EventFilter(date_from, date_to, show, source)


@router.get("/reports/payment-codes.csv", response_class=Response)
def payment_codes_csv(
    filters: codes.CodeFilter = Depends(code_filter),
    sort: str = Query(codes.SORTS.default, description=codes.SORTS.help),
    db: Database = Depends(reader(ANYONE)),
) -> Response:
    """The codes `GET /v1/payment-codes` lists with the same filters, every page, as CSV."""
    with db.reading() as session:
        found, _total = codes.search(session, filters, limit=export.MAX_ROWS, offset=0, sort=sort)
        ids = {c.account_id for c in found}
        rows = session.execute(select(Account.id, Account.number).where(Account.id.in_(ids)))
        numbers = {i: number for i, number in rows}
    return csv_response(export.codes_csv(found, numbers), "payment-codes.csv")


class BankEntryLineOut(Out):
    id: int
    booking_date: date | None
    value_date: date | None
    status: str
    currency: str | None
    amount: Annotated[str | None, Minor(write=export.amount)]
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
        return cls.of_row(
            e,
            rf=e.rf or e.rf_candidate,
            payer=e.debtor_name,
            bank_bic=e.debtor_bic,
            bank=e.bank_name,
            bank_reference=e.account_servicer_ref,
            remittance=e.remittance_text,
        )


class BankEntryLinesOut(PageOf[BankEntryLineOut]):
    pass


EntryStatus = Literal["matched", "unmatched", "reversed", "reversal", "rejected", "returned"]


def _entry_filter(
    status: EntryStatus | None = None,
    date_from: date | None = Query(None, alias="from", description="booking date, from"),
    date_to: date | None = Query(None, alias="to", description="booking date, to (included)"),
) -> bank_entries.EntryFilter:
    return bank_entries.EntryFilter(status, date_from, date_to)


class PaymentLineOut(Out):
    id: int
    event_id: int
    event_date: date
    source: str
    status: str
    account_id: int
    account_number: str
    customer_name: str
    currency: str
    amount: ListAmount
    match_type: str | None
    match_value: str | None
    error: str | None

    @classmethod
    def of(cls, p: payments.PaymentLine) -> PaymentLineOut:
        return cls.of_row(p, error=p.error_message)


class PaymentLinesOut(PageOf[PaymentLineOut]):
    pass


PaymentStatusName = Literal["incomplete", "freezable", "error", "frozen", "cancelled"]


def _payment_filter(
    status: PaymentStatusName | None = None,
    source: Literal["desk", "bank"] | None = None,
    date_from: date | None = Query(None, alias="from", description="event date, from"),
    date_to: date | None = Query(None, alias="to", description="event date, to (included)"),
) -> payments.PaymentFilter:
    return payments.PaymentFilter(status, date_from, date_to, source)


class Records(PageOf[dict[str, Any]]):
    """One page of a list: each item has the list's columns, as in its CSV export."""


def _list_report(
    path: str, *, lister: Callable, filters: Callable, sorts: Sorts, roles: frozenset,
    summary: str, table: export.Table | None = None, to_csv: Callable[[list], str] | None = None,
    items: Callable[[list], list] | None = None, model: type[PageOf] = Records,
) -> None:  # fmt: skip
    """``GET /v1/reports/<path>`` (one page, JSON) and ``…/<path>.csv`` (every page, at most
    100 000 rows) of a list: the same rows, filters and sort. A list declared as a
    :class:`export.Table` gives both; one with typed items names ``items``, ``model`` and
    ``to_csv``."""
    if table is not None:
        to_csv, items = table.csv, table.records
    assert to_csv is not None and items is not None

    def page_of(
        chosen=Depends(filters),
        sort: str = Query(sorts.default, description=sorts.help),
        paging: Paging = Depends(),
        db: Database = Depends(reader(roles)),
    ):
        with db.reading() as session:
            found, total = lister(
                session, chosen, sort=sort, limit=paging.limit, offset=paging.offset
            )
        return model.of(items(found), total, paging)

    def every_row(
        chosen=Depends(filters),
        sort: str = Query(sorts.default, description=sorts.help),
        db: Database = Depends(reader(roles)),
    ) -> Response:
        with db.reading() as session:
            found, _total = lister(session, chosen, sort=sort, limit=export.MAX_ROWS)
        return csv_response(to_csv(found), f"{path}.csv")

    router.get(f"/reports/{path}", response_model=model, description=summary)(page_of)
    csv_summary = f"{summary}: every page as CSV"
    router.get(f"/reports/{path}.csv", response_class=Response, description=csv_summary)(every_row)


FROM = Query(None, alias="from", description="from this day")
TO = Query(None, alias="to", description="to this day (included)")


def _account_filter(
    q: str | None = Query(None, max_length=100, description="account number or customer name"),
    customer_class: CustomerClass | None = None,
    date_from: date | None = FROM,
    date_to: date | None = TO,
) -> account_list.AccountFilter:
    return account_list.AccountFilter(q, customer_class, date_from, date_to)


def _document_filter(
    kind: DocumentKind | None = None,
    status: str | None = Query(None, max_length=30),
    account_id: int | None = None,
    date_from: date | None = FROM,
    date_to: date | None = TO,
) -> document_list.DocumentFilter:
    return document_list.DocumentFilter(kind, status, account_id, date_from, date_to)


def _file_filter(
    status: Literal["imported", "importing", "failed"] | None = None,
    source: Literal["cli", "api", "web", "inbox", "feed", "push"] | None = None,
    date_from: date | None = FROM,
    date_to: date | None = TO,
) -> file_list.FileFilter:
    return file_list.FileFilter(status, source, date_from, date_to)


def _drawer_filter(
    status: Literal["open", "closed"] | None = None,
    cashier: str | None = Query(None, max_length=64),
    date_from: date | None = FROM,
    date_to: date | None = TO,
) -> drawer_list.DrawerFilter:
    return drawer_list.DrawerFilter(status, cashier, date_from, date_to)


_list_report(
    "accounts", lister=account_list.list_accounts, filters=_account_filter,
    sorts=account_list.SORTS, table=export.ACCOUNTS, roles=ANYONE,
    summary="Accounts with their customer and balance, by opening date",
)  # fmt: skip
_list_report(
    "documents", lister=document_list.list_documents, filters=_document_filter,
    sorts=document_list.SORTS, table=export.DOCUMENTS, roles=ANYONE,
    summary="Documents with their account, by issue date",
)  # fmt: skip
_list_report(
    "bank-files", lister=file_list.list_files, filters=_file_filter,
    sorts=file_list.SORTS, table=export.BANK_FILES, roles=ANYONE,
    summary="Imported bank files with what each import did, by import date",
)  # fmt: skip
_list_report(
    "cash-drawers", lister=drawer_list.list_drawers, filters=_drawer_filter,
    sorts=drawer_list.SORTS, table=export.DRAWERS, roles=SUPERVISORS | INTEGRATIONS,
    summary="Cash drawers with float, expected, counted and difference, by opening date",
)  # fmt: skip
_list_report(
    "payment-events", lister=events.list_events, filters=_filter, sorts=events.SORTS,
    roles=DESK, summary="Payment events with their account, customer, tendered and paid amounts",
    items=lambda found: [EventLineOut.of_row(e) for e in found], model=EventLinesOut,
    to_csv=export.events_csv,
)  # fmt: skip
_list_report(
    "bank-entries", lister=bank_entries.list_entries, filters=_entry_filter,
    sorts=bank_entries.SORTS, roles=ANYONE,
    summary="Bank entries by status and booking date, sorted, paged",
    items=lambda found: [BankEntryLineOut.of(e) for e in found], model=BankEntryLinesOut,
    to_csv=export.bank_entries_csv,
)  # fmt: skip
_list_report(
    "payments", lister=payments.list_payments, filters=_payment_filter, sorts=payments.SORTS,
    roles=DESK, summary="Payments, one line each, with their account and customer",
    items=lambda found: [PaymentLineOut.of(p) for p in found], model=PaymentLinesOut,
    to_csv=export.payments_csv,
)  # fmt: skip
