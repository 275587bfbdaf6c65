"""Several reads in one round trip: on PostgreSQL they leave together in pipeline mode.

A request that must read a few independent things before it writes (an account under its
lock, its contracts and ledger sums, the cashier's drawer, the webhook subscriptions) waits
for the network and the server's answer once instead of once per statement. The statements
run in the order given, each with its own snapshot (READ COMMITTED), so a read placed after a
``FOR UPDATE`` sees what the holder of the lock committed.

Statements are Core ``Select`` built once (module constants): each is compiled once per
dialect. Rows come back as tuples in the statement's column order, through the columns'
result types (the UTC timestamps of :class:`paydesk.db.base.UTCDateTime`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from threading import Lock
from typing import Any

from sqlalchemy import Connection, Select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session, make_transient_to_detached

__all__ = ["loaded", "read_together"]

Read = tuple[Select[Any], Mapping[str, Any]]


class _Compiled:
    """A statement's SQL for the driver, its bind processors and its columns' result
    processors."""

    def __init__(self, statement: Select[Any], dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.compiled = compiled
        self.sql = compiled.string
        self.binds: dict[str, Callable[[Any], Any]] = dict(compiled._bind_processors)
        results = [
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in statement.selected_columns
        ]
        self.results = [(i, p) for i, p in enumerate(results) if p is not None]

    def params(self, values: Mapping[str, Any]) -> dict[str, Any]:
        params = self.compiled.construct_params(dict(values))
        for name, processor in self.binds.items():
            if name in params and params[name] is not None:
                params[name] = processor(params[name])
        return params

    def rows(self, fetched: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        if not self.results:
            return fetched
        out = []
        for row in fetched:
            values = list(row)
            for i, processor in self.results:
                values[i] = processor(values[i])
            out.append(tuple(values))
        return out


_compiled: dict[tuple[int, str], tuple[Select[Any], _Compiled]] = {}
_lock = Lock()


def _compile(statement: Select[Any], dialect: Dialect) -> _Compiled:
    key = (id(statement), dialect.name)
    found = _compiled.get(key)
    if found is not None and found[0] is statement:
        return found[1]
    compiled = _Compiled(statement, dialect)
    with _lock:
        _compiled[key] = (statement, compiled)  # the statement kept: its id stays its own
    return compiled


def read_together(conn: Connection, reads: Sequence[Read]) -> list[list[tuple[Any, ...]]]:
    """The rows of each read, in order; on PostgreSQL all of them in one round trip."""
    if conn.dialect.name != "postgresql":
        return [[tuple(row) for row in conn.execute(s, dict(p))] for s, p in reads]
    raw = conn.connection.driver_connection
    assert raw is not None
    compiled = [_compile(statement, conn.dialect) for statement, _ in reads]
    cursors = []
    with raw.pipeline():
        for c, (_, values) in zip(compiled, reads, strict=True):
            cursor = raw.cursor()
            cursor.execute(c.sql, c.params(values))
            cursors.append(cursor)
    try:
        return [c.rows(cursor.fetchall()) for c, cursor in zip(compiled, cursors, strict=True)]
    finally:
        for cursor in cursors:
            cursor.close()


def loaded(session: Session, model: type[Any], rows: Sequence[tuple[Any, ...]]) -> list[Any]:
    """ORM objects for rows of every column of ``model``'s table (in the table's order), taken
    into the session as loaded; an object the session already holds is used as it is."""
    mapper = model.__mapper__
    keys = [mapper.get_property_by_column(column).key for column in mapper.local_table.c]
    objects = []
    for row in rows:
        values = dict(zip(keys, row, strict=True))
        held = session.identity_map.get(mapper.identity_key_from_primary_key([values["id"]]))
        if held is not None:
            objects.append(held)
            continue
        obj = model(**values)
        make_transient_to_detached(obj)
        session.add(obj)
        objects.append(obj)
    return objects
