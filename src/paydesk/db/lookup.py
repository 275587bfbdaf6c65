"""Load one row by its key, or say it is not there."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from paydesk.db.base import Base
from paydesk.errors import NotFound

Row = TypeVar("Row", bound=Base)


def fetch(session: Session, model: type[Row], key: object, *, what: str, lock: bool = False) -> Row:
    """The ``model`` row with primary key ``key`` (``SELECT … FOR UPDATE`` when ``lock``);
    :class:`NotFound` ("no <what> <key>") when there is none."""
    query = select(model).where(inspect(model).primary_key[0] == key)
    if lock:
        query = query.with_for_update()
    row = session.scalar(query)
    if row is None:
        raise NotFound(f"no {what} {key}", code=f"no-{what.replace(' ', '-')}", key=str(key))
    return row
