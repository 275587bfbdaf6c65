"""Load, plan, write: the one way money becomes a payment, and every later step on a payment.

:func:`take` is the entry for money arriving — the desk, a bank file, the gateway, a held bank
entry assigned by hand: intakes in, plans out, stored by the one writer. The steps on a stored
payment (:func:`distribute`, :func:`distribute_by_hand`, :func:`freeze`, :func:`cancel`) load what
the planner needs under locks (accounts first, then payments, codes, bank entries), plan and
write the same way. The rules are in :mod:`paydesk.payments.plan`; this module only reads and
stores.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from functools import cache

from sqlalchemy import Select, select
from sqlalchemy import delete as sql_delete
from sqlalchemy.orm import Session, make_transient_to_detached

from paydesk.accounts.models import Account
from paydesk.accounts.service import get_account
from paydesk.audit import trail
from paydesk.codes.models import CodePayment
from paydesk.codes.service import code_states
from paydesk.codes.status import CodeState
from paydesk.db.base import Base, utcnow
from paydesk.db.bulk import among_param
from paydesk.db.lookup import fetch, rows_of
from paydesk.ledger.models import LedgerEntry
from paydesk.money import Money
from paydesk.payments.debts import AccountDebts
from paydesk.payments.distribution import Match
from paydesk.payments.models import Payment, PaymentEvent, PaymentSegment, Tender
from paydesk.payments.plan import (
    Cancellation,
    Intake,
    PaymentState,
    Plan,
    Planner,
    Policy,
    PostedLine,
)
from paydesk.payments.reading import load_debts
from paydesk.payments.states import PaymentAction, PaymentStatus, require_action
from paydesk.payments.writer import Publisher, reserve_ids, write
from paydesk.settings import Settings

__all__ = [
    "cancel",
    "delete",
    "distribute",
    "distribute_by_hand",
    "freeze",
    "get_payment",
    "load_state",
    "policy_of",
    "segments_of",
    "take",
]


def policy_of(settings: Settings) -> Policy:
    return Policy(excess_policy=settings.cashier.excess_policy)


def get_payment(session: Session, payment_id: int, *, lock: bool = False) -> Payment:
    return fetch(session, Payment, payment_id, what="payment", lock=lock)


def segments_of(session: Session, payment_id: int) -> list[PaymentSegment]:
    return rows_of(session, PaymentSegment, PaymentSegment.payment_id == payment_id)


def _debts_of(
    session: Session,
    account_ids: Iterable[int],
    known: Mapping[int, AccountDebts] | None,
    *,
    lock: bool = False,
) -> dict[int, AccountDebts]:
    debts = dict(known or {})
    missing = sorted(set(account_ids) - set(debts))
    if missing:
        query = _heads_query(session.get_bind().dialect.name, lock)
        session.flush()  # accounts added in this session count too
        heads = session.connection().execute(query, {"ids": missing}).all()
        debts.update(load_debts(session, [tuple(h) for h in heads]))
    return debts


@cache
def _heads_query(dialect: str, lock: bool) -> Select:
    """The accounts' currency and class (locked in id order when ``lock``), built once."""
    query = select(Account.id, Account.currency, Account.customer_class).where(
        among_param(dialect, Account.id, "ids")
    )
    return query.order_by(Account.id).with_for_update() if lock else query


