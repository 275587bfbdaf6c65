"""The ledger and the audit trail are append-only at the database itself."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DatabaseError

from paydesk.accounts import service as accounts
from paydesk.accounts.service import ContractSpec
from paydesk.audit import trail
from paydesk.audit.models import AuditEvent
from paydesk.ledger import posting
from paydesk.ledger.models import LedgerEntry


def _entry(db):
    with db.transaction() as session:
        customer = accounts.create_customer(session, name="Maria")
        account = accounts.create_account(
            session,
            customer=customer,
            number="A-1",
            currency="EUR",
            customer_class="balance_forward",
            contracts=[ContractSpec("service")],
        )
        contract = accounts.contracts_of(session, account.id)[0]
        entry = posting.post(
            session,
            account_id=account.id,
            contract_id=contract.id,
            kind="charge",
            amount_minor=10000,
            currency="EUR",
            effective_date=date.today(),
        )
        trail.record(session, actor="t", entity_type="x", entity_id=1, to_status="a")
        session.flush()
        return account.id, entry.id


def test_a_ledger_entry_cannot_be_updated_or_deleted(db) -> None:
    _, entry_id = _entry(db)
    for statement in (
        update(LedgerEntry).where(LedgerEntry.id == entry_id).values(amount_minor=1),
        delete(LedgerEntry).where(LedgerEntry.id == entry_id),
        update(AuditEvent).values(to_status="b"),
        delete(AuditEvent),
    ):
        with pytest.raises(DatabaseError, match="append-only"), db.transaction() as session:
            session.execute(statement)


def test_a_reversal_restores_the_balance_and_happens_once(db) -> None:
    from paydesk.errors import Conflict

    account_id, entry_id = _entry(db)
    with db.transaction() as session:
        entry = session.get(LedgerEntry, entry_id)
        posting.reverse(session, entry, effective_date=date.today())
    with db.reading() as session:
        assert posting.account_balance(session, account_id) == 0
    with pytest.raises(Conflict), db.transaction() as session:
        posting.reverse(session, session.get(LedgerEntry, entry_id), effective_date=date.today())
