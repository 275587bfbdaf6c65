"""Cash-drawer sessions: open with a float, take tenders, close by counting.

A cashier has at most one open session; desk tenders attach to the open session of the
cashier who takes them (in its currency). Closing compares, per tender type, the expected
amount (the float for cash, plus the session's valid tenders — cash back included) with what
was counted (:func:`paydesk.cashier.drawer.reconcile_drawer`) and keeps both and the
difference (counted − expected: negative is a shortage).
"""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from paydesk.audit import trail
from paydesk.auth.roles import SUPERVISORS, Role
from paydesk.cashier.drawer import DrawerEntry, DrawerReconciliation, reconcile_drawer
from paydesk.cashier.errors import DrawerNotYours
from paydesk.cashier.models import CashDrawerSession
from paydesk.db.base import utcnow
from paydesk.db.lookup import fetch
from paydesk.errors import Conflict, CurrencyMismatch, InvalidAmount
from paydesk.money import Money, check_currency
from paydesk.payments.models import Tender

__all__ = [
    "check_may_close",
    "close_drawer",
    "get_drawer",
    "open_drawer",
    "open_drawer_of",
    "reconciliation",
]


_OPEN_DRAWER = select(CashDrawerSession).where(
    CashDrawerSession.cashier == bindparam("cashier"), CashDrawerSession.status == "open"
)


def open_drawer_of(session: Session, cashier: str) -> CashDrawerSession | None:
    return session.scalar(_OPEN_DRAWER, {"cashier": cashier})


def open_drawer(session: Session, *, cashier: str, float_amount: Money) -> CashDrawerSession:
    check_currency(float_amount.currency)
    if float_amount.is_negative():
        raise InvalidAmount("a drawer's float is not negative")
    current = open_drawer_of(session, cashier)
    if current is not None:
        raise Conflict(f"{cashier} already has drawer session {current.id} open")
    drawer = CashDrawerSession(
        cashier=cashier,
        currency=float_amount.currency,
        status="open",
        float_minor=float_amount.minor,
    )
    return trail.add_created(
        session, drawer, actor=cashier, entity_type="drawer_session", status="open"
    )


def get_drawer(session: Session, drawer_id: int, *, lock: bool = False) -> CashDrawerSession:
    return fetch(session, CashDrawerSession, drawer_id, what="drawer session", lock=lock)


def reconciliation(
    session: Session, drawer: CashDrawerSession, counted: dict[str, Money]
) -> DrawerReconciliation:
    tenders = session.execute(
        select(Tender.tender_type, Tender.amount_minor, Tender.currency, Tender.status).where(
            Tender.drawer_session_id == drawer.id
        )
    ).all()
    entries = []
    for tender_type, minor, currency, status in tenders:
        if currency != drawer.currency:
            raise CurrencyMismatch(f"a {currency} tender in a {drawer.currency} drawer")
        entries.append(
            DrawerEntry(tender_type, Money.from_minor(minor, currency), status == "cancelled")
        )
    floats = {"cash": Money.from_minor(drawer.float_minor, drawer.currency)}
    return reconcile_drawer(drawer.currency, floats, entries, counted)


def check_may_close(drawer: CashDrawerSession, *, actor: str, role: Role) -> None:
    """Only the drawer session's cashier, or a supervisor, closes it (:class:`DrawerNotYours`)."""
    if drawer.cashier != actor and role not in SUPERVISORS:
        raise DrawerNotYours(drawer.id, drawer.cashier)


def close_drawer(
    session: Session,
    drawer_id: int,
    *,
    counted: dict[str, Money],
    actor: str,
    role: Role,
    note: str | None = None,
) -> tuple[CashDrawerSession, DrawerReconciliation]:
    """Close ``actor``'s session (or any, for a supervisor): keep expected, counted, difference."""
    drawer = get_drawer(session, drawer_id, lock=True)
    check_may_close(drawer, actor=actor, role=role)
    if drawer.status != "open":
        raise Conflict(f"drawer session {drawer.id} is already closed")
    result = reconciliation(session, drawer, counted)
    drawer.expected = {line.type_code: line.expected.minor for line in result.lines}
    drawer.counted = {line.type_code: line.counted.minor for line in result.lines}
    drawer.difference = {line.type_code: line.difference.minor for line in result.lines}
    drawer.closed_at = utcnow()
    drawer.note = note
    trail.change(
        session,
        drawer,
        "closed",
        actor=actor,
        entity_type="drawer_session",
        detail={"difference": drawer.difference},
    )
    return drawer, result
