"""Documents and the securities of a securities batch."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from paydesk.db.base import (
    Base,
    KeyType,
    created_column,
    currency_column,
    id_column,
    updated_column,
)
from paydesk.documents.lifecycle import is_receivable


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("kind", "number"),)

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(KeyType, ForeignKey("accounts.id"), index=True)
    contract_id: Mapped[int] = mapped_column(KeyType, ForeignKey("contracts.id"))
    kind: Mapped[str] = mapped_column(String(20))
    #: Indexed alone too: the search box finds a document by its number, whatever its kind.
    number: Mapped[str] = mapped_column(String(40), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = currency_column()
    issue_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(30))
    #: Securities batch option: issue a payment code when the batch is created.
    issue_payment_code: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime] = updated_column()

    @property
    def receivable(self) -> bool:
        """Whether its charge is posted (and not cancelled): a code may then be issued."""
        return is_receivable(self.kind, self.status)


class Security(Base):
    """A post-dated cheque or promissory note in a securities batch."""

    __tablename__ = "securities"

    id: Mapped[int] = id_column()
    document_id: Mapped[int] = mapped_column(KeyType, ForeignKey("documents.id"), index=True)
    instrument: Mapped[str] = mapped_column(String(20))  # cheque | promissory_note
    number: Mapped[str] = mapped_column(String(40))
    maturity_date: Mapped[date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = currency_column()
