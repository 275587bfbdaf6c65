"""The record of each time a payment slip is e-mailed: to whom, in which language, the result."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from paydesk.db.base import Base, KeyType, UTCDateTime, created_column, id_column


class SlipSending(Base):
    """One e-mail of a code's payment slip.

    ``status``: ``queued`` (waiting for delivery), ``sending`` (an attempt is under way; it
    holds the row until ``next_attempt_at``, after which an interrupted attempt is taken up
    again), ``sent``, or ``failed`` (``next_attempt_at`` set: tried again then; ``None``: given
    up). Rows due for delivery are those not ``sent`` whose ``next_attempt_at`` has passed.
    """

    __tablename__ = "slip_sendings"
    __table_args__ = (Index("ix_slip_sendings_due", "status", "next_attempt_at"),)

    id: Mapped[int] = id_column()
    code_id: Mapped[int] = mapped_column(KeyType, ForeignKey("payment_codes.id"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Message-ID of the delivered e-mail.
    message_id: Mapped[str | None] = mapped_column(String(254))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_column()
