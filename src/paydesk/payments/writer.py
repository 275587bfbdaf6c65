"""The one writer: stores a batch of plans set-based — one plan for a desk payment, thousands
for a bank file — with one statement per table (``COPY`` on PostgreSQL for large batches).

Ids of new events, tenders and payments are reserved first (:func:`reserve_ids`) so that the
planner can name every row; the writer then inserts, updates and emits in a fixed order inside
the caller's transaction. Rows updated twice in one batch (a code paid by several credits of one
file) are written once, with their last values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import chain
from typing import Any

from sqlalchemy import Table, delete
from sqlalchemy.orm import Session

from paydesk.audit.models import AuditEvent
from paydesk.codes.models import CodePayment, PaymentCode
from paydesk.db.base import Base
from paydesk.db.bulk import COPY_FROM_ROWS, allocate_id_blocks, among, insert_rows, update_rows
from paydesk.ledger.models import LedgerEntry
from paydesk.payments.models import Payment, PaymentEvent, PaymentSegment, Tender
from paydesk.payments.plan import (
    AuditRow,
    CodePaymentRow,
    EventRow,
    Ids,
    Intake,
    LedgerRow,
    PaymentRow,
    Plan,
    SegmentRow,
    TenderRow,
)
from paydesk.webhooks import outbox

__all__ = ["reserve_ids", "write"]


def reserve_ids(session: Session, intakes: Sequence[Intake]) -> list[Ids]:
    """New ids for each intake's event, tenders and payments (one round trip on PostgreSQL)."""
    if not intakes:
        return []
    counts = {
        PaymentEvent.__table__: len(intakes),
        Tender.__table__: sum(len(i.tenders) for i in intakes),
        Payment.__table__: sum(len(i.payments) for i in intakes),
    }
    blocks = allocate_id_blocks(session.connection(), counts)
    events = iter(blocks[PaymentEvent.__table__])
    tenders = iter(blocks[Tender.__table__])
    payments = iter(blocks[Payment.__table__])
    return [
        Ids(
            next(events),
            tuple(next(tenders) for _ in intake.tenders),
            tuple(next(payments) for _ in intake.payments),
        )
        for intake in intakes
    ]


def _last_by_id(rows: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The last values of each row, in id order: a bank file's credits update codes spread
    over a large table, and visiting them in order of their pages costs SQLite about a fifth
    less (PostgreSQL takes the rows' locks in the order every writer takes them)."""
    latest: dict[Any, tuple[Any, ...]] = {}
    for row in rows:
        latest[row[-1]] = row
    return [latest[key] for key in sorted(latest)]


def _insert(session: Session, table: Table, fields: Sequence[str], rows: list[Any]) -> None:
    if rows:
        insert_rows(session.connection(), table, fields, rows)


def _update(session: Session, table: Table, fields: Sequence[str], rows: list[Any]) -> None:
    if rows:
        update_rows(session.connection(), table, fields[:-1], _last_by_id(rows))


Publisher = Callable[[Session, list[tuple[str, dict[str, Any]]]], None]


def write(session: Session, plans: Sequence[Plan], *, publish: Publisher | None = None) -> None:
    """Store the plans in the caller's transaction; their webhook events go to the outbox
    (or to ``publish``).

    On PostgreSQL a small batch (a desk payment) is sent in pipeline mode: every statement
    leaves at once and the server's answers are read together, one round trip instead of
    one per table."""
    if not plans:
        return
    if session.get_bind().dialect.name == "postgresql" and _small(plans):
        session.flush()  # nothing of the ORM's may run inside the pipeline
        raw = session.connection().connection.driver_connection
        with raw.pipeline():
            _write(session, plans)
    else:
        _write(session, plans)
    webhooks = list(chain.from_iterable(p.webhooks for p in plans))
    if webhooks:
        (publish or outbox.emit_many)(session, webhooks)


def _small(plans: Sequence[Plan]) -> bool:
    """Whether every table gets fewer rows than make a ``COPY`` (not allowed in a pipeline)."""
    fields = ("tenders", "payments", "segments", "ledger", "code_payments", "audit", "webhooks")
    return (
        all(sum(len(getattr(p, name)) for p in plans) < COPY_FROM_ROWS for name in fields)
        and len(plans) < COPY_FROM_ROWS
    )


def _write(session: Session, plans: Sequence[Plan]) -> None:
    def gather(name: str) -> list[Any]:
        return list(chain.from_iterable(getattr(p, name) for p in plans))

    _insert(session, PaymentEvent.__table__, EventRow._fields, gather("events"))
    _insert(session, Tender.__table__, TenderRow._fields, gather("tenders"))
    _insert(session, Payment.__table__, PaymentRow._fields, gather("payments"))
    updates = gather("payment_updates")
    if updates:
        _update(session, Payment.__table__, updates[0]._fields, updates)
    resegmented = gather("resegmented")
    if resegmented:
        dialect = session.get_bind().dialect.name
        session.connection().execute(
            delete(PaymentSegment.__table__).where(
                among(dialect, PaymentSegment.__table__.c.payment_id, resegmented)
            )
        )
    _insert(session, PaymentSegment.__table__, SegmentRow._fields, gather("segments"))
    _insert(session, LedgerEntry.__table__, LedgerRow._fields, gather("ledger"))
    _insert(session, CodePayment.__table__, CodePaymentRow._fields, gather("code_payments"))
    _update(
        session,
        CodePayment.__table__,
        ("status", "id"),
        [(status, i) for status, _, i in gather("code_payment_updates")],
    )
    updates = gather("code_updates")
    if updates:
        _update(session, PaymentCode.__table__, updates[0]._fields, updates)
    _update(
        session,
        Tender.__table__,
        ("status", "cancel_reason", "id"),
        gather("tender_updates"),
    )
    updates = gather("bank_entry_updates")
    if updates:
        # Looked up by name: the bank package, which defines the table, sits above payments.
        _update(session, Base.metadata.tables["bank_entries"], updates[0]._fields, updates)
    _insert(session, AuditEvent.__table__, AuditRow._fields, gather("audit"))
