"""Bank entries a person handles: list, assign an unmatched entry to a code, mark it for return."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from paydesk.audit import trail
from paydesk.bank.events import code_paid_event
from paydesk.bank.importer import ImportSummary, entry_rules, import_file
from paydesk.bank.models import BankEntry, BankFile
from paydesk.codes import service as codes
from paydesk.codes.models import CodePayment
from paydesk.codes.status import PAYABLE, status_for_paid
from paydesk.db.engine import Database
from paydesk.db.lookup import fetch
from paydesk.errors import Conflict, InvalidInput
from paydesk.money import Money
from paydesk.payments.posting import post_bank_payment
from paydesk.settings import Settings
from paydesk.webhooks import outbox


def get_entry(session: Session, entry_id: int, *, lock: bool = False) -> BankEntry:
    return fetch(session, BankEntry, entry_id, what="bank entry", lock=lock)


def list_entries(
    session: Session, *, status: str | None, limit: int, offset: int
) -> list[BankEntry]:
    query = select(BankEntry)
    if status:
        query = query.where(BankEntry.status == status)
    return list(session.scalars(query.order_by(BankEntry.id.desc()).limit(limit).offset(offset)))


def list_files(session: Session, *, limit: int, offset: int) -> list[BankFile]:
    return list(
        session.scalars(select(BankFile).order_by(BankFile.id.desc()).limit(limit).offset(offset))
    )


def assign(
    session: Session,
    entry_id: int,
    code_text: str,
    *,
    actor: str,
    settings: Settings | None = None,
) -> BankEntry:
    """Post an unmatched credit on the code a person chose (any payable code, any amount).

    One entry at a time, through the desk's own posting (distribute by the code's document,
    excess per the excess policy, freeze), and listed on the code like any bank payment."""
    entry = get_entry(session, entry_id, lock=True)
    if entry.status != "unmatched" or entry.reversal:
        raise Conflict(
            f"bank entry {entry_id} is {entry.status}; only unmatched credits are assigned"
        )
    code = codes.get(session, code_text, lock=True)
    if code.status not in PAYABLE:
        raise Conflict(f"payment code {code.rf} is {code.status} and takes no payments")
    if code.currency != entry.currency or entry.amount_minor is None:
        raise InvalidInput(f"the entry is in {entry.currency}, the code in {code.currency}")
    paid_on = entry.booking_date or entry.value_date or date.today()
    reference = entry.account_servicer_ref or entry.end_to_end_id
    payment = post_bank_payment(
        session,
        account_id=code.account_id,
        amount=Money.from_minor(entry.amount_minor, entry.currency),
        paid_on=paid_on,
        payment_code_id=code.id,
        document_id=code.document_id,
        bank_entry_id=entry.id,
        payer_name=entry.debtor_name,
        external_reference=reference,
        actor=actor,
        settings=settings,
    )
    session.add(
        CodePayment(
            code_id=code.id,
            paid_on=paid_on,
            bank_bic=entry.debtor_bic,
            bank_name=entry.bank_name,
            amount_minor=entry.amount_minor,
            currency=entry.currency,
            payer_name=entry.debtor_name,
            bank_reference=reference,
            bank_entry_id=entry.id,
            payment_id=payment.id,
            status="received",
        )
    )
    previous = code.status
    code.paid_minor += entry.amount_minor
    code.status = status_for_paid(code.amount_type, code.amount_minor, code.paid_minor)
    if code.status != previous:
        trail.record(
            session,
            actor=actor,
            entity_type="payment_code",
            entity_id=code.rf,
            from_status=previous,
            to_status=code.status,
            reason=f"bank entry {entry.id}",
        )
    outbox.emit_many(
        session,
        [
            code_paid_event(
                code,
                previous,
                entry.amount_minor,
                paid_on,
                entry.debtor_bic,
                entry.bank_name,
                entry.debtor_name,
            )
        ],
    )
    trail.record(
        session,
        actor=actor,
        entity_type="bank_entry",
        entity_id=entry.id,
        from_status=entry.status,
        to_status="matched",
        reason=f"assigned to {code.rf}",
    )
    entry.status, entry.code_id = "matched", code.id
    entry.reason = f"assigned by {actor} (was: {entry.reason})"
    return entry


def mark_for_return(session: Session, entry_id: int, *, reason: str, actor: str) -> BankEntry:
    """The money goes back to the payer (outside paydesk); the entry leaves the unmatched list."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("a reason is required to return a bank entry")
    entry = get_entry(session, entry_id, lock=True)
    if entry.status != "unmatched":
        raise Conflict(f"bank entry {entry_id} is {entry.status}; only unmatched entries return")
    trail.record(
        session,
        actor=actor,
        entity_type="bank_entry",
        entity_id=entry.id,
        from_status=entry.status,
        to_status="returned",
        reason=reason,
    )
    entry.status, entry.reason = "returned", reason
    return entry


def import_inbox(
    db: Database, folder: Path, *, actor: str = "inbox", settings: Settings | None = None
) -> list[ImportSummary]:
    """Import every ``*.xml`` in the folder; move each to ``done/`` or ``failed/`` after."""
    from paydesk.bank.camt import InvalidBankFile

    rules = None if settings is None else entry_rules(settings)
    results = []
    for path in sorted(folder.glob("*.xml")):
        target = "done"
        try:
            results.append(
                import_file(db, path, name=path.name, origin="inbox", actor=actor, rules=rules)
            )
        except InvalidBankFile:
            target = "failed"
        (folder / target).mkdir(exist_ok=True)
        path.rename(folder / target / path.name)
    return results
