"""Post matched bank credits in bulk: payment event → bank_transfer tender → payment →
segments → ledger, plus the payment listed on its code. Set-based: a few statements per chunk
of entries, never a round trip per entry.

Distribution is the cashier desk's (``paydesk.payments.distribution.distribute``): a document's
code pays the document's contract first, an account code pays the account's contracts by payment
priority; what exceeds the debt goes to the overpayment contract, or stays on the first contract
as a credit when the account has none (money received is never refused at this point).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from paydesk.accounts.models import Contract
from paydesk.audit.models import AuditEvent
from paydesk.bank.matching import CodeState
from paydesk.codes.models import CodePayment
from paydesk.db.base import utcnow
from paydesk.db.bulk import allocate_ids, among, insert_rows
from paydesk.documents.models import Document
from paydesk.ledger.models import LedgerEntry
from paydesk.money import Money
from paydesk.payments.distribution import ContractDebt, Match, distribute
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


class Balances:
    """Contracts and running balances of the accounts an import touches.

    Loaded once per account for a whole file (accounts are added as chunks name them), then
    moved in memory as credits are allocated, so a file costs one balance query per account.
    """

    def __init__(self) -> None:
        self.contracts: dict[int, list[_ContractRow]] = defaultdict(list)
        self.balance: dict[int, int] = defaultdict(int)
        self.document_contract: dict[int, int] = {}

    def load(self, session: Session, account_ids: set[int], document_ids: set[int]) -> None:
        dialect = session.get_bind().dialect.name
        ids = [a for a in account_ids if a not in self.contracts]
        if ids:
            for row in session.execute(
                select(
                    Contract.id,
                    Contract.account_id,
                    Contract.payment_priority,
                    Contract.is_overpayment,
                ).where(among(dialect, Contract.account_id, ids))
            ):
                self.contracts[row.account_id].append(
                    _ContractRow(row.id, row.payment_priority, row.is_overpayment)
                )
            for account_id in ids:
                self.contracts[account_id].sort(key=lambda c: (c.is_overpayment, c.priority, c.id))
            for contract_id, total in session.execute(
                select(LedgerEntry.contract_id, func.sum(LedgerEntry.amount_minor))
                .where(among(dialect, LedgerEntry.account_id, ids))
                .group_by(LedgerEntry.contract_id)
            ):
                self.balance[contract_id] = int(total or 0)
        docs = [d for d in document_ids if d not in self.document_contract]
        if docs:
            query = select(Document.id, Document.contract_id).where(
                among(dialect, Document.id, docs)
            )
            self.document_contract.update({d: c for d, c in session.execute(query)})

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
        overpayment = contracts[-1].id if contracts[-1].is_overpayment else None
        if self.balance[first] >= amount:  # the usual case: one contract owes at least this
            segments = [(first, amount)]
        elif overpayment is not None and all(
            self.balance[c.id] <= 0 for c in contracts if not c.is_overpayment
        ):  # nothing is owed: all of it is excess credit
            segments = [(overpayment, amount)]
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


def post_credits(
    session: Session, credits: list[Credit], *, actor: str, balances: Balances | None = None
) -> None:
    """Post each credit as a frozen payment on its code's account; sets ``payment_id``.

    Pass the same ``balances`` for every chunk of one import (one transaction)."""
    if not credits:
        return
    now = utcnow()
    conn = session.connection()
    ledger = balances or Balances()
    ledger.load(
        session,
        {c.code.account_id for c in credits},
        {c.code.document_id for c in credits if c.code.document_id is not None},
    )
    n = len(credits)
    event_ids = allocate_ids(conn, PaymentEvent.__table__, n)
    payment_ids = allocate_ids(conn, Payment.__table__, n)
    events, tenders, payments, code_payments = [], [], [], []
    segments: list[tuple[object, ...]] = []
    entries: list[tuple[object, ...]] = []
    audits: list[tuple[object, ...]] = []
    for event_id, payment_id, c in zip(event_ids, payment_ids, credits, strict=True):
        c.payment_id = payment_id
        code = c.code
        events.append((event_id, c.paid_on, "bank", actor, now))
        tenders.append(
            (
                event_id,
                "bank_transfer",
                c.amount_minor,
                c.currency,
                c.payer_name,
                c.bank_reference,
                "valid",
                c.bank_entry_id,
                now,
            )
        )
        payments.append(
            (
                payment_id,
                event_id,
                code.account_id,
                c.amount_minor,
                c.currency,
                "frozen",
                code.id,
                code.document_id,
                now,
                now,
                now,
            )
        )
        for contract_id, share in ledger.allocate(c):
            segments.append((payment_id, contract_id, share, c.currency))
            entries.append(
                (
                    code.account_id,
                    contract_id,
                    "payment",
                    -share,
                    c.currency,
                    c.paid_on,
                    code.document_id,
                    payment_id,
                    f"bank transfer {code.rf}",
                    now,
                )
            )
        audits.append((now, actor, "payment", str(payment_id), "frozen", None))
        code_payments.append(
            (
                code.id,
                c.paid_on,
                c.bank_bic,
                c.bank_name,
                c.amount_minor,
                c.currency,
                c.payer_name,
                c.bank_reference,
                c.bank_entry_id,
                payment_id,
                "received",
                now,
            )
        )
    insert_rows(
        conn,
        PaymentEvent.__table__,
        ("id", "event_date", "source", "created_by", "created_at"),
        events,
    )
    insert_rows(
        conn,
        Tender.__table__,
        (
            "event_id",
            "tender_type",
            "amount_minor",
            "currency",
            "non_cis_name",
            "external_reference",
            "status",
            "bank_entry_id",
            "created_at",
        ),
        tenders,
    )
    insert_rows(
        conn,
        Payment.__table__,
        (
            "id",
            "event_id",
            "account_id",
            "amount_minor",
            "currency",
            "status",
            "payment_code_id",
            "document_id",
            "created_at",
            "updated_at",
            "frozen_at",
        ),
        payments,
    )
    insert_rows(
        conn,
        PaymentSegment.__table__,
        ("payment_id", "contract_id", "amount_minor", "currency"),
        segments,
    )
    insert_rows(
        conn,
        LedgerEntry.__table__,
        (
            "account_id",
            "contract_id",
            "kind",
            "amount_minor",
            "currency",
            "effective_date",
            "document_id",
            "payment_id",
            "description",
            "created_at",
        ),
        entries,
    )
    insert_rows(
        conn,
        AuditEvent.__table__,
        ("at", "actor", "entity_type", "entity_id", "to_status", "detail"),
        audits,
    )
    insert_rows(
        conn,
        CodePayment.__table__,
        (
            "code_id",
            "paid_on",
            "bank_bic",
            "bank_name",
            "amount_minor",
            "currency",
            "payer_name",
            "bank_reference",
            "bank_entry_id",
            "payment_id",
            "status",
            "created_at",
        ),
        code_payments,
    )
