"""Customers, accounts and contracts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from paydesk.db.base import Base, KeyType, created_column, currency_column, id_column


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = id_column()
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="person")  # person | company
    email: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(5), default="en")
    address: Mapped[str | None] = mapped_column(Text)
    tax_id: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = created_column()


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = id_column()
    customer_id: Mapped[int] = mapped_column(KeyType, ForeignKey("customers.id"), index=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    currency: Mapped[str] = currency_column()
    #: balance_forward | open_item | non_cis
    customer_class: Mapped[str] = mapped_column(String(20))
    #: Credit-rating points towards the "cash only" warning.
    cash_only_points: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = created_column()


class Contract(Base):
    """A service agreement of an account; its balance is the sum of its ledger entries."""

    __tablename__ = "contracts"

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(KeyType, ForeignKey("accounts.id"), index=True)
    contract_type: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(200), default="")
    #: Lower numbers are paid first.
    payment_priority: Mapped[int] = mapped_column(Integer, default=50)
    #: Receives what exceeds the account's debt (excess credit).
    is_overpayment: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[datetime] = created_column()


#: Terms compare byte by byte (PostgreSQL's "C" collation, SQLite's default), so that a prefix
#: is one contiguous range of the index whatever the database's locale.
TermType = String(100).with_variant(String(100, collation="C"), "postgresql")


class CustomerNameTerm(Base):
    """One word of a customer's name, folded (case and accents removed), for the name search;
    written by :func:`paydesk.accounts.search.index_customer` with the customer."""

    __tablename__ = "customer_name_terms"
    __table_args__ = (Index("ix_customer_name_terms_term", "term", "customer_id"),)

    customer_id: Mapped[int] = mapped_column(KeyType, ForeignKey("customers.id"), primary_key=True)
    term: Mapped[str] = mapped_column(TermType, primary_key=True)
