"""Where the connector stopped reading each bank feed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from paydesk.db.base import Base, UTCDateTime, utcnow


class BankFeedCursor(Base):
    """The last cursor handled per feed (keyed by the feed URL)."""

    __tablename__ = "bank_feed_cursors"

    feed: Mapped[str] = mapped_column(String(500), primary_key=True)
    cursor: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
