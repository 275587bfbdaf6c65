"""The work waiting for a person, counted for the start page, and the payment events behind
two of the counts (the events list filters on them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from paydesk.bank.models import BankEntry
from paydesk.cashier.models import CashDrawerSession, ServiceTask
from paydesk.codes.models import PaymentCode
from paydesk.payments.models import Payment, PaymentEvent
from paydesk.slips.models import SlipSending
from paydesk.webhooks.models import WebhookDelivery

#: Payment statuses a person has to look at: distribution failed, or not finished.
NEEDS_ATTENTION = ("error", "incomplete")
#: Code statuses in which a code can still be paid (and so can still expire).
PAYABLE = ("active", "partially_paid")
EXPIRY_DAYS = 7
#: The events with a payment a person has to look at (their ids).
NEEDING_ATTENTION = select(Payment.event_id).where(Payment.status.in_(NEEDS_ATTENTION))
#: The events with a pending bank-account validation task (their ids).
WAITING_FOR_VALIDATION = select(ServiceTask.event_id).where(ServiceTask.status == "pending")


@dataclass(frozen=True)
class Waiting:
    """How many of each kind of work are waiting."""

    held_bank_entries: int
    payments_needing_attention: int
    events_waiting_for_validation: int
    codes_expiring: int
    failed_slip_emails: int
    failed_webhooks: int
    open_drawers: int


def _count(session: Session, query) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def expiring_by(today: date) -> date:
    """The last expiry date counted as "expiring soon" on ``today``."""
    return today + timedelta(days=EXPIRY_DAYS)


def waiting(session: Session, today: date) -> Waiting:
    """Count each kind of work waiting on ``today``."""
    return Waiting(
        held_bank_entries=_count(
            session, select(BankEntry.id).where(BankEntry.status == "unmatched")
        ),
        payments_needing_attention=_count(
            session, select(Payment.id).where(Payment.status.in_(NEEDS_ATTENTION))
        ),
        events_waiting_for_validation=_count(session, WAITING_FOR_VALIDATION.distinct()),
        codes_expiring=_count(
            session,
            select(PaymentCode.id).where(
                PaymentCode.status.in_(PAYABLE),
                PaymentCode.expires_on.is_not(None),
                PaymentCode.expires_on >= today,
                PaymentCode.expires_on <= expiring_by(today),
            ),
        ),
        failed_slip_emails=_count(
            session,
            select(SlipSending.id).where(SlipSending.status == "failed"),
        ),
        failed_webhooks=_count(
            session, select(WebhookDelivery.id).where(WebhookDelivery.status == "failed")
        ),
        open_drawers=_count(
            session, select(CashDrawerSession.id).where(CashDrawerSession.status == "open")
        ),
    )


def _newest_events(session: Session, among: Select, *, limit: int, offset: int) -> list[int]:
    """Ids of the events ``among`` selects, newest first."""
    query = select(PaymentEvent.id).where(PaymentEvent.id.in_(among))
    return list(session.scalars(query.order_by(PaymentEvent.id.desc()).limit(limit).offset(offset)))


def events_needing_attention(session: Session, *, limit: int, offset: int = 0) -> list[int]:
    """Ids of events with a payment in ``error`` or ``incomplete``, newest first."""
    return _newest_events(session, NEEDING_ATTENTION, limit=limit, offset=offset)


def events_waiting_for_validation(session: Session, *, limit: int, offset: int = 0) -> list[int]:
    """Ids of events with a pending bank-account validation task, newest first."""
    return _newest_events(session, WAITING_FOR_VALIDATION, limit=limit, offset=offset)
