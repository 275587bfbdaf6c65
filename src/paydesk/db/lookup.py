"""Load one row by its key, or say it is not there; load the rows that belong to another."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

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


def rows_of(
    session: Session, model: type[Row], *where: Any, order: Sequence[Any] = ()
) -> list[Row]:
    """Every ``model`` row matching ``where`` (the contracts of an account, the payments on a
    code …), in ``order`` and then by primary key."""
    query = select(model).where(*where).order_by(*order, inspect(model).primary_key[0])
    return list(session.scalars(query))
