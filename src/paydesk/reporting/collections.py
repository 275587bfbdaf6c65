"""Collections: what was paid (payments not cancelled) by day, by channel and by paying bank.

A payment counts on its event's date. The channel is the event's source (``desk`` or ``bank``);
the paying bank is the bank entry behind a bank payment's ``bank_transfer`` tender (its bank's
name, else its BIC). Amounts are integer minor units, per currency.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from paydesk.bank.models import BankEntry
from paydesk.payments.models import Payment, PaymentEvent, Tender

#: Payments that count as collected: every status but cancelled.
COLLECTED = ("incomplete", "freezable", "error", "frozen")


@dataclass(frozen=True)
class Total:
    """One group's collections in one currency."""

    label: str
    currency: str
    minor: int
    count: int


@dataclass(frozen=True)
class Period:
    """The collections of a date range, in all and split by channel and by paying bank."""

    start: date
    end: date
    totals: list[Total]
    by_channel: list[Total]
    by_bank: list[Total]


@dataclass(frozen=True)
class Day:
    day: date
    minor: int
    count: int


def _collected(*columns, start: date, end: date) -> Select:
    """``columns`` over the collected payments of events from ``start`` to ``end``."""
    return (
        select(*columns)
        .join_from(Payment, PaymentEvent, PaymentEvent.id == Payment.event_id)
        .where(
            Payment.status.in_(COLLECTED),
            PaymentEvent.event_date >= start,
            PaymentEvent.event_date <= end,
        )
    )


_SUMS = (Payment.currency, func.sum(Payment.amount_minor), func.count(Payment.id))


def _totals(session: Session, query: Select, labelled: bool) -> list[Total]:
    return [
        Total(str(row[0] or "") if labelled else "", row[-3], int(row[-2] or 0), int(row[-1]))
        for row in session.execute(query).all()
    ]


def period(session: Session, start: date, end: date) -> Period:
    """Collections from ``start`` to ``end`` (both included)."""
    totals = _collected(*_SUMS, start=start, end=end).group_by(Payment.currency)
    channel = PaymentEvent.source
    by_channel = (
        _collected(channel, *_SUMS, start=start, end=end)
        .group_by(channel, Payment.currency)
        .order_by(channel, Payment.currency)
    )
    bank = func.coalesce(BankEntry.bank_name, BankEntry.debtor_bic, "")
    by_bank = (
        _collected(bank, *_SUMS, start=start, end=end)
        .join(Tender, Tender.event_id == PaymentEvent.id)
        .join(BankEntry, BankEntry.id == Tender.bank_entry_id)
        .where(channel == "bank")
        .group_by(bank, Payment.currency)
        .order_by(func.sum(Payment.amount_minor).desc(), bank)
    )
    return Period(
        start=start,
        end=end,
        totals=_totals(session, totals.order_by(Payment.currency), labelled=False),
        by_channel=_totals(session, by_channel, labelled=True),
        by_bank=_totals(session, by_bank, labelled=True),
    )


def daily(session: Session, end: date, currency: str, days: int = 30) -> list[Day]:
    """Collections in ``currency`` on each of the ``days`` days up to ``end``, oldest first;
    days with nothing collected are listed with zero."""
    start = end - timedelta(days=days - 1)
    day = PaymentEvent.event_date
    rows = session.execute(
        _collected(day, *_SUMS[1:], start=start, end=end)
        .where(Payment.currency == currency)
        .group_by(day)
    ).all()
    found: dict[date, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for when, minor, count in rows:
        found[when] = (int(minor or 0), int(count))
    return [Day(start + timedelta(days=n), *found[start + timedelta(days=n)]) for n in range(days)]
