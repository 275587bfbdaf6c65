"""Imported bank files and the entries they reported."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from paydesk.db.base import Base, KeyType, created_column, id_column

#: What an import counts, each kept in a column of :class:`BankFile` of the same name.
FILE_COUNTS = ("entries", "matched", "unmatched", "duplicates", "reversed", "rejected", "ignored")


class BankFile(Base):
    """One file or document received from a bank, with what its import did."""

    __tablename__ = "bank_files"

    id: Mapped[int] = id_column()
    name: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str | None] = mapped_column(String(10))  # camt.053 | camt.054
    version: Mapped[str | None] = mapped_column(String(10))
    message_id: Mapped[str | None] = mapped_column(String(140))
    #: cli | api | inbox | feed | push
    source: Mapped[str] = mapped_column(String(10))
    #: imported | failed
    status: Mapped[str] = mapped_column(String(10))
    error: Mapped[str | None] = mapped_column(Text)
    #: A refused file's refusal as a code and its parameters (``{"code": …, "params": {…}}``,
    #: and ``entries_before`` when it broke after that many entries were imported), so pages
    #: say it in their language; ``error`` is the English sentence. None before 0014.
    refusal: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    entries: Mapped[int] = mapped_column(Integer, default=0)
    matched: Mapped[int] = mapped_column(Integer, default=0)
    unmatched: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    reversed: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    ignored: Mapped[int] = mapped_column(Integer, default=0)
    imported_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_column()


class BankEntry(Base):
    """One credit (or reversal) a bank reported; unique by its key, so it counts once."""

    __tablename__ = "bank_entries"
    __table_args__ = (Index("ix_bank_entries_status", "status"),)

    id: Mapped[int] = id_column()
    #: ``<account IBAN>/<kind>:<reference>``; None only for a rejected entry with no reference.
    key: Mapped[str | None] = mapped_column(String(300), unique=True)
    file_id: Mapped[int] = mapped_column(KeyType, ForeignKey("bank_files.id"), index=True)
    account_iban: Mapped[str] = mapped_column(String(34))
    booking_date: Mapped[date | None] = mapped_column(Date)
    value_date: Mapped[date | None] = mapped_column(Date)
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    credit: Mapped[bool] = mapped_column(Boolean)
    reversal: Mapped[bool] = mapped_column(Boolean, default=False)
    rf: Mapped[str | None] = mapped_column(String(25), index=True)
    rf_candidate: Mapped[str | None] = mapped_column(String(60))
    remittance_text: Mapped[str | None] = mapped_column(Text)
    debtor_name: Mapped[str | None] = mapped_column(String(140))
    debtor_iban: Mapped[str | None] = mapped_column(String(34))
    debtor_bic: Mapped[str | None] = mapped_column(String(11))
    bank_name: Mapped[str | None] = mapped_column(String(140))
    end_to_end_id: Mapped[str | None] = mapped_column(String(140), index=True)
    account_servicer_ref: Mapped[str | None] = mapped_column(String(140), index=True)
    #: matched | unmatched | reversed | reversal | rejected | returned
    status: Mapped[str] = mapped_column(String(12))
    #: Why an entry is held or rejected, in English (the API and the CSV give it as it is).
    reason: Mapped[str | None] = mapped_column(Text)
    #: A rejected entry's problems as codes with parameters: a JSON list of ``{"code": …,
    #: "params": {…}}`` (see :class:`paydesk.bank.camt.EntryProblem`). Written as JSON text by
    #: the importer, so the bulk insert of a file's entries does no per-row JSON work; None for
    #: every other entry and for rejected entries imported before it existed.
    problems_json: Mapped[str | None] = mapped_column(Text)
    #: The code a matched entry paid (not indexed: nothing looks entries up by it).
    code_id: Mapped[int | None] = mapped_column(KeyType)
    #: For a reversal: the entry it reverses.
    reverses_id: Mapped[int | None] = mapped_column(KeyType)
    created_at: Mapped[datetime] = created_column()

    @property
    def problems(self) -> list[dict[str, Any]]:
        """The rejected entry's problems as codes (empty when there are none or not stored)."""
        return json.loads(self.problems_json) if self.problems_json else []
