"""Tables of the cashier desk beside the shared payments schema.

- ``cash_drawer_sessions`` — a cashier's drawer from opening (with a float) to closing (counted
  against expected, per tender type, with the difference kept).
- ``stored_payment_methods`` — an account's wallet: saved checking/savings accounts.
- ``autopay_registrations`` — an account's auto-pay registration on one stored method.
- ``cash_only_point_changes`` — append-only history of an account's cash-only points.
- ``service_tasks`` — work waiting on something outside the desk: bank-account validation.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from paydesk.db.base import Base, KeyType, UTCDateTime, created_column, currency_column, id_column
from paydesk.payments import limits


class CashDrawerSession(Base):
    __tablename__ = "cash_drawer_sessions"
    __table_args__ = (Index("ix_cash_drawer_sessions_cashier", "cashier", "status"),)

    id: Mapped[int] = id_column()
    cashier: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = currency_column()
    #: open | closed
    status: Mapped[str] = mapped_column(String(10))
    float_minor: Mapped[int] = mapped_column(BigInteger)
    opened_at: Mapped[datetime] = created_column()
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Per tender type, minor units: {"cash": 12000, ...}; set at closing.
    expected: Mapped[dict | None] = mapped_column(JSON)
    counted: Mapped[dict | None] = mapped_column(JSON)
    difference: Mapped[dict | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)


class StoredPaymentMethod(Base):
    """A bank account an account may pay from again (its wallet)."""

    __tablename__ = "stored_payment_methods"

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(KeyType, ForeignKey("accounts.id"), index=True)
    #: checking | savings
    kind: Mapped[str] = mapped_column(String(20))
    holder_name: Mapped[str] = mapped_column(String(limits.NAME))
    label: Mapped[str] = mapped_column(String(80), default="")
    #: The full IBAN: a stored method exists to be collected from.
    iban: Mapped[str] = mapped_column(String(34))
    iban_masked: Mapped[str] = mapped_column(String(50))
    iban_fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    #: active | removed
    status: Mapped[str] = mapped_column(String(10))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_column()


class AutopayRegistration(Base):
    __tablename__ = "autopay_registrations"

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(KeyType, ForeignKey("accounts.id"), index=True)
    stored_method_id: Mapped[int] = mapped_column(KeyType, ForeignKey("stored_payment_methods.id"))
    #: active | ended
    status: Mapped[str] = mapped_column(String(10))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_column()


class CashOnlyPointChange(Base):
    """One entry of an account's credit rating: who, why, by how much, the new total.

    Append-only: an entry counts until its ``ends_on`` (``None``: always); cancelling it is a
    new row with the opposite change that names it in ``cancels_id``.
    """

    __tablename__ = "cash_only_point_changes"

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(KeyType, ForeignKey("accounts.id"), index=True)
    change: Mapped[int] = mapped_column(Integer)
    points_after: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))
    #: The cancelled tender that caused it (bounced cheque), if any.
    tender_id: Mapped[int | None] = mapped_column(KeyType)
    at: Mapped[datetime] = created_column()
    #: The last day the entry counts in the total; ``None``: it never ends.
    ends_on: Mapped[date | None] = mapped_column(Date)
    #: On a cancelling row: the entry it cancels.
    cancels_id: Mapped[int | None] = mapped_column(KeyType, index=True, unique=True)


class ServiceTask(Base):
    """Bank-account validation of an IBAN an account has not used before.

    ``pending`` → ``completed`` | ``rejected`` | ``error``. The payments of its event stay
    ``incomplete`` while it is pending.
    """

    __tablename__ = "service_tasks"
    __table_args__ = (Index("ix_service_tasks_status", "status"),)

    id: Mapped[int] = id_column()
    #: bank_account_validation
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[int] = mapped_column(KeyType, ForeignKey("payment_events.id"), index=True)
    account_id: Mapped[int] = mapped_column(KeyType, ForeignKey("accounts.id"))
    holder_name: Mapped[str] = mapped_column(String(limits.NAME))
    #: Kept while pending (the validator needs it), cleared when the task ends.
    iban: Mapped[str | None] = mapped_column(String(34))
    iban_masked: Mapped[str] = mapped_column(String(50))
    iban_fingerprint: Mapped[str] = mapped_column(String(64))
    #: What to do with the event's payments once completed: distribute_and_freeze | manual
    distribution: Mapped[str] = mapped_column(String(30))
    #: Save the bank account as a stored method (checking | savings) once completed.
    save_method_kind: Mapped[str | None] = mapped_column(String(20))
    validator: Mapped[str | None] = mapped_column(String(40))
    #: The validator's answer: match | no_match | close_match | unknown | structural_ok …
    result: Mapped[str | None] = mapped_column(String(40))
    message: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_column()
    finished_by: Mapped[str | None] = mapped_column(String(64))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Mandate(Base):
    """A SEPA Core direct-debit mandate: the payer's permission to collect from one IBAN.

    ``reference`` is the mandate id (unique for the creditor). ``sequence`` is the sequence
    type of the *next* collection: ``FRST`` (recurrent, none collected yet), ``RCUR``,
    ``FNAL`` (the last one), ``OOFF`` (one-off). ``active`` → ``ended`` (its final or one-off
    collection was sent) | ``cancelled``.
    """

    __tablename__ = "direct_debit_mandates"
    __table_args__ = (Index("ix_direct_debit_mandates_payer", "account_id", "iban_fingerprint"),)

    id: Mapped[int] = id_column()
    reference: Mapped[str] = mapped_column(String(35), unique=True)
    account_id: Mapped[int] = mapped_column(KeyType, ForeignKey("accounts.id"))
    stored_method_id: Mapped[int | None] = mapped_column(
        KeyType, ForeignKey("stored_payment_methods.id")
    )
    #: The debtor's IBAN in full: the collection is sent to it.
    iban: Mapped[str] = mapped_column(String(34))
    iban_masked: Mapped[str] = mapped_column(String(50))
    iban_fingerprint: Mapped[str] = mapped_column(String(64))
    holder_name: Mapped[str] = mapped_column(String(limits.NAME))
    signed_on: Mapped[date] = mapped_column(Date)
    #: desk | api
    signed_at: Mapped[str] = mapped_column(String(10))
    #: recurrent | one_off
    kind: Mapped[str] = mapped_column(String(10))
    sequence: Mapped[str] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(10))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_column()


class DirectDebitCollection(Base):
    """A direct-debit tender on its way to the payer's bank and back.

    ``due`` → ``sent`` (in a pain.008 file) → ``confirmed`` (the bank booked it) |
    ``returned`` (rejected by pain.002 or returned by camt.054, with the reason code); a
    confirmed collection may still come back as ``returned``. A tender cancelled before it
    was sent leaves its collection ``cancelled``. Audited as ``direct_debit``.
    """

    __tablename__ = "direct_debit_collections"
    __table_args__ = (Index("ix_direct_debit_collections_status", "status", "due_on"),)

    id: Mapped[int] = id_column()
    tender_id: Mapped[int] = mapped_column(KeyType, ForeignKey("tenders.id"), unique=True)
    event_id: Mapped[int] = mapped_column(KeyType, ForeignKey("payment_events.id"))
    account_id: Mapped[int] = mapped_column(KeyType, ForeignKey("accounts.id"), index=True)
    mandate_id: Mapped[int] = mapped_column(KeyType, ForeignKey("direct_debit_mandates.id"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = currency_column()
    #: The end-to-end id sent in the pain.008 and reported back by the bank.
    end_to_end_id: Mapped[str] = mapped_column(String(35), unique=True)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))
    #: Set when sent: the sequence type and requested collection date, and the file.
    sequence: Mapped[str | None] = mapped_column(String(4))
    collection_date: Mapped[date | None] = mapped_column(Date)
    file_id: Mapped[int | None] = mapped_column(
        KeyType, ForeignKey("direct_debit_files.id"), index=True
    )
    #: The bank entry that booked or returned it.
    bank_entry_id: Mapped[int | None] = mapped_column(KeyType)
    #: ISO 20022 reason code of a return or reject (AC04, AM04, MD01, MS02 …), and its text.
    return_code: Mapped[str | None] = mapped_column(String(4))
    return_reason: Mapped[str | None] = mapped_column(Text)
    #: pain.002 | camt.054
    returned_by: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = created_column()
