"""The SEPA Core rules paydesk keeps: lead time, collection dates, sequence types, reason codes.

Pure functions, no I/O.

- **Lead time**: a collection may be asked for no earlier than ``lead_days`` business days
  after the day its file is sent (SEPA Core: one day, D-1, for every sequence type since the
  2016 rulebook). Business days are Monday to Friday; TARGET2 holidays are not kept.
- **Collection date**: the tender's due date, or the earliest the lead time allows when that
  is later, moved off a weekend to the Monday after.
- **Sequence type**: a mandate's next one (``FRST``, ``RCUR``, ``FNAL``, ``OOFF``); after a
  ``FRST`` comes ``RCUR``; after ``FNAL`` or ``OOFF`` the mandate has ended.
- **Reasons**: the ISO 20022 external status reason codes banks return, with their meaning;
  the cash-only points a return adds come from the settings per code.

>>> earliest_collection(date(2026, 12, 4), lead_days=1)   # Friday → Monday
datetime.date(2026, 12, 7)
>>> collection_date(date(2026, 11, 30), date(2026, 11, 30), lead_days=1)
datetime.date(2026, 12, 1)
>>> next_sequence("FRST")
'RCUR'
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

__all__ = [
    "REASONS",
    "SEQUENCES",
    "business_day",
    "collection_date",
    "earliest_collection",
    "next_sequence",
    "points_for",
    "reason_text",
]

SEQUENCES = ("FRST", "RCUR", "FNAL", "OOFF")

#: ISO 20022 ExternalStatusReason1Code / ExternalReturnReason1Code meanings (the usual ones).
REASONS = {
    "AC01": "incorrect account number",
    "AC04": "closed account number",
    "AC06": "blocked account",
    "AC13": "the debtor account is a consumer account",
    "AG01": "transaction forbidden on this type of account",
    "AG02": "invalid bank operation code",
    "AM04": "insufficient funds",
    "AM05": "duplicate collection",
    "BE05": "unrecognised initiating party",
    "CNOR": "the creditor's bank is not registered",
    "DNOR": "the debtor's bank is not registered",
    "FF01": "invalid file format",
    "MD01": "no mandate",
    "MD02": "missing mandatory mandate information",
    "MD06": "refund requested by the debtor",
    "MD07": "the debtor is deceased",
    "MS02": "refused by the debtor",
    "MS03": "reason not specified",
    "RC01": "bank identifier incorrect",
    "RR01": "missing debtor account or identification",
    "RR02": "missing debtor name or address",
    "RR03": "missing creditor name or address",
    "RR04": "regulatory reason",
    "SL01": "specific service offered by the debtor's bank",
}


def reason_text(code: str) -> str:
    """What a reason code means (the code itself when unknown)."""
    return REASONS.get(code, f"reason {code}")


def business_day(day: date) -> date:
    """``day``, or the Monday after when it falls on a weekend."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def earliest_collection(sent_on: date, *, lead_days: int) -> date:
    """The first collection date a file sent on ``sent_on`` may ask for: ``lead_days``
    business days after the business day the bank receives it."""
    day = business_day(sent_on)
    for _ in range(lead_days):
        day = business_day(day + timedelta(days=1))
    return day


def collection_date(due_on: date, sent_on: date, *, lead_days: int) -> date:
    """The requested collection date of a collection due on ``due_on`` sent on ``sent_on``."""
    return business_day(max(due_on, earliest_collection(sent_on, lead_days=lead_days)))


def next_sequence(sequence: str) -> str | None:
    """The mandate's sequence type after a collection of ``sequence``; None: it has ended."""
    return {"FRST": "RCUR", "RCUR": "RCUR"}.get(sequence)


def points_for(code: str, points: Mapping[str, int], other: int) -> int:
    """Cash-only points a return with ``code`` adds to the payer."""
    return points.get(code.upper(), other)
