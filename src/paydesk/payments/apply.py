"""Distribute, freeze, cancel and delete payments: the one place a payment reaches the ledger.

The cashier desk and the bank side both call these functions; the rules themselves are the
pure functions of :mod:`paydesk.payments.distribution` and :mod:`paydesk.payments.states`.

What an account owes (:func:`load_debts`) comes from its ledger:

- a contract's open debt is its balance;
- a document's open amount is what was charged on it less the payments posted against it
  (ledger entries carrying its ``document_id``), less the contract's payments that named no
  document, applied oldest debt first (balance forward). Every charged document counts as an
  invoice for the ``invoice`` match; its match value is the document number (or id).

Freezing posts one ``payment`` ledger entry (negative) per segment. When the payment names a
document (an invoice match, or a bank payment on a document's RF code), the segment on that
document's contract is posted against the document up to its open amount, the rest against
the contract alone. Cancelling a frozen payment appends a ``payment_reversal`` for each of its
entries; nothing is ever updated or deleted in the ledger. Every status change is recorded in
the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import Session

from paydesk.accounts.models import Account, Contract
from paydesk.audit import trail
from paydesk.db.base import utcnow
from paydesk.db.lookup import fetch
from paydesk.documents.models import Document
from paydesk.ledger import posting
from paydesk.ledger.models import LedgerEntry
from paydesk.money import Money, format_minor
from paydesk.payments.distribution import (
    ContractDebt,
    ExcessPolicy,
    Match,
    OpenItem,
    distribute,
    manual_distribution,
    resolve_invoice_match,
)
from paydesk.payments.errors import DistributionError, InvalidMatch
from paydesk.payments.models import Payment, PaymentEvent, PaymentSegment
from paydesk.payments.states import PaymentAction, PaymentStatus, require_action, transition
from paydesk.webhooks import outbox

__all__ = [
    "Debts",
    "cancel_payment",
    "delete_payment",
    "distribute_and_freeze",
    "distribute_payment",
    "freeze_payment",
    "get_payment",
    "load_debts",
    "match_of",
    "segments_of",
    "set_manual_distribution",
]


@dataclass
class Debts:
    """What one account owes, as distribution sees it."""

    account: Account
    contracts: list[ContractDebt]
    #: Charged documents by id (open or not), for resolving invoice match values.
    documents: dict[int, Document] = field(default_factory=dict)

    @property
    def open_items(self) -> list[OpenItem]:
        return [i for c in self.contracts for i in c.open_items]


def _debts_query():
    account_id = bindparam("account_id")
    sums = (
        select(
            LedgerEntry.contract_id,
            LedgerEntry.document_id,
            func.sum(LedgerEntry.amount_minor).label("total"),
        )
        .where(LedgerEntry.account_id == account_id)
        .group_by(LedgerEntry.contract_id, LedgerEntry.document_id)
        .subquery()
    )
    # One round trip: every contract with its sums per document.
    return (
        select(
            Contract.id,
            Contract.contract_type,
            Contract.payment_priority,
            Contract.is_overpayment,
            sums.c.document_id,
            sums.c.total,
        )
        .outerjoin(sums, sums.c.contract_id == Contract.id)
        .where(Contract.account_id == account_id)
        .order_by(Contract.id)
    )


#: Built once: the statement is the same for every account (only its parameter changes).
_DEBTS = _debts_query()


def load_debts(session: Session, account: Account) -> Debts:
    """Contracts with their balances and open documents (see the module docstring)."""
    currency = account.currency
    rows = session.execute(_DEBTS, {"account_id": account.id}).all()
    contracts: dict[int, tuple[str, int, bool]] = {}
    balance: dict[int, int] = {}
    unassigned: dict[int, int] = {}
    doc_net: dict[int, int] = {}
    for contract_id, contract_type, priority, is_overpayment, document_id, total in rows:
        contracts[contract_id] = (contract_type, priority, is_overpayment)
        if total is None:
            continue
        total = int(total)
        balance[contract_id] = balance.get(contract_id, 0) + total
        if document_id is None:
            unassigned[contract_id] = unassigned.get(contract_id, 0) + total
        else:
            doc_net[document_id] = doc_net.get(document_id, 0) + total
    documents: dict[int, Document] = {}
    if doc_net:
        documents = {
            d.id: d for d in session.scalars(select(Document).where(Document.id.in_(list(doc_net))))
        }
    by_contract: dict[int, list[Document]] = {}
    for document in documents.values():
        by_contract.setdefault(document.contract_id, []).append(document)

    debts: list[ContractDebt] = []
    for contract_id, (contract_type, priority, is_overpayment) in contracts.items():
        credit = max(0, -unassigned.get(contract_id, 0))
        items: list[OpenItem] = []
        charged = sorted(
            by_contract.get(contract_id, []), key=lambda d: (d.due_date or d.issue_date, d.id)
        )
        for document in charged:
            net = doc_net.get(document.id, 0)
            used = min(credit, max(net, 0))
            credit -= used
            if net - used > 0:
                items.append(
                    OpenItem(
                        document_id=str(document.id),
                        contract_id=str(contract_id),
                        issue_date=document.issue_date,
                        open_amount=Money.from_minor(net - used, currency),
                        due_date=document.due_date,
                    )
                )
        debts.append(
            ContractDebt(
                contract_id=str(contract_id),
                contract_type=contract_type,
                payment_priority=priority,
                open_debt=Money.from_minor(balance.get(contract_id, 0), currency),
                is_overpayment_contract=is_overpayment,
                open_items=tuple(items),
            )
        )
    return Debts(account, debts, documents)


def _document_by_value(debts: Debts, value: str) -> Document | None:
    by_number = [d for d in debts.documents.values() if d.number == value]
    if len(by_number) == 1:
        return by_number[0]
    if value.isdigit():
        return debts.documents.get(int(value))
    return None


def match_of(payment: Payment, debts: Debts) -> Match | None:
    """The payment's match with its value in distribution's terms (document id as text)."""
    if payment.match_type is None:
        return None
    match = Match(payment.match_type, payment.match_value)
    if match.type == "invoice" and match.value is not None:
        document = _document_by_value(debts, match.value)
        if document is not None:
            return Match("invoice", str(document.id))
    return match


def get_payment(session: Session, payment_id: int, *, lock: bool = False) -> Payment:
    return fetch(session, Payment, payment_id, what="payment", lock=lock)


def segments_of(session: Session, payment_id: int) -> list[PaymentSegment]:
    return list(
        session.scalars(
            select(PaymentSegment)
            .where(PaymentSegment.payment_id == payment_id)
            .order_by(PaymentSegment.id)
        )
    )


def _move(
    session: Session,
    payment: Payment,
    target: PaymentStatus,
    *,
    actor: str,
    reason: str | None = None,
    detail: dict | None = None,
) -> None:
    previous = PaymentStatus(payment.status)
    transition(previous, target, reason=reason)
    payment.status = target.value
    trail.record(
        session,
        actor=actor,
        entity_type="payment",
        entity_id=payment.id,
        from_status=previous.value,
        to_status=target.value,
        reason=reason,
        detail=detail,
    )


def _replace_segments(
    session: Session, payment: Payment, shares: list[tuple[int, Money]]
) -> list[PaymentSegment]:
    if payment.status != PaymentStatus.INCOMPLETE:  # an incomplete payment has no segments
        session.execute(delete(PaymentSegment).where(PaymentSegment.payment_id == payment.id))
    rows = [
        PaymentSegment(
            payment_id=payment.id,
            contract_id=contract_id,
            amount_minor=share.minor,
            currency=share.currency,
        )
        for contract_id, share in shares
    ]
    session.add_all(rows)
    return rows


def distribute_payment(
    session: Session,
    payment: Payment,
    *,
    excess_policy: ExcessPolicy,
    actor: str,
    debts: Debts | None = None,
    match: Match | None = None,
) -> Payment:
    """(Re)distribute by the standard rules: ``freezable`` with segments, or ``error``.

    ``match`` overrides the payment's own match (the bank side matches a document's contract).
    The error message is kept on the payment; a later success clears it.
    """
    _distribute(
        session, payment, excess_policy=excess_policy, actor=actor, debts=debts, match=match
    )
    return payment


def distribute_and_freeze(
    session: Session,
    payment: Payment,
    *,
    excess_policy: ExcessPolicy,
    actor: str,
    match: Match | None = None,
    event_date: date | None = None,
    debts: Debts | None = None,
) -> list[PaymentSegment]:
    """Distribute, and freeze when distribution succeeded; the payment's segments.

    ``debts``, when given, must be the account's as of now (loaded under its lock).
    """
    segments = _distribute(
        session, payment, excess_policy=excess_policy, actor=actor, match=match, debts=debts
    )
    if payment.status == PaymentStatus.FREEZABLE:
        _freeze(session, payment, actor=actor, segments=segments, event_date=event_date)
    return segments


def _distribute(
    session: Session,
    payment: Payment,
    *,
    excess_policy: ExcessPolicy,
    actor: str,
    debts: Debts | None = None,
    match: Match | None = None,
) -> list[PaymentSegment]:
    require_action(PaymentStatus(payment.status), PaymentAction.DISTRIBUTE)
    account = debts.account if debts else session.get(Account, payment.account_id)
    debts = debts or load_debts(session, account)
    amount = Money.from_minor(payment.amount_minor, payment.currency)
    try:
        if match is None:
            match = match_of(payment, debts)
        segments = distribute(amount, debts.contracts, match, excess_policy)
        if match is not None and match.type == "invoice":
            invoice = resolve_invoice_match(match.value, debts.open_items)
            payment.document_id = int(invoice.document_id)
    except (DistributionError, InvalidMatch) as error:
        _replace_segments(session, payment, [])
        payment.error_message = error.detail
        _move(session, payment, PaymentStatus.ERROR, actor=actor, reason=error.detail)
        return []
    rows = _replace_segments(session, payment, [(int(s.contract_id), s.amount) for s in segments])
    payment.error_message = None
    _move(session, payment, PaymentStatus.FREEZABLE, actor=actor)
    return rows


def set_manual_distribution(
    session: Session, payment: Payment, shares: dict[int, Money], *, actor: str
) -> Payment:
    """Segments set by hand; refused unless they sum exactly to the payment. → ``freezable``."""
    require_action(PaymentStatus(payment.status), PaymentAction.DISTRIBUTE)
    amount = Money.from_minor(payment.amount_minor, payment.currency)
    contract_ids = session.scalars(
        select(Contract.id).where(Contract.account_id == payment.account_id)
    )
    segments = manual_distribution(
        amount, {str(k): v for k, v in shares.items()}, [str(c) for c in contract_ids]
    )
    _replace_segments(session, payment, [(int(s.contract_id), s.amount) for s in segments])
    payment.error_message = None
    _move(session, payment, PaymentStatus.FREEZABLE, actor=actor, detail={"manual": True})
    return payment


def _document_open_minor(session: Session, document_id: int) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount_minor), 0)).where(
            LedgerEntry.document_id == document_id
        )
    )
    return max(int(total or 0), 0)


def freeze_payment(session: Session, payment: Payment, *, actor: str) -> Payment:
    """Post the segments to the ledger (one negative ``payment`` entry each) → ``frozen``."""
    _freeze(session, payment, actor=actor)
    return payment


def _freeze(
    session: Session,
    payment: Payment,
    *,
    actor: str,
    segments: list[PaymentSegment] | None = None,
    event_date: date | None = None,
) -> None:
    require_action(PaymentStatus(payment.status), PaymentAction.FREEZE)
    if event_date is None:
        event_date = session.scalar(
            select(PaymentEvent.event_date).where(PaymentEvent.id == payment.event_id)
        )
    if segments is None:
        segments = segments_of(session, payment.id)
    document = session.get(Document, payment.document_id) if payment.document_id else None
    for segment in segments:
        parts: list[tuple[int, int | None]] = [(segment.amount_minor, None)]
        if document is not None and document.contract_id == segment.contract_id:
            on_document = min(segment.amount_minor, _document_open_minor(session, document.id))
            parts = [(on_document, document.id), (segment.amount_minor - on_document, None)]
        for minor, document_id in parts:
            if minor:
                posting.post(
                    session,
                    account_id=payment.account_id,
                    contract_id=segment.contract_id,
                    kind="payment",
                    amount_minor=-minor,
                    currency=segment.currency,
                    effective_date=event_date,
                    document_id=document_id,
                    payment_id=payment.id,
                    description=f"payment {payment.id}",
                )
    payment.frozen_at = utcnow()
    _move(session, payment, PaymentStatus.FROZEN, actor=actor)
    outbox.emit(session, "payment.frozen", _event(payment))


def cancel_payment(
    session: Session, payment: Payment, *, reason: str, actor: str, today: date | None = None
) -> Payment:
    """Cancel with a reason; a frozen payment's ledger entries are reversed, never removed."""
    status = PaymentStatus(payment.status)
    require_action(status, PaymentAction.CANCEL)
    transition(status, PaymentStatus.CANCELLED, reason=reason)
    if status is PaymentStatus.FROZEN:
        entries = session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.payment_id == payment.id, LedgerEntry.kind == "payment")
            .order_by(LedgerEntry.id)
        )
        for entry in list(entries):
            posting.reverse(
                session,
                entry,
                effective_date=today or date.today(),
                description=f"payment {payment.id} cancelled: {reason}"[:200],
            )
    payment.cancel_reason = reason
    _move(session, payment, PaymentStatus.CANCELLED, actor=actor, reason=reason)
    if status is PaymentStatus.FROZEN:
        outbox.emit(session, "payment.cancelled", {**_event(payment), "reason": reason})
    return payment


def _event(payment: Payment) -> dict[str, object]:
    """What a ``payment.*`` webhook says about a payment."""
    return {
        "payment_id": payment.id,
        "event_id": payment.event_id,
        "account_id": payment.account_id,
        "amount": format_minor(payment.amount_minor, payment.currency),
        "currency": payment.currency,
        "status": payment.status,
        "document_id": payment.document_id,
    }


def delete_payment(
    session: Session, payment: Payment, *, actor: str, reason: str | None = None
) -> None:
    """Remove a payment never posted (incomplete, error, freezable) with its segments."""
    require_action(PaymentStatus(payment.status), PaymentAction.DELETE)
    session.execute(delete(PaymentSegment).where(PaymentSegment.payment_id == payment.id))
    trail.record(
        session,
        actor=actor,
        entity_type="payment",
        entity_id=payment.id,
        from_status=payment.status,
        to_status="deleted",
        reason=reason,
        detail={"event_id": payment.event_id, "amount_minor": payment.amount_minor},
    )
    session.delete(payment)
    session.flush()
