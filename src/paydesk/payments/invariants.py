"""What must always hold between payments, the ledger, payment codes and bank entries.

:func:`violations` checks the whole database with a few set-based queries and describes each
broken rule; an empty list means every record agrees with the others. ``paydesk check`` runs
it; the crash test (``scripts/crash_import.py``) runs it after killing imports at random
points.

1. A bank entry's key appears once.
2. A matched bank entry is recorded by exactly one valid tender; an entry that is not matched
   by none.
3. A code's paid amount is the sum of the payments listed on it and not reversed.
4. A frozen payment's segments sum to its amount, and its ledger lines to minus its amount; a
   payment never frozen has no ledger lines; a cancelled one nets to zero.
5. A live code's status is the one its paid amount gives.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Subquery, and_, func, select
from sqlalchemy.orm import Session

from paydesk.codes.models import CodePayment, PaymentCode
from paydesk.codes.status import CodeStatus, status_for_paid
from paydesk.db.base import Base
from paydesk.ledger.models import LedgerEntry
from paydesk.payments.models import Payment, PaymentSegment, Tender

__all__ = ["violations"]

#: Examples shown per broken rule.
SHOWN = 5


def _sums(key: Any, amount: Any, *where: Any) -> Subquery:
    """``amount`` summed per ``key`` (as ``total``) over the rows ``where`` holds."""
    return select(key, func.sum(amount).label("total")).where(*where).group_by(key).subquery()


def _keys_once(session: Session) -> list[str]:
    entries = Base.metadata.tables["bank_entries"]
    rows = session.execute(
        select(entries.c.key, func.count())
        .where(entries.c.key.is_not(None))
        .group_by(entries.c.key)
        .having(func.count() > 1)
        .limit(SHOWN)
    ).all()
    return [f"bank entry key {key!r} stored {n} times" for key, n in rows]


def _one_tender_per_matched_entry(session: Session) -> list[str]:
    entries = Base.metadata.tables["bank_entries"]
    valid = (
        select(Tender.bank_entry_id, func.count().label("n"))
        .where(Tender.status == "valid", Tender.bank_entry_id.is_not(None))
        .group_by(Tender.bank_entry_id)
        .subquery()
    )
    count = func.coalesce(valid.c.n, 0)
    rows = session.execute(
        select(entries.c.id, entries.c.status, count)
        .outerjoin(valid, valid.c.bank_entry_id == entries.c.id)
        .where(
            ((entries.c.status == "matched") & (count != 1))
            | ((entries.c.status != "matched") & (count != 0))
        )
        .limit(SHOWN)
    ).all()
    return [f"bank entry {i} is {status} with {n} valid tenders" for i, status, n in rows]


def _code_paid_is_its_payments(session: Session) -> list[str]:
    listed = _sums(CodePayment.code_id, CodePayment.amount_minor, CodePayment.status == "received")
    total = func.coalesce(listed.c.total, 0)
    rows = session.execute(
        select(PaymentCode.rf, PaymentCode.paid_minor, total)
        .outerjoin(listed, listed.c.code_id == PaymentCode.id)
        .where(PaymentCode.paid_minor != total)
        .limit(SHOWN)
    ).all()
    return [f"code {rf} says {paid} paid, its payments {t}" for rf, paid, t in rows]


def _payments_match_their_ledger(session: Session) -> list[str]:
    segments = _sums(PaymentSegment.payment_id, PaymentSegment.amount_minor)
    posted = _sums(
        LedgerEntry.payment_id, LedgerEntry.amount_minor, LedgerEntry.payment_id.is_not(None)
    )
    on_ledger = func.coalesce(posted.c.total, 0)
    in_segments = func.coalesce(segments.c.total, 0)
    frozen = Payment.status == "frozen"
    rows = session.execute(
        select(Payment.id, Payment.status, Payment.amount_minor, in_segments, on_ledger)
        .outerjoin(segments, segments.c.payment_id == Payment.id)
        .outerjoin(posted, posted.c.payment_id == Payment.id)
        .where(
            and_(
                frozen, (in_segments != Payment.amount_minor) | (on_ledger != -Payment.amount_minor)
            )
            | (~frozen & (on_ledger != 0))
        )
        .limit(SHOWN)
    ).all()
    return [
        f"payment {i} ({status}, {amount}): segments {seg}, ledger {led}"
        for i, status, amount, seg, led in rows
    ]


def _code_status_follows_paid(session: Session) -> list[str]:
    live = (CodeStatus.CANCELLED.value, CodeStatus.EXPIRED.value)
    rows = session.execute(
        select(
            PaymentCode.rf,
            PaymentCode.status,
            PaymentCode.amount_type,
            PaymentCode.amount_minor,
            PaymentCode.paid_minor,
        ).where(PaymentCode.status.not_in(live))
    )
    found = []
    for rf, status, amount_type, amount, paid in rows:
        expected = status_for_paid(amount_type, amount, paid)
        if status != expected:
            found.append(f"code {rf} is {status}, its paid amount makes it {expected}")
            if len(found) >= SHOWN:
                break
    return found


def violations(session: Session) -> list[str]:
    """Every broken rule (see the module docstring), with a few examples each."""
    return [
        *_keys_once(session),
        *_one_tender_per_matched_entry(session),
        *_code_paid_is_its_payments(session),
        *_payments_match_their_ledger(session),
        *_code_status_follows_paid(session),
    ]
