"""Payment slips of stored codes: build the slip, e-mail it, and retry what failed.

Sending is recorded before it is attempted (see :mod:`paydesk.slips.outbox`): the request
writes a claimed ``slip_sendings`` row in its own transaction, then talks to the mail server
outside any transaction, then records the outcome in a second one. A failure therefore leaves a
``failed`` row with the error and the time of the next attempt; :func:`retry_due_sendings`
(run by ``paydesk code send-retry`` and by the worker) delivers due rows, including the ones
queued when a code was issued under a rule with ``send_slip``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from paydesk.accounts.models import Account
from paydesk.codes import rf
from paydesk.codes import service as codes
from paydesk.codes.models import PaymentCode
from paydesk.codes.status import PAYABLE, is_expired
from paydesk.db.base import utcnow
from paydesk.db.engine import Database
from paydesk.documents.models import Document
from paydesk.errors import Conflict, InvalidInput, PaydeskError, Unavailable
from paydesk.money import Money
from paydesk.settings import AmountType, Settings
from paydesk.slips import outbox
from paydesk.slips.labels import check_language
from paydesk.slips.mail import (
    InvalidEmailAddress,
    InvalidMailSettings,
    MailDeliveryFailed,
    SmtpSettings,
    check_email_address,
    compose_slip_email,
    send_email,
)
from paydesk.slips.models import SlipSending
from paydesk.slips.outbox import SendingStatus
from paydesk.slips.render import SlipData

__all__ = [
    "CodeNotPayable",
    "Delivery",
    "MailNotConfigured",
    "NoEmailAddress",
    "RetryReport",
    "check_payable",
    "deliver",
    "failure_of",
    "mail_settings",
    "retry_due_sendings",
    "send_slip",
    "slip_data",
    "slip_for",
    "start_sending",
]

NOT_CONFIGURED = "e-mail is not configured: set smtp_host and smtp_sender (PAYDESK_SMTP_HOST …)"


class MailNotConfigured(Unavailable):
    """The installation has no (usable) mail server settings: nothing can be e-mailed."""

    slug = "mail-not-configured"
    title = "E-mail is not configured"


class CodeNotPayable(Conflict):
    slug = "code-not-payable"
    title = "Payment code no longer takes payments"


class NoEmailAddress(Conflict):
    slug = "no-email-address"
    title = "No e-mail address"


def check_payable(code: PaymentCode, today: date) -> None:
    """Refuse a slip for a code that is cancelled, expired, paid or overpaid."""
    status = "expired" if is_expired(code.expires_on, today) else code.status
    if code.status not in PAYABLE or status == "expired":
        raise CodeNotPayable(
            f"payment code {rf.format(code.rf)} is {status}; no payment slip is made for it",
            code_status=status,
            rf=code.rf,
        )


def slip_data(
    session: Session, settings: Settings, code: PaymentCode, *, language: str | None = None
) -> SlipData:
    """The slip of a stored code: business from the settings, customer, document, what is due.

    A fixed code asks for what is still due on it; an open code leaves the amount to the payer,
    up to what may still be paid when it has a ceiling.
    ``language`` defaults to the customer's (English when slips are not written in it).
    """
    customer = outbox.customer_of(session, code)
    if code.document_id is not None:
        document = session.get(Document, code.document_id)
        assert document is not None
        kind, number, due_date = document.kind, document.number, document.due_date
    else:
        account = session.get(Account, code.account_id)
        assert account is not None
        kind, number, due_date = "account", account.number, None
    amount = ceiling = None
    if code.amount_type == AmountType.FIXED and code.amount_minor is not None:
        amount = Money.from_minor(code.amount_minor - code.paid_minor, code.currency)
    elif code.amount_minor is not None and code.amount_minor > code.paid_minor:
        ceiling = Money.from_minor(code.amount_minor - code.paid_minor, code.currency)
    return SlipData(
        business_name=settings.business_name,
        business_iban=settings.business_iban,
        business_bic=settings.business_bic,
        customer_name=customer.name,
        customer_address=customer.address,
        document_kind=kind,
        document_number=number,
        rf_code=code.rf,
        amount=amount,
        due_date=due_date,
        expires_on=code.expires_on,
        language=check_language(language) if language else outbox.slip_language(customer.language),
        ceiling=ceiling,
    )


def slip_for(
    session: Session,
    settings: Settings,
    rf_text: str,
    *,
    language: str | None = None,
    today: date | None = None,
) -> SlipData:
    """The slip of the code ``rf_text``, refused when the code no longer takes payments."""
    code = codes.get(session, rf_text)
    check_payable(code, today or date.today())
    return slip_data(session, settings, code, language=language)


def mail_settings(settings: Settings) -> tuple[SmtpSettings, str]:
    """The SMTP server and the sender address from the settings.

    Raises :class:`MailNotConfigured` without ``smtp_host`` and
    :class:`~paydesk.slips.mail.InvalidMailSettings` for settings that cannot work.
    """
    if not settings.smtp_host:
        raise MailNotConfigured(NOT_CONFIGURED)
    smtp = SmtpSettings(
        host=settings.smtp_host,
        port=settings.smtp_port,
        security=settings.smtp_security,  # type: ignore[arg-type]  # checked by SmtpSettings
        username=settings.smtp_username or None,
        password=settings.smtp_password or None,
        timeout=settings.smtp_timeout,
        ca_file=settings.smtp_ca_file,
    )
    if not settings.smtp_sender:
        raise InvalidMailSettings("smtp_sender (the From address of slip e-mails) is not set")
    try:
        check_email_address(settings.smtp_sender, "smtp_sender")
    except InvalidEmailAddress as error:
        raise InvalidMailSettings(error.detail) from None
    return smtp, settings.smtp_sender


def start_sending(
    session: Session,
    settings: Settings,
    rf_text: str,
    *,
    actor: str,
    to: str | None = None,
    language: str | None = None,
    now: datetime | None = None,
) -> SlipSending:
    """Record a sending of the code's slip, claimed for the attempt that follows at once.

    ``to`` overrides the customer's e-mail address. Nothing is recorded when e-mail is not
    configured, the code no longer takes payments, or there is no address.
    """
    if not settings.smtp_host:
        raise MailNotConfigured(NOT_CONFIGURED)
    now = now or utcnow()
    code = codes.get(session, rf_text, lock=True)
    check_payable(code, date.today())
    customer = outbox.customer_of(session, code)
    address = (to if to is not None else customer.email or "").strip()
    if not address:
        raise NoEmailAddress(
            f"customer {customer.name!r} has no e-mail address; give one with 'to'"
        )
    check_email_address(address, "recipient")
    if len(address) > 254:
        raise InvalidInput("the recipient address is longer than 254 characters")
    return outbox.new_sending(
        session,
        code,
        to_address=address,
        language=check_language(language) if language else outbox.slip_language(customer.language),
        actor=actor,
        status=SendingStatus.SENDING,
        attempts=1,
        next_attempt_at=now + outbox.lease(settings),
    )


@dataclass(frozen=True)
class Delivery:
    """The sending after one attempt, and the error when the attempt failed."""

    sending: SlipSending
    error: PaydeskError | None = None


def _public_error(error: PaydeskError, sending: SlipSending) -> PaydeskError:
    """The error to report for a failed attempt, naming the recorded sending."""
    if isinstance(error, InvalidMailSettings | MailNotConfigured):
        detail = error.detail
        if not isinstance(error, MailNotConfigured):
            detail = f"e-mail is not configured correctly: {detail}"
        error = MailNotConfigured(detail)
    error.extra.update(
        sending_id=sending.id,
        sending_status=sending.status,
        next_attempt_at=None
        if sending.next_attempt_at is None
        else sending.next_attempt_at.isoformat(),
    )
    return error


def deliver(
    db: Database,
    settings: Settings,
    sending_id: int,
    *,
    now: datetime | None = None,
    actor: str = "system",
) -> Delivery:
    """Attempt a claimed sending once, outside any transaction, and record the outcome."""
    error: PaydeskError | None = None
    permanent = False
    message_id = None
    try:
        with db.reading() as session:
            sending = session.get(SlipSending, sending_id)
            assert sending is not None
            code = session.get(PaymentCode, sending.code_id)
            assert code is not None
            try:
                check_payable(code, date.today())
            except CodeNotPayable:
                permanent = True
                raise
            slip = slip_data(session, settings, code, language=sending.language)
            to_address = sending.to_address
        smtp, sender = mail_settings(settings)
        try:
            message = compose_slip_email(slip, to_address, sender)
        except InvalidEmailAddress:
            permanent = True
            raise
        send_email(message, smtp)
        message_id = message["Message-ID"]
    except PaydeskError as failure:
        error = failure
    with db.transaction() as session:
        sending = outbox.settle(
            session,
            settings,
            sending_id,
            now or utcnow(),
            error=None if error is None else error.detail,
            permanent=permanent,
            message_id=message_id,
            actor=actor,
        )
    return Delivery(sending, None if error is None else _public_error(error, sending))


def send_slip(
    db: Database,
    settings: Settings,
    rf_text: str,
    *,
    actor: str,
    to: str | None = None,
    language: str | None = None,
) -> Delivery:
    """E-mail the code's slip now: record the sending, attempt it, record the outcome."""
    with db.transaction() as session:
        sending_id = start_sending(
            session, settings, rf_text, actor=actor, to=to, language=language
        ).id
    return deliver(db, settings, sending_id, actor=actor)


