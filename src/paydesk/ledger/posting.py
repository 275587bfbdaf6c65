"""Post to the ledger and read balances, with set-based SQL."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from paydesk.errors import Conflict
from paydesk.ledger.models import LedgerEntry

KINDS = ("charge", "payment", "payment_reversal", "adjustment")


def post(
    session: Session,
    *,
    account_id: int,
    contract_id: int,
    kind: str,
    amount_minor: int,
    currency: str,
    effective_date: date,
    document_id: int | None = None,
    payment_id: int | None = None,
    description: str = "",
) -> LedgerEntry:
    """Append one entry. Charges are positive, payments negative."""
    if kind not in KINDS:
        raise ValueError(f"unknown ledger entry kind {kind!r}")
    entry = LedgerEntry(
        account_id=account_id,
        contract_id=contract_id,
        kind=kind,
        amount_minor=amount_minor,
        currency=currency,
        effective_date=effective_date,
        document_id=document_id,
        payment_id=payment_id,
        description=description,
    )
    session.add(entry)
    return entry


def reverse(
    session: Session, entry: LedgerEntry, *, effective_date: date, description: str = ""
) -> LedgerEntry:
    """Append the entry that cancels ``entry``; an entry is reversed at most once."""
    already = session.scalar(select(LedgerEntry.id).where(LedgerEntry.reverses_id == entry.id))
    if already is not None:
        raise Conflict(f"ledger entry {entry.id} is already reversed")
    kind = "payment_reversal" if entry.kind == "payment" else "adjustment"
    reversal = LedgerEntry(
        account_id=entry.account_id,
        contract_id=entry.contract_id,
        kind=kind,
        amount_minor=-entry.amount_minor,
        currency=entry.currency,
        effective_date=effective_date,
        document_id=entry.document_id,
        payment_id=entry.payment_id,
        reverses_id=entry.id,
        description=description or f"reversal of entry {entry.id}",
    )
    session.add(reversal)
    return reversal


def contract_balances(session: Session, account_id: int) -> dict[int, int]:
    """Balance in minor units of every contract of the account that has entries."""
    rows = session.execute(
        select(LedgerEntry.contract_id, func.sum(LedgerEntry.amount_minor))
        .where(LedgerEntry.account_id == account_id)
        .group_by(LedgerEntry.contract_id)
    )
    return {contract_id: int(total or 0) for contract_id, total in rows}


def account_balance(session: Session, account_id: int) -> int:
    """What the account owes in minor units (negative: it is in credit)."""
    total = session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount_minor), 0)).where(
            LedgerEntry.account_id == account_id
        )
    )
    return int(total or 0)
