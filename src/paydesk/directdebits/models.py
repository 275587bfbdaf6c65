"""The pain.008 files paydesk sent to its bank."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from paydesk.db.base import Base, created_column, currency_column, id_column


class DirectDebitFile(Base):
    """One pain.008.001.08 file: the collections due by ``due_on``, exported once.

    The XML is kept as sent (validated against the schema first), so exporting the same day
    again, or downloading it, gives the same bytes.
    """

    __tablename__ = "direct_debit_files"

    id: Mapped[int] = id_column()
    #: The collections due on or before this day went into the file; one file per day.
    due_on: Mapped[date] = mapped_column(Date, unique=True)
    message_id: Mapped[str] = mapped_column(String(35), unique=True)
    collections: Mapped[int] = mapped_column(Integer)
    total_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = currency_column()
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_column()