@dataclass
class RetryReport:
    """What one run of :func:`retry_due_sendings` did."""

    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    #: E-mail is not configured: nothing was attempted, queued rows wait.
    not_configured: bool = False


def retry_due_sendings(
    db: Database, settings: Settings, now: datetime | None = None, *, limit: int = 100
) -> RetryReport:
    """Deliver up to ``limit`` sendings due at ``now``: queued at issue, failed and due for
    another attempt, or interrupted (lease over). Safe to run from several processes at once.
    """
    report = RetryReport()
    if not settings.smtp_host:
        report.not_configured = True
        return report
    now = now or utcnow()
    with db.transaction() as session:
        claimed = outbox.claim_due(session, settings, now, limit=limit)
    for sending_id in claimed:
        delivery = deliver(db, settings, sending_id, now=now)
        (report.failed if delivery.error else report.sent).append(sending_id)
    return report


def sendings(session: Session, rf_text: str) -> tuple[PaymentCode, list[SlipSending]]:
    """The code and every sending of its slip, newest first."""
    code = codes.get(session, rf_text)
    return code, outbox.sendings_of(session, code.id)


def failure_of(sending: SlipSending) -> PaydeskError:
    """The error to report again for a failed sending (a replayed request)."""
    return _public_error(MailDeliveryFailed(sending.last_error or "sending failed"), sending)


def sending(session: Session, sending_id: int) -> SlipSending:
    found = session.scalar(select(SlipSending).where(SlipSending.id == sending_id))
    assert found is not None
    return found
