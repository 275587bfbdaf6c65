"""Where the connector stopped reading each bank feed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from paydesk.db.base import Base, UTCDateTime, utcnow


class BankFeedCursor(Base):
    """The last cursor handled per feed (keyed by the feed URL)."""

    __tablename__ = "bank_feed_cursors"

    feed: Mapped[str] = mapped_column(String(500), primary_key=True)
    cursor: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


def upsert_cursor(session: Session, postgresql: bool, feed: str, cursor: str) -> None:
    """Store ``cursor`` as the feed's position, in the caller's transaction."""
    insert = pg_insert if postgresql else sqlite_insert
    statement = insert(BankFeedCursor).values(feed=feed, cursor=cursor, updated_at=utcnow())
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["feed"],
            set_={"cursor": statement.excluded.cursor, "updated_at": statement.excluded.updated_at},
        )
    )
