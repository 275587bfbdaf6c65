"""payment event → tenders + payments → segments → ledger entries.

Shared by every channel: the cashier desk creates events with cash, cheque, direct-debit …
tenders; the bank side creates events with one ``bank_transfer`` tender per bank entry.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from paydesk.db.base import (
    Base,
    KeyType,
    UTCDateTime,
    created_column,
    currency_column,
    id_column,
    partial_index,
    updated_column,
)
from paydesk.payments import limits


class PaymentEvent(Base):
    """One act of paying: what was tendered and which debts it pays. Balanced when the
    tenders sum to the payments."""

    __tablename__ = "payment_events"

    id: Mapped[int] = id_column()
    event_date: Mapped[date] = mapped_column(Date)
    #: desk | bank
    source: Mapped[str] = mapped_column(String(10))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_column()


class Tender(Base):
    """What was handed over: cash, a cheque, a direct debit, a bank transfer … Cash back is a
    negative cash tender."""

    __tablename__ = "tenders"
    __table_args__ = (
        # A bank entry is recorded by one valid tender at a time (cancelled, it may be
        # assigned again).
        partial_index(
            "uq_tenders_valid_bank_entry",
            "bank_entry_id",
            where="status = 'valid' AND bank_entry_id IS NOT NULL",
            unique=True,
        ),
        # Desk-only columns, empty on every bank transfer: only rows that have one are indexed.
        *(
            partial_index(f"ix_tenders_{name}", name, where=f"{name} IS NOT NULL")
            for name in ("cheque_number", "iban_fingerprint", "drawer_session_id")
        ),
    )

    id: Mapped[int] = id_column()
    event_id: Mapped[int] = mapped_column(KeyType, ForeignKey("payment_events.id"), index=True)
    tender_type: Mapped[str] = mapped_column(String(30))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = currency_column()
    payer_account_id: Mapped[int | None] = mapped_column(KeyType, ForeignKey("accounts.id"))
    non_cis_name: Mapped[str | None] = mapped_column(String(limits.NAME))
    cheque_number: Mapped[str | None] = mapped_column(String(limits.DETAIL))
    iban_masked: Mapped[str | None] = mapped_column(String(50))
    iban_fingerprint: Mapped[str | None] = mapped_column(String(64))
    stored_method_id: Mapped[int | None] = mapped_column(KeyType)
    external_reference: Mapped[str | None] = mapped_column(String(140))
    #: valid | cancelled
    status: Mapped[str] = mapped_column(String(20), default="valid")
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    #: The cash-drawer session the tender was taken in (desk tenders).
    drawer_session_id: Mapped[int | None] = mapped_column(KeyType)
    #: The bank entry this tender records (bank transfers).
    #: (Indexed by ``uq_tenders_valid_bank_entry``: only valid tenders are looked up by it.)
    bank_entry_id: Mapped[int | None] = mapped_column(KeyType)
    created_at: Mapped[datetime] = created_column()


class Payment(Base):
    """The part of an event that pays one account's debt."""

    __tablename__ = "payments"
    __table_args__ = (Index("ix_payments_status", "status"),)

    id: Mapped[int] = id_column()
    event_id: Mapped[int] = mapped_column(KeyType, ForeignKey("payment_events.id"), index=True)
    account_id: Mapped[int] = mapped_column(KeyType, ForeignKey("accounts.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = currency_column()
    #: incomplete | freezable | error | frozen | cancelled
    status: Mapped[str] = mapped_column(String(20))
    #: invoice | contract | None
    match_type: Mapped[str | None] = mapped_column(String(20))
    match_value: Mapped[str | None] = mapped_column(String(limits.REFERENCE))
    non_cis_name: Mapped[str | None] = mapped_column(String(limits.NAME))
    non_cis_reference: Mapped[str | None] = mapped_column(String(limits.REFERENCE))
    non_cis_comments: Mapped[str | None] = mapped_column(Text)
    error_message: Mapped[str | None] = mapped_column(Text)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    #: The payment code and document it pays (bank payments on an RF). Not indexed: a code's
    #: payments are looked up through ``code_payments``.
    payment_code_id: Mapped[int | None] = mapped_column(KeyType)
    document_id: Mapped[int | None] = mapped_column(KeyType, ForeignKey("documents.id"))
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime] = updated_column()
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PaymentSegment(Base):
    """How much of a payment goes to one contract; freezing posts it to the ledger."""

    __tablename__ = "payment_segments"

    id: Mapped[int] = id_column()
    payment_id: Mapped[int] = mapped_column(KeyType, ForeignKey("payments.id"), index=True)
    contract_id: Mapped[int] = mapped_column(KeyType, ForeignKey("contracts.id"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = currency_column()
