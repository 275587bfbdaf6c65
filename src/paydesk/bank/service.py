"""Bank entries a person handles: list, assign an unmatched entry to a code, mark it for return."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from paydesk.audit import trail
from paydesk.bank.importer import ImportSummary, import_file
from paydesk.bank.matching import CodeState, apply
from paydesk.bank.models import BankEntry, BankFile
from paydesk.bank.posting import Credit, post_credits
from paydesk.codes import service as codes
from paydesk.codes.status import PAYABLE
from paydesk.db.engine import Database
from paydesk.errors import Conflict, InvalidInput, NotFound


def get_entry(session: Session, entry_id: int, *, lock: bool = False) -> BankEntry:
    query = select(BankEntry).where(BankEntry.id == entry_id)
    if lock:
        query = query.with_for_update()
    entry = session.scalar(query)
    if entry is None:
        raise NotFound(f"no bank entry {entry_id}")
    return entry


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


def assign(session: Session, entry_id: int, code_text: str, *, actor: str) -> BankEntry:
    """Post an unmatched credit on the code a person chose (any payable code, any amount)."""
    entry = get_entry(session, entry_id, lock=True)
    if entry.status != "unmatched" or entry.reversal:
        raise Conflict(
            f"bank entry {entry_id} is {entry.status}; only unmatched credits are assigned"
        )
    code = codes.get(session, code_text, lock=True)
    if code.status not in PAYABLE:
        raise Conflict(f"payment code {code.rf} is {code.status} and takes no payments")
    if code.currency != entry.currency:
        raise InvalidInput(f"the entry is in {entry.currency}, the code in {code.currency}")
    state = CodeState(
        code.id,
        code.rf,
        code.status,
        code.amount_type,
        code.amount_minor,
        code.paid_minor,
        code.currency,
        code.account_id,
        code.document_id,
        code.expires_on,
    )
    before = code.status
    apply(state, entry.amount_minor or 0)
    post_credits(
        session,
        [
            Credit(
                entry.id,
                state,
                entry.amount_minor or 0,
                code.currency,
                entry.booking_date or entry.value_date,
                entry.debtor_name,
                entry.debtor_bic,
                entry.bank_name,
                entry.account_servicer_ref or entry.end_to_end_id,
            )
        ],
        actor=actor,
    )
    code.paid_minor, code.status = state.paid_minor, state.status
    if code.status != before:
        trail.record(
            session,
            actor=actor,
            entity_type="payment_code",
            entity_id=code.rf,
            from_status=before,
            to_status=code.status,
            reason=f"bank entry {entry.id}",
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


def import_inbox(db: Database, folder: Path, *, actor: str = "inbox") -> list[ImportSummary]:
    """Import every ``*.xml`` in the folder; move each to ``done/`` or ``failed/`` after."""
    from paydesk.bank.camt import InvalidBankFile

    results = []
    for path in sorted(folder.glob("*.xml")):
        target = "done"
        try:
            results.append(import_file(db, path, name=path.name, origin="inbox", actor=actor))
        except InvalidBankFile:
            target = "failed"
        (folder / target).mkdir(exist_ok=True)
        path.rename(folder / target / path.name)
    return results
