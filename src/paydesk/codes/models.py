"""Payment codes, their serial counters and the payments received on them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from paydesk.db.base import (
    Base,
    KeyType,
    created_column,
    currency_column,
    id_column,
    partial_index,
    updated_column,
)

#: Statuses in which a code still belongs to its document (at most one per document).
LIVE_STATUSES = ("active", "partially_paid", "paid", "overpaid")
_LIVE_SQL = "status IN ('active', 'partially_paid', 'paid', 'overpaid')"
# Account-level codes (no document) stay out of the index: nothing to keep unique for them.
_LIVE_DOCUMENT_SQL = f"document_id IS NOT NULL AND {_LIVE_SQL}"


class PaymentCode(Base):
    __tablename__ = "payment_codes"
    __table_args__ = (
        partial_index(
            "uq_payment_codes_live_document", "document_id", where=_LIVE_DOCUMENT_SQL, unique=True
        ),
        # The code list's order (newest first). Not by status: a payment moves its code from
        # status to status, and an index on it would be rewritten for most bank credits.
        Index("ix_payment_codes_issued_at", "issued_at"),
    )

    id: Mapped[int] = id_column()
    rf: Mapped[str] = mapped_column(String(25), unique=True)
    document_id: Mapped[int | None] = mapped_column(KeyType, ForeignKey("documents.id"))
    account_id: Mapped[int] = mapped_column(KeyType, ForeignKey("accounts.id"), index=True)
    #: Document kind the code was issued for, or ``account`` for an account-level code.
    kind: Mapped[str] = mapped_column(String(20))
    amount_type: Mapped[str] = mapped_column(String(10))  # fixed | open
    #: Fixed: the amount due. Open: the optional ceiling (None = no ceiling).
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = currency_column()
    paid_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(20), default="active")
    expires_on: Mapped[date | None] = mapped_column(Date)
    issued_at: Mapped[datetime] = created_column()
    issued_by: Mapped[str] = mapped_column(String(64))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = updated_column()


class CodeSerial(Base):
    """The next serial number per reference scope (layout + organisation + document kind)."""

    __tablename__ = "code_serials"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    next_value: Mapped[int] = mapped_column(BigInteger)


class CodePayment(Base):
    """One payment received for a code: date, paying bank, amount, payer, bank reference."""

    __tablename__ = "code_payments"

    id: Mapped[int] = id_column()
    code_id: Mapped[int] = mapped_column(KeyType, ForeignKey("payment_codes.id"), index=True)
    paid_on: Mapped[date] = mapped_column(Date)
    bank_bic: Mapped[str | None] = mapped_column(String(11))
    bank_name: Mapped[str | None] = mapped_column(String(140))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = currency_column()
    payer_name: Mapped[str | None] = mapped_column(String(140))
    bank_reference: Mapped[str | None] = mapped_column(String(140))
    #: The bank entry and the payment it was posted as (set by the bank side). The entry is
    #: not indexed: nothing looks a code payment up by it.
    bank_entry_id: Mapped[int | None] = mapped_column(KeyType)
    payment_id: Mapped[int | None] = mapped_column(KeyType, index=True)
    status: Mapped[str] = mapped_column(String(20), default="received")  # received | reversed
    created_at: Mapped[datetime] = created_column()
