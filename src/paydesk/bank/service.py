"""Bank entries a person handles: list, assign an unmatched entry to a code, mark it for return."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from paydesk.accounts.service import lock_accounts
from paydesk.audit import trail
from paydesk.bank.camt import EntryRules
from paydesk.bank.credits import credit_intake
from paydesk.bank.importer import ImportSummary, import_file
from paydesk.bank.models import BankEntry, BankFile
from paydesk.codes import service as codes
from paydesk.codes.service import code_states
from paydesk.codes.status import PAYABLE
from paydesk.db.engine import Database
from paydesk.db.lookup import fetch
from paydesk.directdebits.service import ReturnRules
from paydesk.errors import Conflict, InvalidInput
from paydesk.payments import service as money_in
from paydesk.payments.plan import Policy
from paydesk.settings import Settings


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
    settings: Settings,
) -> BankEntry:
    """Post a held credit on the code a person chose (any payable code, any amount): the same
    intake as an imported credit, through the one pipeline; listed on the code like any bank
    payment."""
    entry = get_entry(session, entry_id)
    code = codes.get(session, code_text)
    lock_accounts(session, [code.account_id])
    session.refresh(entry, with_for_update=True)
    if entry.status != "unmatched" or entry.reversal:
        raise Conflict(
            f"bank entry {entry_id} is {entry.status}; only unmatched credits are assigned"
        )
    state = code_states(session, ids=[code.id])[code.id]
    if state.status not in PAYABLE:
        raise Conflict(f"payment code {state.rf} is {state.status} and takes no payments")
    if state.currency != entry.currency or entry.amount_minor is None:
        raise InvalidInput(f"the entry is in {entry.currency}, the code in {state.currency}")
    intake = credit_intake(
        bank_entry_id=entry.id,
        code=state,
        amount_minor=entry.amount_minor,
        currency=entry.currency,
        paid_on=entry.booking_date or entry.value_date or date.today(),
        payer_name=entry.debtor_name,
        bank_bic=entry.debtor_bic,
        bank_name=entry.bank_name,
        reference=entry.account_servicer_ref or entry.end_to_end_id,
        actor=actor,
        held=True,
    )
    money_in.take(session, [intake], policy=money_in.policy_of(settings), codes={code.id: state})
    session.flush()
    session.refresh(entry)
    return entry


def mark_for_return(session: Session, entry_id: int, *, reason: str, actor: str) -> BankEntry:
    """The money goes back to the payer (outside paydesk); the entry leaves the unmatched list."""
    reason = trail.required_reason(reason, "a reason is required to return a bank entry")
    entry = get_entry(session, entry_id, lock=True)
    if entry.status != "unmatched":
        raise Conflict(f"bank entry {entry_id} is {entry.status}; only unmatched entries return")
    entry.reason = reason
    trail.change(session, entry, "returned", actor=actor, entity_type="bank_entry", reason=reason)
    return entry


def import_inbox(
    db: Database,
    folder: Path,
    *,
    actor: str = "inbox",
    policy: Policy | None = None,
    rules: EntryRules | None = None,
    returns: ReturnRules | None = None,
) -> list[ImportSummary]:
    """Import every ``*.xml`` in the folder; move each to ``done/`` or ``failed/`` after."""
    from paydesk.bank.camt import InvalidBankFile

    results = []
    for path in sorted(folder.glob("*.xml")):
        target = "done"
        try:
            results.append(
                import_file(
                    db,
                    path,
                    name=path.name,
                    origin="inbox",
                    actor=actor,
                    policy=policy,
                    rules=rules,
                    returns=returns,
                )
            )
        except InvalidBankFile:
            target = "failed"
        (folder / target).mkdir(exist_ok=True)
        path.rename(folder / target / path.name)
    return results
