"""Rows as CSV (RFC 4180, UTF-8, a header line): amounts as exact decimals beside their
currency, dates in ISO 8601, so a spreadsheet or a script reads them the same everywhere."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from paydesk.bank.models import BankEntry
from paydesk.codes.models import PaymentCode
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
