"""Direct-debit mandates and the collection of each direct-debit tender taken at the desk.

A tender of a type the bank collects (``[direct_debit] tender_types``: ``direct_debit`` and
``stored_method`` by default) is money the payer's bank still has to pay. Taking it registers a
**collection** (``due`` on the event's date) under the payer's **mandate** for that IBAN; a
bank account new to the payer gets a mandate signed at the desk, that day, by the cashier:
*recurrent* (first collection ``FRST``, then ``RCUR``) when the account is kept as a stored
method, else *one-off* (``OOFF``). The export (:mod:`paydesk.directdebits.service`) sends the
due collections to the bank in a pain.008 file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from paydesk.accounts.models import Account, Customer
from paydesk.audit import trail
from paydesk.cashier.models import DirectDebitCollection, Mandate, StoredPaymentMethod
from paydesk.db.lookup import rows_of
from paydesk.payments import limits
from paydesk.payments.models import Tender
from paydesk.settings import Settings

__all__ = [
    "CollectedTender",
    "end_to_end_id",
    "find_mandate",
    "mandates_of",
    "register_collections",
    "sign_mandate",
]

FIRST, RECURRING, FINAL, ONE_OFF = "FRST", "RCUR", "FNAL", "OOFF"


@dataclass(frozen=True)
class CollectedTender:
    """A stored tender with what the desk knew of its bank account."""

    tender: Tender
    #: The full IBAN typed at the desk (None: the stored method's).
    iban: str | None
    holder_name: str | None
    #: The payer keeps the account for future payments (stored method or *save*).
    recurrent: bool


def _customer_name(session: Session, account_id: int) -> str:
    name = session.scalar(
        select(Customer.name)
        .join(Account, Account.customer_id == Customer.id)
        .where(Account.id == account_id)
    )
    return name or ""


def end_to_end_id(tender_id: int) -> str:
    """The end-to-end id a tender's collection carries through the bank and back."""
    return f"PDDD{tender_id:012d}"


def find_mandate(session: Session, account_id: int, fingerprint: str) -> Mandate | None:
    """The payer's active mandate on the bank account with this fingerprint (a one-off
    mandate only while no collection uses it)."""
    used = select(DirectDebitCollection.id).where(DirectDebitCollection.mandate_id == Mandate.id)
    return session.scalars(
        select(Mandate)
        .where(
            Mandate.account_id == account_id,
            Mandate.iban_fingerprint == fingerprint,
            Mandate.status == "active",
            (Mandate.kind == "recurrent") | ~used.exists(),
        )
        .order_by(Mandate.id.desc())
    ).first()


def mandates_of(session: Session, account_id: int) -> list[Mandate]:
    return rows_of(session, Mandate, Mandate.account_id == account_id)


def sign_mandate(
    session: Session,
    settings: Settings,
    *,
    account_id: int,
    iban: str,
    iban_masked: str,
    fingerprint: str,
    holder_name: str,
    recurrent: bool,
    actor: str,
    signed_on: date,
    stored_method_id: int | None = None,
    signed_at: str = "desk",
) -> Mandate:
    """A new mandate, its id unique for the creditor: ``<prefix>M<account>-<n>``."""
    count = session.scalar(select(func.count()).where(Mandate.account_id == account_id)) or 0
    mandate = Mandate(
        reference=f"{settings.rf_prefix}M{account_id}-{count + 1}",
        account_id=account_id,
        stored_method_id=stored_method_id,
        iban=iban,
        iban_masked=iban_masked,
        iban_fingerprint=fingerprint,
        holder_name=holder_name[: limits.NAME],
        signed_on=signed_on,
        signed_at=signed_at,
        kind="recurrent" if recurrent else "one_off",
        sequence=FIRST if recurrent else ONE_OFF,
        status="active",
        created_by=actor,
    )
    return trail.add_created(
        session,
        mandate,
        actor=actor,
        entity_type="mandate",
        status="active",
        detail={"reference": mandate.reference, "kind": mandate.kind, "signed_at": signed_at},
    )


def register_collections(
    session: Session,
    settings: Settings,
    tenders: Sequence[CollectedTender],
    *,
    actor: str,
    due_on: date,
) -> list[DirectDebitCollection]:
    """A ``due`` collection for each tender the bank collects, under the payer's mandate
    (signed now when the bank account has none)."""
    collected = set(settings.direct_debit.tender_types)
    rows = []
    for item in tenders:
        tender = item.tender
        if (
            tender.tender_type not in collected
            or tender.amount_minor <= 0
            or tender.payer_account_id is None
            or tender.iban_fingerprint is None
        ):
            continue
        mandate = find_mandate(session, tender.payer_account_id, tender.iban_fingerprint)
        if mandate is None:
            method = (
                session.get(StoredPaymentMethod, tender.stored_method_id)
                if tender.stored_method_id is not None
                else None
            )
            iban = item.iban or (method.iban if method is not None else None)
            if iban is None:
                continue
            mandate = sign_mandate(
                session,
                settings,
                account_id=tender.payer_account_id,
                iban=iban,
                iban_masked=tender.iban_masked or (method.iban_masked if method else ""),
                fingerprint=tender.iban_fingerprint,
                holder_name=item.holder_name
                or (method.holder_name if method else None)
                or _customer_name(session, tender.payer_account_id),
                recurrent=item.recurrent or method is not None,
                actor=actor,
                signed_on=due_on,
                stored_method_id=method.id if method is not None else None,
            )
        row = DirectDebitCollection(
            tender_id=tender.id,
            event_id=tender.event_id,
            account_id=tender.payer_account_id,
            mandate_id=mandate.id,
            amount_minor=tender.amount_minor,
            currency=tender.currency,
            end_to_end_id=end_to_end_id(tender.id),
            due_on=due_on,
            status="due",
        )
        session.add(row)
        rows.append(row)
    if rows:
        session.flush()
        for row in rows:
            trail.record(
                session,
                actor=actor,
                entity_type="direct_debit",
                entity_id=row.id,
                to_status="due",
                detail={"tender_id": row.tender_id, "end_to_end_id": row.end_to_end_id},
            )
    return rows
