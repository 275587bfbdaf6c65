"""Slip e-mails waiting to go out: record, claim and settle sendings (storage only, no network).

Every e-mail of a payment slip is a :class:`~paydesk.slips.models.SlipSending` row written
before anything is sent, so a failure or a crash never loses it:

* a request to send creates the row already *claimed* (``sending``, one attempt) and delivers it
  at once; issuing a code whose rule has ``send_slip`` only *queues* a row in the issuing
  transaction (no network I/O while rows are locked; the codes' issue hook), for
  :func:`paydesk.slips.service.retry_due_sendings` to deliver;
* a claim sets ``next_attempt_at`` to the end of a lease: if the process dies while sending,
  the row is due again after the lease and is taken up by the next retry run;
* a failed attempt is due again after an exponential back-off (``smtp_retry_seconds`` × 1, 2, 4
  … up to six hours); after ``smtp_max_attempts`` attempts, or when the failure is permanent,
  ``next_attempt_at`` is cleared: the row stays ``failed`` for a person to look at.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from paydesk import retry
from paydesk.accounts.models import Account, Customer
from paydesk.audit import trail
from paydesk.codes import service as codes
from paydesk.codes.models import PaymentCode
from paydesk.db.base import utcnow
from paydesk.settings import Settings
from paydesk.slips.labels import LANGUAGES, Language
from paydesk.slips.models import SlipSending

__all__ = [
    "ENTITY",
    "MAX_DELAY",
    "SendingStatus",
    "backoff",
    "claim",
    "claim_due",
    "customer_of",
    "lease",
    "new_sending",
    "queue_on_issue",
    "sendings_of",
    "settle",
    "slip_language",
]

ENTITY = "slip_sending"
#: The longest wait between two attempts.
MAX_DELAY = timedelta(hours=6)


class SendingStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


def slip_language(language: str | None) -> Language:
    """The customer's language if slips are written in it, else English."""
    return language if language in LANGUAGES else "en"  # type: ignore[return-value]


def backoff(attempts: int, base_seconds: int) -> timedelta:
    """Wait after the ``attempts``-th failed attempt: base × 2^(attempts-1), at most 6 hours."""
    return retry.backoff(attempts, base_seconds, MAX_DELAY)


def lease(settings: Settings) -> timedelta:
    """How long a claimed row is left alone before an interrupted attempt is taken up again."""
    return timedelta(seconds=max(300.0, 10 * settings.smtp_timeout))


def customer_of(session: Session, code: PaymentCode) -> Customer:
    customer = session.scalar(
        select(Customer)
        .join(Account, Account.customer_id == Customer.id)
        .where(Account.id == code.account_id)
    )
    assert customer is not None  # accounts.customer_id is a required foreign key
    return customer


def new_sending(
    session: Session,
    code: PaymentCode,
    *,
    to_address: str,
    language: Language,
    actor: str,
    status: SendingStatus,
    next_attempt_at: datetime | None,
    attempts: int = 0,
    last_error: str | None = None,
) -> SlipSending:
    """Write a sending row (and its audit event)."""
    sending = SlipSending(
        code_id=code.id,
        to_address=to_address,
        language=language,
        status=status,
        attempts=attempts,
        last_error=last_error,
        next_attempt_at=next_attempt_at,
        created_by=actor,
    )
    return trail.add_created(
        session,
        sending,
        actor=actor,
        entity_type=ENTITY,
        status=status,
        reason=last_error,
        detail={"rf": code.rf, "to": to_address, "language": language},
    )


@codes.on_issued
def queue_on_issue(
    session: Session, settings: Settings, code: PaymentCode, *, actor: str
) -> SlipSending | None:
    """After a code was issued: queue its slip e-mail when the kind's rule has ``send_slip``.

    Runs inside the issuing transaction and only writes a row; delivery happens later, outside
    any transaction. A customer without an e-mail address gets a ``failed`` row that is not
    retried, so the missing address shows on the code instead of passing unnoticed.
    """
    rule = settings.issuing.get(code.kind)
    if rule is None or not rule.send_slip:
        return None
    customer = customer_of(session, code)
    language = slip_language(customer.language)
    if not (customer.email or "").strip():
        return new_sending(
            session,
            code,
            to_address="",
            language=language,
            actor=actor,
            status=SendingStatus.FAILED,
            next_attempt_at=None,
            last_error=f"customer {customer.name!r} has no e-mail address",
        )
    return new_sending(
        session,
        code,
        to_address=customer.email.strip(),  # type: ignore[union-attr]
        language=language,
        actor=actor,
        status=SendingStatus.QUEUED,
        next_attempt_at=utcnow(),
    )


def claim_due(session: Session, settings: Settings, now: datetime, *, limit: int) -> list[int]:
    """Claim up to ``limit`` rows due at ``now`` (oldest due first); returns their ids.

    On PostgreSQL rows another process holds are skipped; on SQLite the writing transaction
    holds the database's write lock.
    """
    due = (
        select(SlipSending)
        .where(
            SlipSending.status != SendingStatus.SENT,
            SlipSending.next_attempt_at.is_not(None),
            SlipSending.next_attempt_at <= now,
        )
        .order_by(SlipSending.next_attempt_at, SlipSending.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = []
    for sending in session.scalars(due):
        claim(session, sending, settings, now, actor="system")
        claimed.append(sending.id)
    return claimed


def claim(
    session: Session, sending: SlipSending, settings: Settings, now: datetime, *, actor: str
) -> None:
    """Mark one attempt under way: ``sending``, one more attempt, leased until now + lease."""
    sending.attempts += 1
    sending.next_attempt_at = now + lease(settings)
    if sending.status != SendingStatus.SENDING:
        trail.change(session, sending, SendingStatus.SENDING, actor=actor, entity_type=ENTITY)


def settle(
    session: Session,
    settings: Settings,
    sending_id: int,
    now: datetime,
    *,
    error: str | None,
    permanent: bool = False,
    message_id: str | None = None,
    actor: str = "system",
) -> SlipSending:
    """Record the outcome of the attempt under way: sent, or failed and when to try again."""
    sending = session.scalar(
        select(SlipSending).where(SlipSending.id == sending_id).with_for_update()
    )
    assert sending is not None
    if error is None:
        outcome = SendingStatus.SENT
        sending.sent_at = now
        sending.next_attempt_at = None
        sending.last_error = None
        sending.message_id = message_id
    else:
        outcome = SendingStatus.FAILED
        sending.last_error = error
        gives_up = permanent or sending.attempts >= settings.smtp_max_attempts
        sending.next_attempt_at = (
            None if gives_up else now + backoff(sending.attempts, settings.smtp_retry_seconds)
        )
    trail.change(
        session,
        sending,
        outcome,
        actor=actor,
        entity_type=ENTITY,
        reason=error,
        detail={"attempts": sending.attempts},
    )
    return sending


def sendings_of(session: Session, code_id: int) -> list[SlipSending]:
    """Every sending of a code's slip, newest first."""
    return list(
        session.scalars(
            select(SlipSending)
            .where(SlipSending.code_id == code_id)
            .order_by(SlipSending.created_at.desc(), SlipSending.id.desc())
        )
    )
