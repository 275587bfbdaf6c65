"""Bulk writes for hot paths: ids allocated up front, rows written without per-row ORM work.

PostgreSQL gets ``COPY … FROM STDIN`` (several times faster than ``executemany``); SQLite gets one
``executemany`` of a plain INSERT inside the caller's transaction (which holds the write lock,
so ``MAX(id)`` is a safe base for new ids). Values are plain Python: ``int``, ``str``, ``bool``,
``date``, aware ``datetime``, ``dict`` (JSON) or ``None``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Connection,
    String,
    Table,
    TypeDecorator,
    any_,
    bindparam,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import BindParameter

#: Bind processor by column position, and whether its values are hashable (all but JSON).
_Processors = dict[int, tuple[Callable[[Any], Any], bool]]


def allocate_ids(conn: Connection, table: Table, count: int) -> list[int]:
    """``count`` new primary keys for ``table``, reserved for this transaction."""
    if count == 0:
        return []
    name = table.name
    if conn.dialect.name == "postgresql":
        return list(
            conn.execute(
                text(
                    f"SELECT nextval(pg_get_serial_sequence('{name}', 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"n": count},
            ).scalars()
        )
    base = conn.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {name}")).scalar_one()
    return list(range(base + 1, base + 1 + count))


def allocate_id_blocks(conn: Connection, counts: dict[Table, int]) -> dict[Table, list[int]]:
    """:func:`allocate_ids` for several tables at once: one round trip on PostgreSQL."""
    wanted = [(table, n) for table, n in counts.items() if n > 0]
    result: dict[Table, list[int]] = {table: [] for table in counts}
    if not wanted:
        return result
    if conn.dialect.name != "postgresql":
        for table, n in wanted:
            result[table] = allocate_ids(conn, table, n)
        return result
    columns = ", ".join(
        f"ARRAY(SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) "
        f"FROM generate_series(1, {int(n)}))"
        for table, n in wanted
    )
    row = conn.execute(text(f"SELECT {columns}")).one()
    for (table, _), ids in zip(wanted, row, strict=True):
        result[table] = list(ids)
    return result


def _sqlite_processors(conn: Connection, table: Table, columns: Sequence[str]) -> _Processors:
    """SQLAlchemy's own bind processor of each column that has one on this dialect (dates as
    ISO text, timestamps in UTC, JSON as text …), by position: rows are stored as the ORM
    stores them. Values of every such column but JSON are hashable and repeat within a batch
    (one booking day, one "now"), so they are converted once per distinct value."""
    processors: _Processors = {}
    for i, name in enumerate(columns):
        column_type = table.c[name].type
        processor = column_type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        if processor is not None:
            processors[i] = (processor, not isinstance(column_type, JSON))
    return processors


def _processed(rows: Sequence[Sequence[object]], processors: _Processors) -> list[Sequence[object]]:
    """``rows`` through ``processors``, converted a column at a time; a repeated value (one
    booking day, one "now") is converted once."""
    if not processors or not rows:
        return list(rows)
    columns: list[Sequence[object]] = list(zip(*rows, strict=True))
    for i, (processor, repeats) in processors.items():
        column = columns[i]
        if repeats:
            memo = {v: None if v is None else processor(v) for v in set(column)}
            columns[i] = list(map(memo.__getitem__, column))
        else:
            columns[i] = [None if v is None else processor(v) for v in column]
    return list(zip(*columns, strict=True))


#: From this many rows on, PostgreSQL gets ``COPY``; fewer go as one ``INSERT`` each.
COPY_FROM_ROWS = 16


def _json_dumped(row: Sequence[object], columns: list[int]) -> Sequence[object]:
    row = list(row)
    for i in columns:
        if isinstance(row[i], dict):
            row[i] = json.dumps(row[i])
    return row


def insert_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[object]]
) -> None:
    """Write ``rows`` (tuples in ``columns`` order) into ``table``."""
    if not rows:
        return
    names = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        assert raw is not None
        json_columns = [i for i, n in enumerate(columns) if isinstance(table.c[n].type, JSON)]
        if json_columns:
            rows = [_json_dumped(row, json_columns) for row in rows]
        with raw.cursor() as cursor:
            if len(rows) < COPY_FROM_ROWS:  # a few rows: one INSERT is cheaper than a COPY
                marks = ", ".join("%s" for _ in columns)
                sql = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"
                if len(rows) == 1 or raw.pgconn.pipeline_status:
                    # Inside the caller's pipeline (or for one row) each INSERT is queued as it
                    # is: ``executemany`` would open a pipeline of its own and sync at its end.
                    for row in rows:
                        cursor.execute(sql, row)
                else:
                    cursor.executemany(sql, rows)
                return
            with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    params = _processed(rows, _sqlite_processors(conn, table, columns))
    marks = ", ".join("?" for _ in columns)
    raw = conn.connection.driver_connection
    assert raw is not None
    raw.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", params)


@functools.cache
def _pg_update_sql(table: Table, columns: tuple[str, ...], key: str, dialect: Dialect) -> str:
    """:func:`update_rows`' statement on PostgreSQL, built once (compiling the column types is
    dear)."""
    names = [*columns, key]
    types = [table.c[n].type.compile(dialect=dialect) for n in names]
    arrays = ", ".join(f"unnest(%s::{t}[]) AS {n}" for n, t in zip(names, types, strict=True))
    sets = ", ".join(f"{c} = v.{c}" for c in columns)
    return (
        f"UPDATE {table.name} AS t SET {sets} FROM (SELECT {arrays}) AS v WHERE t.{key} = v.{key}"
    )


def update_rows(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    key: str = "id",
) -> None:
    """Set ``columns`` on the rows whose ``key`` is the last value of each tuple."""
    if not rows:
        return
    raw = conn.connection.driver_connection
    assert raw is not None
    if conn.dialect.name == "postgresql":
        # One statement: the new values travel as one array per column.
        with raw.cursor() as cursor:
            cursor.execute(
                _pg_update_sql(table, tuple(columns), key, conn.dialect),
                [list(column) for column in zip(*rows, strict=True)],
            )
        return
    params = _processed(rows, _sqlite_processors(conn, table, columns))
    sets = ", ".join(f"{c} = ?" for c in columns)
    raw.executemany(f"UPDATE {table.name} SET {sets} WHERE {key} = ?", params)


class _JsonList(TypeDecorator[list[Any]]):
    """A list bound as one JSON text (for SQLite's ``json_each``)."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else json.dumps(list(value))


def _listed(column: ColumnElement[Any], param: BindParameter[Any]) -> ColumnElement[bool]:
    """``column IN (the JSON array in param)`` on SQLite."""
    return column.in_(select(func.json_each(param).table_valued("value").c.value))


def among(
    dialect: str, column: ColumnElement[Any], values: Sequence[object]
) -> ColumnElement[bool]:
    """``column IN values`` with the list as one parameter, whatever its length: an array on
    PostgreSQL (``= ANY``), a JSON array read by ``json_each`` on SQLite. One statement text
    for any number of values keeps the drivers' statement caches small (a bank file would
    otherwise prepare, and keep, one statement per list length) and the binds cheap.
    ``values`` are integers or strings."""
    if dialect == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    if dialect == "sqlite":
        return _listed(column, bindparam(None, list(values), type_=_JsonList()))
    return column.in_(list(values))


def among_param(dialect: str, column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
    """:func:`among` with the values bound later as parameter ``name`` (a list of integers or
    strings), so the statement can be built once and reused."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(column.type)))
    if dialect == "sqlite":
        return _listed(column, bindparam(name, type_=_JsonList()))
    return column.in_(bindparam(name, expanding=True))
