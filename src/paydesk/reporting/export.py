"""Rows as CSV (RFC 4180, UTF-8, a header line): amounts as exact decimals beside their
currency, dates in ISO 8601, so a spreadsheet or a script reads them the same everywhere."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from paydesk.bank.models import FILE_COUNTS, BankEntry, BankFile
from paydesk.cashier.models import CashDrawerSession
from paydesk.codes.models import PaymentCode
from paydesk.documents.models import Document
from paydesk.errors import PaydeskError
from paydesk.money import Money
from paydesk.reporting.events import EventLine
from paydesk.reporting.payments import PaymentLine

#: The most rows one export writes; narrow the filters for more.
MAX_ROWS = 100_000

EVENT_COLUMNS = (
    "event",
    "date",
    "source",
    "by",
    "account",
    "customer",
    "currency",
    "tendered",
    "paid",
    "difference",
)


def amount(minor: int, currency: str | None) -> str:
    """Minor units as a plain decimal in the currency's precision (``1234.50``)."""
    try:
        return str(Money.from_minor(minor, currency or "").amount)
    except PaydeskError:  # no currency, or one the bank wrote badly: the minor units as stored
        return str(minor)


def write_csv(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow("" if value is None else value for value in row)
    return out.getvalue()


CODE_COLUMNS = (
    "rf",
    "account",
    "kind",
    "status",
    "amount_type",
    "currency",
    "amount",
    "paid",
    "issued_at",
    "expires_on",
)


def codes_csv(codes: Iterable[PaymentCode], numbers: dict[int, str]) -> str:
    """Payment codes; ``amount`` is the fixed amount or an open code's ceiling (empty: none)."""
    return write_csv(
        CODE_COLUMNS,
        (
            (
                c.rf,
                numbers.get(c.account_id, c.account_id),
                c.kind,
                c.status,
                c.amount_type,
                c.currency,
                None if c.amount_minor is None else amount(c.amount_minor, c.currency),
                amount(c.paid_minor, c.currency),
                c.issued_at.isoformat(),
                c.expires_on.isoformat() if c.expires_on else None,
            )
            for c in codes
        ),
    )


ENTRY_COLUMNS = (
    "id",
    "booking_date",
    "value_date",
    "status",
    "currency",
    "amount",
    "rf",
    "payer",
    "bank_bic",
    "bank",
    "end_to_end_id",
    "bank_reference",
    "remittance",
    "reason",
)


def bank_entries_csv(entries: Iterable[BankEntry]) -> str:
    """Bank entries; a reversal's amount is as the bank reported it."""
    return write_csv(
        ENTRY_COLUMNS,
        (
            (
                e.id,
                e.booking_date.isoformat() if e.booking_date else None,
                e.value_date.isoformat() if e.value_date else None,
                e.status,
                e.currency,
                None if e.amount_minor is None else amount(e.amount_minor, e.currency),
                e.rf or e.rf_candidate,
                e.debtor_name,
                e.debtor_bic,
                e.bank_name,
                e.end_to_end_id,
                e.account_servicer_ref,
                e.remittance_text,
                e.reason,
            )
            for e in entries
        ),
    )


PAYMENT_COLUMNS = (
    "payment",
    "event",
    "date",
    "source",
    "status",
    "account",
    "customer",
    "currency",
    "amount",
    "match_type",
    "match_value",
    "error",
)


def payments_csv(lines: Iterable[PaymentLine]) -> str:
    return write_csv(
        PAYMENT_COLUMNS,
        (
            (
                p.id,
                p.event_id,
                p.event_date.isoformat(),
                p.source,
                p.status,
                p.account_number,
                p.customer_name,
                p.currency,
                amount(p.amount_minor, p.currency),
                p.match_type,
                p.match_value,
                p.error_message,
            )
            for p in lines
        ),
    )


def events_csv(lines: Iterable[EventLine]) -> str:
    return write_csv(
        EVENT_COLUMNS,
        (
            (
                e.id,
                e.event_date.isoformat(),
                e.source,
                e.created_by,
                e.account_number,
                e.customer_name,
                e.currency,
                amount(e.tendered_minor, e.currency),
                amount(e.paid_minor, e.currency),
                amount(e.difference_minor, e.currency),
            )
            for e in lines
        ),
    )


@dataclass(frozen=True)
class Table:
    """A list's declared columns and how one of its rows reads in them: the same values make
    the CSV export and the API's items."""

    columns: Sequence[str]
    row: Callable[[Any], Sequence[object]]

    def csv(self, lines: Iterable[Any]) -> str:
        return write_csv(self.columns, (self.row(line) for line in lines))

    def records(self, lines: Iterable[Any]) -> list[dict[str, object]]:
        return [dict(zip(self.columns, self.row(line), strict=True)) for line in lines]


def _day(value) -> str | None:
    return value.isoformat() if value else None


def _per_type(minor_by_type: dict | None, currency: str) -> str | None:
    """``{"cash": 12000}`` → ``cash 120.00`` (types in name order, ``; `` between)."""
    if minor_by_type is None:
        return None
    return "; ".join(f"{k} {amount(v, currency)}" for k, v in sorted(minor_by_type.items()))


ACCOUNTS = Table(
    ("account", "customer", "customer_class", "currency", "opened_at", "balance"),
    lambda a: (
        a.number,
        a.customer_name,
        a.customer_class,
        a.currency,
        _day(a.opened_at),
        amount(a.balance_minor, a.currency),
    ),
)


def _document_row(line: tuple[Document, str]) -> Sequence[object]:
    d, account_number = line
    return (
        d.number,
        d.kind,
        account_number,
        _day(d.issue_date),
        _day(d.due_date),
        d.status,
        d.currency,
        amount(d.amount_minor, d.currency),
    )


DOCUMENTS = Table(
    ("document", "kind", "account", "issue_date", "due_date", "status", "currency", "amount"),
    _document_row,
)


def _file_row(f: BankFile) -> Sequence[object]:
    return (
        f.id,
        f.name,
        f.kind,
        f.version,
        f.source,
        f.status,
        *(getattr(f, count) for count in FILE_COUNTS),
        f.imported_by,
        _day(f.created_at),
        f.error,
    )


BANK_FILES = Table(
    [
        "file",
        "name",
        "kind",
        "version",
        "source",
        "status",
        *FILE_COUNTS,
        "imported_by",
        "imported_at",
        "error",
    ],
    _file_row,
)


def _drawer_row(d: CashDrawerSession) -> Sequence[object]:
    per_type = (_per_type(d.expected, d.currency), _per_type(d.counted, d.currency))
    return (
        d.id,
        d.cashier,
        d.status,
        d.currency,
        amount(d.float_minor, d.currency),
        _day(d.opened_at),
        _day(d.closed_at),
        *per_type,
        _per_type(d.difference, d.currency),
    )


DRAWERS = Table(
    [
        "drawer",
        "cashier",
        "status",
        "currency",
        "float",
        "opened_at",
        "closed_at",
        "expected",
        "counted",
        "difference",
    ],
    _drawer_row,
)
