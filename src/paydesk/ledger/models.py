"""Ledger entries: charge (+), payment (−), payment reversal (+), adjustment (±)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from paydesk.db.base import (
    Base,
    KeyType,
    created_column,
    currency_column,
    id_column,
    partial_index,
)


class LedgerEntry(Base):
    """Never updated, never deleted: a mistake is corrected by a reversing entry."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        Index("ix_ledger_entries_contract", "contract_id", "effective_date"),
        # Only lines on a document are looked up by it (an account-level payment has none).
        partial_index(
            "ix_ledger_entries_document_id", "document_id", where="document_id IS NOT NULL"
        ),
    )

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(KeyType, ForeignKey("accounts.id"), index=True)
    contract_id: Mapped[int] = mapped_column(KeyType, ForeignKey("contracts.id"))
    #: charge | payment | payment_reversal | adjustment
    kind: Mapped[str] = mapped_column(String(20))
    #: Signed minor units: what the customer owes goes up (+) or down (−).
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = currency_column()
    effective_date: Mapped[date] = mapped_column(Date)
    document_id: Mapped[int | None] = mapped_column(KeyType, ForeignKey("documents.id"))
    #: The cashier/bank payment this entry posts (set by the payments module).
    payment_id: Mapped[int | None] = mapped_column(KeyType, index=True)
    reverses_id: Mapped[int | None] = mapped_column(
        KeyType, ForeignKey("ledger_entries.id"), unique=True
    )
    description: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = created_column()
