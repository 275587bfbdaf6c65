"""The one search box: what a typed text can name, looked up everywhere at once.

An RF code in any spacing or case; a document, account, cheque number or bank reference as
typed; a customer's or payer's name without regard to case and accents (customers through the
name terms index, see :mod:`paydesk.accounts.search`); an IBAN, matched by its fingerprint
against stored bank accounts and tenders (only its masked form is shown) and against payers'
IBANs on bank entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import schwifty
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from paydesk.accounts import search as names
from paydesk.accounts.models import Account, Customer
from paydesk.bank.models import BankEntry
from paydesk.cashier.models import StoredPaymentMethod
from paydesk.cashier.tenders import iban_fingerprint
from paydesk.codes import rf
from paydesk.codes.models import PaymentCode
from paydesk.documents.models import Document
from paydesk.payments.models import Payment, Tender

LIMIT = 20
MAX_QUERY = 100


@dataclass
class Hits:
    """What a search found, by kind (each at most :data:`LIMIT`)."""

    codes: list[PaymentCode] = field(default_factory=list)
    accounts: list[tuple[Account, Customer]] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    tenders: list[Tender] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    bank_entries: list[BankEntry] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(
            len(found)
            for found in (
                self.codes,
                self.accounts,
                self.documents,
                self.tenders,
                self.payments,
                self.bank_entries,
            )
        )


def _rf(text: str) -> str | None:
    compact = "".join(text.split()).upper()
    return compact if compact.startswith("RF") and rf.is_valid(compact) else None


def _iban(text: str) -> str | None:
    try:
        return str(schwifty.IBAN(text).compact)
    except ValueError:
        return None


def _accounts(session: Session, text: str) -> list[tuple[Account, Customer]]:
    ids = names.find_customer_ids(session, text, limit=LIMIT)
    typed = {text, text.upper()}
    stmt = (
        select(Account, Customer)
        .join(Customer, Customer.id == Account.customer_id)
        .where(or_(Account.number.in_(typed), Customer.id.in_(ids)))
        .order_by(Customer.name, Account.number)
        .limit(LIMIT)
    )
    return [(a, c) for a, c in session.execute(stmt).all()]


def _accounts_among(session: Session, ids: Select) -> list[tuple[Account, Customer]]:
    """The accounts whose id ``ids`` selects, each with its customer."""
    stmt = (
        select(Account, Customer)
        .join(Customer, Customer.id == Account.customer_id)
        .where(Account.id.in_(ids))
        .limit(LIMIT)
    )
    return [(a, c) for a, c in session.execute(stmt).all()]


def _by_iban(session: Session, iban: str, secret: str, hits: Hits) -> None:
    fingerprint = iban_fingerprint(iban, secret)
    owners = select(StoredPaymentMethod.account_id).where(
        StoredPaymentMethod.iban_fingerprint == fingerprint
    )
    hits.accounts += [
        (a, c)
        for a, c in _accounts_among(session, owners)
        if all(a.id != known.id for known, _ in hits.accounts)
    ]
    hits.tenders += session.scalars(
        select(Tender).where(Tender.iban_fingerprint == fingerprint).limit(LIMIT)
    ).all()
    hits.bank_entries += session.scalars(
        select(BankEntry).where(BankEntry.debtor_iban == iban).limit(LIMIT)
    ).all()


def find(session: Session, text: str, *, secret: str) -> Hits:
    """Everything ``text`` names (``secret``: the installation's IBAN fingerprint key)."""
    text = " ".join(text.split())[:MAX_QUERY]
    hits = Hits()
    if not text:
        return hits
    code = _rf(text)
    if code:
        hits.codes = list(session.scalars(select(PaymentCode).where(PaymentCode.rf == code)))
    if "*" in text:  # a masked IBAN, as paydesk shows them: GR16 **** **** 0695
        masked = text.upper()
        hits.tenders = list(
            session.scalars(select(Tender).where(Tender.iban_masked == masked).limit(LIMIT))
        )
        owners = select(StoredPaymentMethod.account_id).where(
            StoredPaymentMethod.iban_masked == masked
        )
        hits.accounts = _accounts_among(session, owners)
        return hits
    iban = _iban(text)
    if iban:
        _by_iban(session, iban, secret, hits)
        return hits
    typed = {text, text.upper()}
    hits.accounts = _accounts(session, text) + hits.accounts
    hits.documents = list(
        session.scalars(
            select(Document).where(Document.number.in_(typed)).order_by(Document.id).limit(LIMIT)
        )
    )
    hits.tenders = list(
        session.scalars(
            select(Tender)
            .where(or_(Tender.cheque_number.in_(typed), Tender.external_reference.in_(typed)))
            .order_by(Tender.id.desc())
            .limit(LIMIT)
        )
    )
    folded = f"%{text.lower()}%"
    hits.payments = list(
        session.scalars(
            select(Payment)
            .where(func.lower(Payment.non_cis_name).like(folded))
            .order_by(Payment.id.desc())
            .limit(LIMIT)
        )
    )
    hits.bank_entries = list(
        session.scalars(
            select(BankEntry)
            .where(
                or_(
                    BankEntry.end_to_end_id.in_(typed),
                    BankEntry.account_servicer_ref.in_(typed),
                    func.lower(BankEntry.debtor_name).like(folded),
                )
            )
            .order_by(BankEntry.id.desc())
            .limit(LIMIT)
        )
    )
    return hits
