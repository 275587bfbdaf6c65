"""Item 7: the audit trail (and the other append-only tables) cannot be emptied."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from paydesk.audit import trail
from paydesk.audit.models import AuditEvent
from paydesk.db.engine import Database

APPEND_ONLY = ("audit_events", "ledger_entries", "cash_only_point_changes")


def _one_audit_event(db: Database) -> None:
    with db.transaction() as session:
        trail.record(session, actor="admin", entity_type="user", entity_id="x", to_status="created")


@pytest.mark.parametrize("table", APPEND_ONLY)
def test_emptying_an_append_only_table_is_refused(db: Database, table: str):
    if table != "audit_events" and not db.is_postgresql:
        pytest.skip("SQLite has no TRUNCATE; its DELETE trigger fires per row (audit_events)")
    _one_audit_event(db)
    statement = f"TRUNCATE {table}" if db.is_postgresql else f"DELETE FROM {table}"
    with pytest.raises(DBAPIError, match="append-only"), db.transaction() as session:
        session.execute(text(statement))
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 1


@pytest.mark.parametrize(
    "statement", ["DELETE FROM audit_events", "UPDATE audit_events SET actor = 'x'"]
)
def test_rows_of_the_audit_trail_cannot_be_deleted_or_changed(db: Database, statement: str):
    _one_audit_event(db)
    with pytest.raises(DBAPIError, match="append-only"), db.transaction() as session:
        session.execute(text(statement))


def test_truncate_with_cascade_from_a_referencing_table_is_refused_too(db: Database):
    if not db.is_postgresql:
        pytest.skip("TRUNCATE is PostgreSQL's")
    _one_audit_event(db)
    with pytest.raises(DBAPIError, match="append-only"), db.transaction() as session:
        session.execute(text("TRUNCATE accounts, ledger_entries CASCADE"))
