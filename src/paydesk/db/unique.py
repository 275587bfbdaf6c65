"""Store rows that must be unique, telling a taken key apart from other failures."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from paydesk.db.base import Base


def flush_unique(session: Session, *rows: Base) -> bool:
    """Add ``rows`` and flush in a savepoint: ``False`` when a unique key is already taken
    (only the savepoint is rolled back; the caller says what clashed)."""
    try:
        with session.begin_nested():
            session.add_all(rows)
            session.flush()
    except IntegrityError:
        return False
    return True
