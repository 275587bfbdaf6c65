"""Payments from the bank side: post one bank credit, or reverse a payment.

A bank credit becomes a payment event (source ``bank``) with one ``bank_transfer`` tender that
records the bank entry (unique, so one entry is posted once) and one payment for the account,
distributed and frozen at once by :mod:`paydesk.payments.apply` — the same code the cashier
desk uses. With a document, the document's contract is paid first (and the ledger entry names
the document); what exceeds that goes per the excess policy. When distribution fails (no
overpayment contract, excess policy ``error``), the payment is kept in ``error`` with its
message for a person to redistribute by hand.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from paydesk.accounts.service import get_account
from paydesk.audit import trail
from paydesk.documents.models import Document
from paydesk.errors import Conflict, CurrencyMismatch, InvalidAmount, InvalidInput, NotFound
from paydesk.money import Money
from paydesk.payments import apply
from paydesk.payments.distribution import Match
from paydesk.payments.models import Payment, PaymentEvent, Tender
from paydesk.payments.states import PaymentStatus
from paydesk.settings import Settings, get_settings

__all__ = ["post_bank_payment", "reverse_payment"]


def post_bank_payment(
    session: Session,
    *,
    account_id: int,
    amount: Money,
    paid_on: date,
    payment_code_id: int | None,
    document_id: int | None,
    bank_entry_id: int,
    payer_name: str | None,
    external_reference: str | None,
    actor: str,
    settings: Settings | None = None,
) -> Payment:
    """Create, distribute and freeze the payment of one bank credit; returns the payment.

    Locks the account row while distributing. Raises :class:`Conflict` if the bank entry was
    already posted.
    """
    settings = settings or get_settings()
    if amount.is_zero() or amount.is_negative():
        raise InvalidAmount(f"a bank payment is greater than zero, got {amount}")
    account = get_account(session, account_id, lock=True)
    if amount.currency != account.currency:
        raise CurrencyMismatch(f"{amount} paid to account {account.number} in {account.currency}")
    already = session.scalar(select(Tender.id).where(Tender.bank_entry_id == bank_entry_id))
    if already is not None:
        raise Conflict(f"bank entry {bank_entry_id} is already posted (tender {already})")
    document = None
    if document_id is not None:
        document = session.get(Document, document_id)
        if document is None:
            raise NotFound(f"no document {document_id}")
        if document.account_id != account.id:
            raise InvalidInput(f"document {document_id} is not account {account.number}'s")

    event = PaymentEvent(event_date=paid_on, source="bank", created_by=actor)
    session.add(event)
    session.flush()
    tender = Tender(
        event_id=event.id,
        tender_type="bank_transfer",
        amount_minor=amount.minor,
        currency=amount.currency,
        payer_account_id=account.id,
        non_cis_name=(payer_name or None) and payer_name[:140],
        external_reference=(external_reference or None) and external_reference[:140],
        status="valid",
        bank_entry_id=bank_entry_id,
    )
    payment = Payment(
        event_id=event.id,
        account_id=account.id,
        amount_minor=amount.minor,
        currency=amount.currency,
        status=PaymentStatus.INCOMPLETE.value,
        payment_code_id=payment_code_id,
        document_id=document_id,
        non_cis_name=(payer_name or None) and payer_name[:140],
        non_cis_reference=(external_reference or None) and external_reference[:64],
    )
    session.add_all([tender, payment])
    session.flush()
    trail.record(session, actor=actor, entity_type="tender", entity_id=tender.id, to_status="valid")
    trail.record(
        session,
        actor=actor,
        entity_type="payment",
        entity_id=payment.id,
        to_status=PaymentStatus.INCOMPLETE.value,
        detail={"source": "bank", "bank_entry_id": bank_entry_id},
    )
    match = Match("contract", str(document.contract_id)) if document is not None else None
    apply.distribute_and_freeze(
        session,
        payment,
        excess_policy=settings.cashier.excess_policy,
        actor=actor,
        match=match,
        event_date=paid_on,
    )
    return payment


def reverse_payment(
    session: Session, payment_id: int, *, reason: str, actor: str, today: date | None = None
) -> Payment:
    """Cancel a payment with a reason; if it was frozen, its ledger entries are reversed."""
    payment = apply.get_payment(session, payment_id)
    get_account(session, payment.account_id, lock=True)  # accounts first, then payments
    session.refresh(payment, with_for_update=True)
    return apply.cancel_payment(session, payment, reason=reason, actor=actor, today=today)
