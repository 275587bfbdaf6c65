"""Where the connector stopped reading each bank feed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, update
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


class CursorMoved(Exception):
    """Another taker moved the feed's cursor since it was read: it is reading the feed now."""


def advance_cursor(
    session: Session, postgresql: bool, feed: str, previous: str | None, cursor: str
) -> None:
    """Move the feed's cursor from ``previous`` (None: never stored) to ``cursor``, in the
    caller's transaction — only if it still is ``previous``; else raise :class:`CursorMoved`
    (and the caller's transaction, rolled back, changes nothing). So however many processes
    read one feed, its cursor is advanced by one taker at a time and never goes back."""
    if previous is None:
        insert = pg_insert if postgresql else sqlite_insert
        statement = (
            insert(BankFeedCursor)
            .values(feed=feed, cursor=cursor, updated_at=utcnow())
            .on_conflict_do_nothing(index_elements=["feed"])
        )
    else:
        statement = (
            update(BankFeedCursor)
            .where(BankFeedCursor.feed == feed, BankFeedCursor.cursor == previous)
            .values(cursor=cursor, updated_at=utcnow())
        )
    if session.connection().execute(statement.returning(BankFeedCursor.feed)).first() is None:
        raise CursorMoved(f"bank feed {feed}: the cursor moved past {previous} meanwhile")
