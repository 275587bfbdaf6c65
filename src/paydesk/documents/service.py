"""Create documents and move them through their statuses; post charges; fire issuing rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from paydesk.accounts.models import Account, Contract
from paydesk.audit import trail
from paydesk.codes import service as codes
from paydesk.codes.models import PaymentCode
from paydesk.codes.status import CANCELLABLE
from paydesk.db.lookup import fetch, rows_of
from paydesk.db.unique import flush_unique
from paydesk.documents import lifecycle
from paydesk.documents.models import Document, Security
from paydesk.errors import Conflict, InvalidInput
from paydesk.ledger import posting
from paydesk.ledger.models import LedgerEntry
from paydesk.money import Money
from paydesk.settings import Settings


@dataclass(frozen=True)
class SecuritySpec:
    instrument: str  # cheque | promissory_note
    number: str
    maturity_date: date
    amount: Money


@dataclass(frozen=True)
class DocumentChange:
    """What a create or status change did: the document and the code a rule issued, if any."""

    document: Document
    code: PaymentCode | None = None
    code_created: bool = False


def _contract_of(session: Session, account: Account, contract_id: int | None) -> Contract:
    if contract_id is None:
        contract = session.scalar(
            select(Contract)
            .where(Contract.account_id == account.id, ~Contract.is_overpayment)
            .order_by(Contract.payment_priority, Contract.id)
        )
        if contract is None:
            raise InvalidInput(f"account {account.number} has no contract to bill")
        return contract
    contract = session.get(Contract, contract_id)
    if contract is None or contract.account_id != account.id:
        raise InvalidInput(f"contract {contract_id} is not a contract of account {account.number}")
    return contract


def create(
    session: Session,
    settings: Settings,
    *,
    account: Account,
    kind: str,
    number: str,
    amount: Money | None,
    issue_date: date,
    actor: str,
    contract_id: int | None = None,
    due_date: date | None = None,
    status: str | None = None,
    issue_payment_code: bool = False,
    securities: list[SecuritySpec] | None = None,
) -> DocumentChange:
    """A new document in its first status (checked), with its securities; a document that is
    receivable from the start has its charge posted, and the code rules fire on it."""
    number, status = _check_new(kind, number, issue_date, due_date, status)
    securities = securities or []
    amount = _document_amount(kind, account, amount, securities, issue_payment_code)
    contract = _contract_of(session, account, contract_id)
    document = Document(
        account_id=account.id,
        contract_id=contract.id,
        kind=kind,
        number=number,
        amount_minor=amount.minor,
        currency=amount.currency,
        issue_date=issue_date,
        due_date=due_date,
        status=status,
        issue_payment_code=issue_payment_code,
    )
    if not flush_unique(session, document):
        raise Conflict(f"{kind} number {number} already exists")
    _add_securities(session, document, securities)
    trail.record(
        session, actor=actor, entity_type="document", entity_id=document.id, to_status=status
    )
    if lifecycle.becomes_receivable(kind, None, status):
        _post_charge(session, document)
    issued = codes.fire_rules(session, settings, document, actor=actor, created=True)
    return DocumentChange(
        document, issued.code if issued else None, bool(issued and issued.created)
    )


def _check_new(
    kind: str, number: str, issue_date: date, due_date: date | None, status: str | None
) -> tuple[str, str]:
    """The kind is known, the number given, the status (default: the kind's first) one a new
    document may start in, the due date not before the issue date; the number stripped and
    the status."""
    lifecycle.check_kind(kind)
    number = number.strip()
    if not number:
        raise InvalidInput("a document needs a number")
    status = status or lifecycle.initial_status(kind)
    if status not in lifecycle.creatable_statuses(kind):
        raise InvalidInput(
            f"a new {kind} starts as one of {sorted(lifecycle.creatable_statuses(kind))}"
        )
    if due_date is not None and due_date < issue_date:
        raise InvalidInput("the due date is before the issue date")
    return number, status


def _document_amount(
    kind: str,
    account: Account,
    amount: Money | None,
    securities: list[SecuritySpec],
    issue_payment_code: bool,
) -> Money:
    """The document's amount: given, or for a securities batch the sum of its securities;
    positive and in the account's currency."""
    if kind == "securities_batch":
        if not securities:
            raise InvalidInput("a securities batch lists its cheques or promissory notes")
        total = sum((s.amount for s in securities), Money.zero(account.currency))
        if amount is not None and amount != total:
            raise InvalidInput(
                f"the batch amount {amount} is not the sum of its securities {total}"
            )
        amount = total
    elif securities:
        raise InvalidInput("only a securities batch has securities")
    elif issue_payment_code:
        raise InvalidInput("the 'issue payment code' option belongs to securities batches")
    if amount is None:
        raise InvalidInput("a document needs an amount")
    if amount.currency != account.currency:
        raise InvalidInput(
            f"the document is in {amount.currency} but account {account.number} is in "
            f"{account.currency}"
        )
    if amount.is_zero() or amount.is_negative():
        raise InvalidInput("a document's amount is greater than zero")
    return amount


def _add_securities(session: Session, document: Document, securities: list[SecuritySpec]) -> None:
    for spec in securities:
        if spec.instrument not in ("cheque", "promissory_note"):
            raise InvalidInput(
                f"instrument {spec.instrument!r} is neither cheque nor promissory_note"
            )
        if spec.amount.is_zero():
            raise InvalidInput(f"security {spec.number} has no amount")
        session.add(
            Security(
                document_id=document.id,
                instrument=spec.instrument,
                number=spec.number,
                maturity_date=spec.maturity_date,
                amount_minor=spec.amount.minor,
                currency=spec.amount.currency,
            )
        )


def _post_charge(session: Session, document: Document) -> None:
    posting.post(
        session,
        account_id=document.account_id,
        contract_id=document.contract_id,
        kind="charge",
        amount_minor=document.amount_minor,
        currency=document.currency,
        effective_date=document.issue_date,
        document_id=document.id,
        description=f"{document.kind} {document.number}",
    )


def _reverse_charge(session: Session, document: Document, today: date) -> None:
    charges = session.scalars(
        select(LedgerEntry).where(
            LedgerEntry.document_id == document.id,
            LedgerEntry.kind == "charge",
            LedgerEntry.reverses_id.is_(None),
        )
    )
    for charge in charges:
        posting.reverse(
            session,
            charge,
            effective_date=today,
            description=f"{document.kind} {document.number} cancelled",
        )


def get(session: Session, document_id: int, *, lock: bool = False) -> Document:
    return fetch(session, Document, document_id, what="document", lock=lock)


def change_status(
    session: Session,
    settings: Settings,
    document_id: int,
    target: str,
    *,
    actor: str,
    reason: str | None = None,
    today: date | None = None,
) -> DocumentChange:
    """Move a document; entering its receivable status posts its charge and may issue a code.

    Asking for the status the document already has changes nothing (a retried request).
    """
    today = today or date.today()
    document = get(session, document_id, lock=True)
    if document.status == target:
        code = codes.live_code(session, document.id)
        return DocumentChange(document, code, False)
    lifecycle.check_transition(document.kind, document.status, target)
    previous = document.status
    if target == "cancelled":
        live = codes.live_code(session, document.id)
        if live is not None and live.status not in CANCELLABLE:
            raise Conflict(f"{document.kind} {document.number} has a {live.status} payment code")
        if live is not None:
            codes.cancel(session, live.rf, reason=f"{document.kind} cancelled", actor=actor)
        if lifecycle.is_receivable(document.kind, previous):
            _reverse_charge(session, document, today)
    trail.change(session, document, target, actor=actor, entity_type="document", reason=reason)
    if lifecycle.becomes_receivable(document.kind, previous, target):
        _post_charge(session, document)
    issued = codes.fire_rules(session, settings, document, actor=actor, created=False)
    return DocumentChange(
        document, issued.code if issued else None, bool(issued and issued.created)
    )


def securities_of(session: Session, document_id: int) -> list[Security]:
    return rows_of(
        session, Security, Security.document_id == document_id, order=[Security.maturity_date]
    )


def search(
    session: Session,
    *,
    kind: str | None = None,
    status: str | None = None,
    account_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Document]:
    query = select(Document)
    if kind:
        query = query.where(Document.kind == kind)
    if status:
        query = query.where(Document.status == status)
    if account_id is not None:
        query = query.where(Document.account_id == account_id)
    return list(session.scalars(query.order_by(Document.id.desc()).limit(limit).offset(offset)))
