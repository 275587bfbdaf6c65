"""Feed documents the importer could not take, put aside so the feed moves on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from paydesk.db.base import Base, KeyType, UTCDateTime, created_column, id_column


class BankFeedFailure(Base):
    """One document read from a bank feed whose import failed, kept with its error.

    ``status`` is ``failed`` until a retry imports it (``imported``, with the file row of
    that import in ``file_id``)."""

    __tablename__ = "bank_feed_failures"
    __table_args__ = (Index("ix_bank_feed_failures_status", "status"),)

    id: Mapped[int] = id_column()
    feed: Mapped[str] = mapped_column(String(500))
    #: The feed's cursor of this document.
    cursor: Mapped[str] = mapped_column(String(200))
    #: The document as the feed gave it (camt XML, UTF-8 text).
    document: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    #: failed | imported
    status: Mapped[str] = mapped_column(String(10))
    #: The problem slug (``invalid-bank-file`` …) or ``internal-error``.
    error_type: Mapped[str] = mapped_column(String(60))
    error: Mapped[str] = mapped_column(Text)
    #: Imports tried: the feed's own, then each retry.
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    retried_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retried_by: Mapped[str | None] = mapped_column(String(64))
    file_id: Mapped[int | None] = mapped_column(KeyType)
    created_at: Mapped[datetime] = created_column()
