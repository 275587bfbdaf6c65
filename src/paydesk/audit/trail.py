"""Record status changes in the audit trail."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.orm import Session

from paydesk.audit.models import AuditEvent
from paydesk.db.lookup import rows_of
from paydesk.errors import InvalidInput


def required_reason(reason: str | None, refusal: str) -> str:
    """``reason`` without surrounding spaces; :class:`InvalidInput` (``refusal``) when none is
    given. A change that needs a reason records it in the trail."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(refusal)
    return reason


def record(
    session: Session,
    *,
    actor: str,
    entity_type: str,
    entity_id: object,
    to_status: str,
    from_status: str | None = None,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one status change (who, when, from, to, why)."""
    event = AuditEvent(
        actor=actor,
        entity_type=entity_type,
        entity_id=str(entity_id),
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        detail=detail,
    )
    session.add(event)
    return event


Row = TypeVar("Row")


def change(
    session: Session,
    row: Any,
    to_status: str,
    *,
    actor: str,
    entity_type: str,
    entity_id: object = None,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Move ``row`` to ``to_status`` and record the change from the status it had, under its
    id, or under ``entity_id`` when the trail names it otherwise."""
    from_status = row.status
    row.status = to_status
    return record(
        session,
        actor=actor,
        entity_type=entity_type,
        entity_id=row.id if entity_id is None else entity_id,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        detail=detail,
    )


def add_created(
    session: Session,
    row: Row,
    *,
    actor: str,
    entity_type: str,
    status: str,
    entity_id: object = None,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
) -> Row:
    """Store a new row in its first status and record it (``None → status``) under its id,
    or under ``entity_id`` when the trail names it otherwise; returns the row."""
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        entity_type=entity_type,
        entity_id=row.id if entity_id is None else entity_id,  # type: ignore[attr-defined]
        to_status=status,
        reason=reason,
        detail=detail,
    )
    return row


def history(session: Session, entity_type: str, entity_id: object) -> list[AuditEvent]:
    """Every recorded status change of one record, oldest first."""
    return rows_of(
        session,
        AuditEvent,
        AuditEvent.entity_type == entity_type,
        AuditEvent.entity_id == str(entity_id),
    )