def take(
    session: Session,
    intakes: Sequence[Intake],
    *,
    policy: Policy,
    debts: Mapping[int, AccountDebts] | None = None,
    codes: Mapping[int, CodeState] | None = None,
    lock: bool = True,
    tell: bool = True,
    publish: Publisher | None = None,
    carry: dict[int, AccountDebts] | None = None,
) -> Plan:
    """Plan and store money arriving; the plan of them all (rows in the order of ``intakes``).

    ``debts`` and ``codes`` already loaded (under their locks) are used as they are; the others
    are read here, accounts locked first (in id order) unless ``lock`` is false. ``tell=False``
    builds no webhook events (nobody listens); ``publish`` receives them instead of the outbox.
    ``carry``, when given, is updated with the debts of the intakes' accounts as they are once
    the plan is stored (what reading them again would give, while nobody else writes), so the
    next batch of one import can pass them as ``debts`` instead of reading them.
    """
    if not intakes:
        return Plan()
    account_ids = {p.account_id for i in intakes for p in i.payments}
    code_ids = {p.code_id for i in intakes for p in i.payments if p.code_id is not None}
    known_codes = dict(codes or {})
    missing = code_ids - set(known_codes)
    if missing:
        known_codes.update(code_states(session, ids=missing))
    planner = Planner(
        _debts_of(session, account_ids, debts, lock=lock),
        known_codes,
        policy=policy,
        now=utcnow(),
        tell=tell,
    )
    ids = reserve_ids(session, intakes)
    plan = planner.intakes(list(zip(intakes, ids, strict=True)))
    write(session, [plan], publish=publish)
    if carry is not None:
        carry.update((a, planner.debts[a]) for a in account_ids)
    return plan


def as_loaded(session: Session, model: type[Base], rows: Iterable[tuple]) -> list:
    """ORM objects for rows just written (with their ids), taken into the session as loaded."""
    objects = []
    for row in rows:
        obj = model(**row._asdict())  # type: ignore[attr-defined]
        make_transient_to_detached(obj)
        session.add(obj)
        objects.append(obj)
    return objects


# --- steps on a stored payment ----------------------------------------------------------


def load_state(session: Session, payment_id: int, *, lock: bool = True) -> PaymentState:
    """The payment as the planner needs it; with ``lock``, its account then the payment are
    locked (the order every writer follows)."""
    payment = get_payment(session, payment_id)
    if lock:
        get_account(session, payment.account_id, lock=True)
        session.refresh(payment, with_for_update=True)
    source, event_date = session.execute(
        select(PaymentEvent.source, PaymentEvent.event_date).where(
            PaymentEvent.id == payment.event_id
        )
    ).one()
    return PaymentState(
        payment.id,
        payment.event_id,
        payment.account_id,
        payment.amount_minor,
        payment.currency,
        payment.status,
        payment.match_type,
        payment.match_value,
        payment.payment_code_id,
        payment.document_id,
        source,
        event_date,
        payment.frozen_at,
    )


def _planner(session: Session, state: PaymentState, policy: Policy | None = None) -> Planner:
    codes = (
        code_states(session, ids={state.payment_code_id})
        if state.payment_code_id is not None
        else {}
    )
    debts = _debts_of(session, [state.account_id], None)
    return Planner(debts, codes, policy=policy or Policy(), now=utcnow())


def _reloaded(session: Session, payment_id: int) -> Payment:
    session.flush()
    payment = session.get(Payment, payment_id, populate_existing=True)
    assert payment is not None
    return payment


def distribute(
    session: Session,
    payment_id: int,
    *,
    policy: Policy,
    actor: str,
    freeze: bool = False,
    match: Match | None = None,
) -> Payment:
    """(Re)distribute by the standard rules → ``freezable`` | ``error``; freeze when asked."""
    state = load_state(session, payment_id)
    write(
        session,
        [
            _planner(session, state, policy).distribution(
                state, actor=actor, freeze=freeze, match=match
            )
        ],
    )
    return _reloaded(session, payment_id)


def distribute_by_hand(
    session: Session,
    payment_id: int,
    shares: Mapping[int, Money],
    *,
    actor: str,
    freeze: bool,
) -> Payment:
    """Per-contract amounts set by hand (they must sum to the payment); freeze when asked."""
    state = load_state(session, payment_id)
    plan = _planner(session, state).manual(state, shares, actor=actor, freeze=freeze)
    write(session, [plan])
    return _reloaded(session, payment_id)


