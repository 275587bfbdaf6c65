"""Post matched bank credits in bulk: payment event → bank_transfer tender → payment →
segments → ledger, plus the payment listed on its code. Set-based: a few statements per chunk
of entries, never a round trip per entry.

Distribution is the cashier desk's (``paydesk.cashier.distribution.distribute``): a document's
code pays the document's contract first, an account code pays the account's contracts by payment
priority; what exceeds the debt goes to the overpayment contract, or stays on the first contract
as a credit when the account has none (money received is never refused at this point).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from paydesk.accounts.models import Contract
from paydesk.audit.models import AuditEvent
from paydesk.bank.matching import CodeState
from paydesk.cashier.distribution import ContractDebt, Match, distribute
from paydesk.codes.models import CodePayment
from paydesk.db.base import utcnow
from paydesk.documents.models import Document
from paydesk.ledger.models import LedgerEntry
from paydesk.money import Money
from paydesk.payments.models import Payment, PaymentEvent, PaymentSegment, Tender


@dataclass(slots=True)
class Credit:
    """A matched credit to post."""

    bank_entry_id: int
    code: CodeState
    amount_minor: int
    currency: str
    paid_on: date
    payer_name: str | None
    bank_bic: str | None
    bank_name: str | None
    bank_reference: str | None
    payment_id: int | None = None


@dataclass(slots=True)
class _ContractRow:
    id: int
    priority: int
    is_overpayment: bool


class _Ledger:
    """Contracts and running balances of the accounts a chunk touches."""

    def __init__(self, session: Session, account_ids: set[int], document_ids: set[int]) -> None:
        self.contracts: dict[int, list[_ContractRow]] = defaultdict(list)
        ids = list(account_ids)
        for row in session.execute(
            select(
                Contract.id, Contract.account_id, Contract.payment_priority, Contract.is_overpayment
            ).where(Contract.account_id.in_(ids))
        ):
            self.contracts[row.account_id].append(
                _ContractRow(row.id, row.payment_priority, row.is_overpayment)
            )
        for rows in self.contracts.values():
            rows.sort(key=lambda c: (c.is_overpayment, c.priority, c.id))
        self.balance: dict[int, int] = defaultdict(int)
        for contract_id, total in session.execute(
            select(LedgerEntry.contract_id, func.sum(LedgerEntry.amount_minor))
            .where(LedgerEntry.account_id.in_(ids))
            .group_by(LedgerEntry.contract_id)
        ):
            self.balance[contract_id] = int(total or 0)
        self.document_contract: dict[int, int] = {}
        if document_ids:
            query = select(Document.id, Document.contract_id).where(
                Document.id.in_(list(document_ids))
            )
            self.document_contract = {doc: contract for doc, contract in session.execute(query)}

    def allocate(self, credit: Credit) -> list[tuple[int, int]]:
        """Segments (contract id, minor units) for a credit; balances move as it is posted."""
        contracts = self.contracts[credit.code.account_id]
        target = self.document_contract.get(credit.code.document_id or -1)
        first = (
            target
            if target is not None
            else next((c.id for c in contracts if not c.is_overpayment), contracts[0].id)
        )
        amount = credit.amount_minor
        if self.balance[first] >= amount:  # the usual case: one contract owes at least this
            segments = [(first, amount)]
        else:
            segments = self._distribute(credit, contracts, first if target else None)
        for contract_id, share in segments:
            self.balance[contract_id] -= share
        return segments

    def _distribute(
        self, credit: Credit, contracts: list[_ContractRow], match_contract: int | None
    ) -> list[tuple[int, int]]:
        currency = credit.currency
        # With no overpayment contract, the excess stays on the first contract as a credit.
        excess_to = None
        if not any(c.is_overpayment for c in contracts):
            excess_to = match_contract if match_contract is not None else contracts[0].id
        debts = [
            ContractDebt(
                str(c.id),
                "",
                c.priority,
                Money.from_minor(self.balance[c.id], currency),
                is_overpayment_contract=c.is_overpayment or c.id == excess_to,
            )
            for c in contracts
        ]
        match = Match("contract", str(match_contract)) if match_contract is not None else None
        segments = distribute(Money.from_minor(credit.amount_minor, currency), debts, match)
        return [(int(s.contract_id), s.amount.minor) for s in segments]


def post_credits(session: Session, credits: list[Credit], *, actor: str) -> None:
    """Post each credit as a frozen payment on its code's account; sets ``payment_id``."""
    if not credits:
        return
    now = utcnow()
    ledger = _Ledger(
        session,
        {c.code.account_id for c in credits},
        {c.code.document_id for c in credits if c.code.document_id is not None},
    )
    event_ids = (
        session.connection()
        .scalars(
            insert(PaymentEvent.__table__).returning(
                PaymentEvent.__table__.c.id, sort_by_parameter_order=True
            ),
            [
                {"event_date": c.paid_on, "source": "bank", "created_by": actor, "created_at": now}
                for c in credits
            ],
        )
        .all()
    )
    session.connection().execute(
        insert(Tender.__table__),
        [
            {
                "event_id": event_id,
                "tender_type": "bank_transfer",
                "amount_minor": c.amount_minor,
                "currency": c.currency,
                "payer_account_id": None,
                "non_cis_name": c.payer_name,
                "external_reference": c.bank_reference,
                "status": "valid",
                "bank_entry_id": c.bank_entry_id,
                "created_at": now,
            }
            for event_id, c in zip(event_ids, credits, strict=True)
        ],
    )
    payment_ids = (
        session.connection()
        .scalars(
            insert(Payment.__table__).returning(
                Payment.__table__.c.id, sort_by_parameter_order=True
            ),
            [
                {
                    "event_id": event_id,
                    "account_id": c.code.account_id,
                    "amount_minor": c.amount_minor,
                    "currency": c.currency,
                    "status": "frozen",
                    "payment_code_id": c.code.id,
                    "document_id": c.code.document_id,
                    "created_at": now,
                    "updated_at": now,
                    "frozen_at": now,
                }
                for event_id, c in zip(event_ids, credits, strict=True)
            ],
        )
        .all()
    )
    segments: list[dict[str, object]] = []
    entries: list[dict[str, object]] = []
    audits: list[dict[str, object]] = []
    for payment_id, c in zip(payment_ids, credits, strict=True):
        c.payment_id = payment_id
        for contract_id, share in ledger.allocate(c):
            segments.append(
                {
                    "payment_id": payment_id,
                    "contract_id": contract_id,
                    "amount_minor": share,
                    "currency": c.currency,
                }
            )
            entries.append(
                {
                    "account_id": c.code.account_id,
                    "contract_id": contract_id,
                    "kind": "payment",
                    "amount_minor": -share,
                    "currency": c.currency,
                    "effective_date": c.paid_on,
                    "document_id": c.code.document_id,
                    "payment_id": payment_id,
                    "description": f"bank transfer {c.code.rf}",
                    "created_at": now,
                }
            )
        audits.append(
            {
                "at": now,
                "actor": actor,
                "entity_type": "payment",
                "entity_id": str(payment_id),
                "from_status": None,
                "to_status": "frozen",
                "detail": {"rf": c.code.rf},
            }
        )
    session.connection().execute(insert(PaymentSegment.__table__), segments)
    session.connection().execute(insert(LedgerEntry.__table__), entries)
    session.connection().execute(insert(AuditEvent.__table__), audits)
    session.connection().execute(
        insert(CodePayment.__table__),
        [
            {
                "code_id": c.code.id,
                "paid_on": c.paid_on,
                "bank_bic": c.bank_bic,
                "bank_name": c.bank_name,
                "amount_minor": c.amount_minor,
                "currency": c.currency,
                "payer_name": c.payer_name,
                "bank_reference": c.bank_reference,
                "bank_entry_id": c.bank_entry_id,
                "payment_id": c.payment_id,
                "status": "received",
                "created_at": now,
            }
            for c in credits
        ],
    )
