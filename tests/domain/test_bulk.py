"""Bulk writes store values exactly as SQLAlchemy itself stores them, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import JSON, Boolean, Column, Date, Integer, MetaData, Table, insert, select, text

from paydesk.db.base import UTCDateTime
from paydesk.db.bulk import COPY_FROM_ROWS, insert_rows, update_rows
from paydesk.db.engine import Database

PROBE = Table(
    "bulk_probe",
    MetaData(),
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("day", Date),
    Column("at", UTCDateTime),
    Column("detail", JSON),
    Column("flag", Boolean),
)
ATHENS = timezone(timedelta(hours=2))
COLUMNS = ("id", "day", "at", "detail", "flag")


@pytest.fixture
def probe(db: Database) -> Iterator[Database]:
    PROBE.create(db.engine)
    yield db
    PROBE.drop(db.engine)


def _row(i: int) -> tuple[object, ...]:
    at = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=ATHENS) + timedelta(minutes=i)
    return (i, date(2026, 3, 1 + i % 2), at, {"n": i, "name": "Ελένη"}, i % 3 == 0)


def test_bulk_rows_read_back_as_written_and_stored_as_sqlalchemy_stores_them(
    probe: Database,
) -> None:
    rows = [_row(i) for i in range(1, COPY_FROM_ROWS + 5)]  # COPY on PostgreSQL
    with probe.engine.begin() as conn:
        insert_rows(conn, PROBE, COLUMNS, rows)
        update_rows(conn, PROBE, ("day", "at"), [(date(2026, 4, 1), rows[0][2], 2)])
        same_as_row_1 = (101, *rows[0][1:])  # written by SQLAlchemy itself
        conn.execute(insert(PROBE), [dict(zip(COLUMNS, same_as_row_1, strict=True))])
    with probe.engine.connect() as conn:
        stored = {r.id: tuple(r) for r in conn.execute(select(PROBE))}
    expected = {r[0]: r for r in rows}
    expected[2] = (2, date(2026, 4, 1), rows[0][2], *rows[1][3:])
    for i, row in expected.items():
        assert stored[i][:2] == row[:2] and stored[i][3:] == row[3:]
        assert stored[i][2] == row[2] and stored[i][2].tzinfo is not None
        assert stored[i][2].utcoffset() == timedelta(0)
    if probe.engine.dialect.name == "sqlite":  # the stored text itself is the same
        with probe.engine.connect() as conn:
            query = "SELECT day, at, detail, flag FROM bulk_probe WHERE id IN (1, 101) ORDER BY id"
            bulk, orm = conn.execute(text(query)).all()
        assert tuple(bulk) == tuple(orm)
        assert bulk[:2] == ("2026-03-02", "2026-03-01 10:31:15.123456")