def freeze(session: Session, payment_id: int, *, actor: str) -> Payment:
    """Post a freezable payment's segments to the ledger → ``frozen``."""
    state = load_state(session, payment_id)
    require_action(PaymentStatus(state.status), PaymentAction.FREEZE)
    segments = [(s.contract_id, s.amount_minor) for s in segments_of(session, payment_id)]
    write(session, [_planner(session, state).freeze(state, segments, actor=actor)])
    return _reloaded(session, payment_id)


def _posted_lines(session: Session, payment_id: int) -> tuple[PostedLine, ...]:
    reversed_ids = select(LedgerEntry.reverses_id).where(
        LedgerEntry.payment_id == payment_id, LedgerEntry.reverses_id.is_not(None)
    )
    rows = session.execute(
        select(
            LedgerEntry.id,
            LedgerEntry.contract_id,
            LedgerEntry.document_id,
            LedgerEntry.amount_minor,
        )
        .where(
            LedgerEntry.payment_id == payment_id,
            LedgerEntry.kind == "payment",
            LedgerEntry.id.not_in(reversed_ids),
        )
        .order_by(LedgerEntry.id)
    )
    return tuple(PostedLine(*row) for row in rows)


def cancel(
    session: Session,
    payment_id: int,
    *,
    reason: str,
    actor: str,
    on: date | None = None,
    by_bank: bool = False,
    state: PaymentState | None = None,
) -> Payment:
    """Cancel a payment with a reason: its ledger lines reversed, and for a payment from the
    bank its code's paid amount taken back, its tender cancelled, its bank entry held again
    (or ``reversed`` when ``by_bank``)."""
    state = state or load_state(session, payment_id)
    require_action(PaymentStatus(state.status), PaymentAction.CANCEL)
    bank_tender = session.execute(
        select(Tender.id, Tender.status, Tender.bank_entry_id)
        .where(Tender.event_id == state.event_id, Tender.bank_entry_id.is_not(None))
        .with_for_update()
    ).first()
    listed = session.execute(
        select(CodePayment.id, CodePayment.code_id, CodePayment.amount_minor, CodePayment.status)
        .where(CodePayment.payment_id == payment_id)
        .with_for_update()
    ).first()
    code_ids = {state.payment_code_id, listed.code_id if listed is not None else None}
    codes = code_states(session, ids=code_ids - {None})
    entry = None
    if bank_tender is not None:
        entries = Base.metadata.tables["bank_entries"]  # defined by the bank package, above
        entry = session.execute(
            select(entries.c.id, entries.c.status)
            .where(entries.c.id == bank_tender.bank_entry_id)
            .with_for_update()
        ).first()
    cancellation = Cancellation(
        state,
        reason,
        actor,
        on or date.today(),
        lines=_posted_lines(session, payment_id),
        bank_tender=(bank_tender.id, bank_tender.status) if bank_tender else None,
        code_payment=tuple(listed) if listed is not None else None,
        bank_entry=tuple(entry) if entry is not None else None,
        by_bank=by_bank,
    )
    planner = Planner({}, codes, policy=Policy(), now=utcnow())
    write(session, [planner.cancellation(cancellation)])
    return _reloaded(session, payment_id)


def delete(session: Session, payment_id: int, *, actor: str, reason: str | None = None) -> int:
    """Remove a payment never posted (incomplete, error, freezable) with its segments; its
    event id."""
    state = load_state(session, payment_id)
    require_action(PaymentStatus(state.status), PaymentAction.DELETE)
    session.execute(sql_delete(PaymentSegment).where(PaymentSegment.payment_id == payment_id))
    trail.record(
        session,
        actor=actor,
        entity_type="payment",
        entity_id=payment_id,
        from_status=state.status,
        to_status="deleted",
        reason=reason,
        detail={"event_id": state.event_id, "amount_minor": state.amount_minor},
    )
    session.delete(get_payment(session, payment_id))
    session.flush()
    return state.event_id
