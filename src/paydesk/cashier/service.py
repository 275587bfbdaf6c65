"""Add one-time payment: the desk's flow from tenders and payments to the ledger.

:func:`add_one_time_payment` takes one payment event — one or more payments (each to an
account, possibly several accounts) and one or more tenders — and, in one transaction:

1. locks the payee accounts (``SELECT … FOR UPDATE``, in id order), so concurrent payments on
   one account are serialised and no update is lost;
2. checks each payment: amount (default: the settings' algorithm), match (open-item accounts
   must give one), non-CIS details (only, and always, for ``non_cis`` accounts);
3. checks each tender against its type (card types are refused: external card processor),
   resolves stored methods, and adds the cash-back tender (:mod:`paydesk.cashier.cash_back`);
   the tenders must then balance the payments;
4. stores the event, the tenders (attached to the cashier's open drawer session) and the
   payments (``incomplete``);
5. registers the collection of each tender the bank collects (direct debit, stored method)
   under the payer's mandate for that IBAN, signing one at the desk for a new account
   (:mod:`paydesk.cashier.mandates`);
6. if a direct-debit IBAN is new to its payer account, starts a bank-account validation
   service task and stops there: the payments stay ``incomplete``. The caller runs the
   validator after the commit (:func:`run_validation`), never inside the transaction;
7. otherwise, ``distribute_and_freeze`` distributes each payment and freezes it when
   distribution succeeded; ``manual`` leaves the payments waiting for per-contract amounts.

A completed task distributes and freezes (or, for ``manual``, releases) the event's
payments; a rejected task cancels the event (every tender and payment, with the reason).
Cancelling a tender (a bounced cheque) cancels the event's payments — frozen ones by ledger
reversal — and may add cash-only points to the payer. An event whose valid tenders no longer
sum to its live payments is listed by :func:`unbalanced_events` for follow-up.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from functools import cache, partial
from typing import Literal, get_args

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from paydesk.accounts.models import Account
from paydesk.accounts.service import get_account
from paydesk.audit import trail
from paydesk.cashier import mandates, validation, wallet
from paydesk.cashier.balance import EventBalance, check_balance, require_balanced
from paydesk.cashier.cash_back import apply_cash_back
from paydesk.cashier.errors import InvalidTender, NoOpenDrawer
from paydesk.cashier.models import CashDrawerSession, ServiceTask, StoredPaymentMethod
from paydesk.cashier.tenders import TenderDraft, iban_fingerprint
from paydesk.db.base import utcnow
from paydesk.db.batch import loaded, read_together
from paydesk.db.bulk import among_param
from paydesk.db.engine import Database
from paydesk.db.lookup import fetch
from paydesk.errors import (
    Conflict,
    CurrencyMismatch,
    InvalidAmount,
    InvalidInput,
    NotFound,
    PaydeskError,
)
from paydesk.money import Money
from paydesk.payments import limits
from paydesk.payments import service as money_in
from paydesk.payments.debts import AccountDebts
from paydesk.payments.distribution import Match
from paydesk.payments.errors import InvalidMatch
from paydesk.payments.models import Payment, PaymentEvent, PaymentSegment, Tender
from paydesk.payments.plan import Intake, PaymentIn, Plan, TenderIn
from paydesk.payments.reading import debts_from, debts_read
from paydesk.payments.states import PaymentStatus, ServiceTaskStatus, TenderStatus, transition
from paydesk.settings import Settings
from paydesk.webhooks import outbox

__all__ = [
    "DistributionAction",
    "EventList",
    "EventRequest",
    "EventView",
    "PaymentRequest",
    "TenderRequest",
    "add_one_time_payment",
    "cancel_payment",
    "cancel_tender",
    "complete_task",
    "count_events",
    "delete_payment",
    "distribute_payment",
    "event_ids",
    "event_view",
    "events_needing_attention",
    "freeze_payment",
    "manual_distribution",
    "reject_task",
    "run_validation",
    "run_validations",
    "unbalanced_events",
    "validate_and_reread",
]

logger = logging.getLogger(__name__)

DistributionAction = Literal["distribute_and_freeze", "manual"]
ACTIONS = ("distribute_and_freeze", "manual")


@dataclass(frozen=True)
class PaymentRequest:
    account_id: int
    #: ``None``: the settings' amount default for the account.
    amount: Money | str | None = None
    match_type: str | None = None
    match_value: str | None = None
    non_cis_name: str | None = None
    non_cis_reference: str | None = None
    non_cis_comments: str | None = None
    #: The payment code it pays (its account's, checked payable by the caller).
    code_id: int | None = None
    #: Take the money but place it nowhere: the payment is stored in ``error`` with this reason.
    error: str | None = None


@dataclass(frozen=True)
class TenderRequest:
    type: str
    #: ``None`` with a single tender: the payments' total.
    amount: Money | str | None = None
    payer_account_id: int | None = None
    non_cis_payer: str | None = None
    cheque_number: str | None = None
    iban: str | None = None
    holder_name: str | None = None
    account_kind: str = "checking"
    save_as_stored_method: bool = False
    stored_method_id: int | None = None
    external_reference: str | None = None


@dataclass(frozen=True)
class EventRequest:
    payments: list[PaymentRequest]
    tenders: list[TenderRequest]
    event_date: date | None = None
    distribution: DistributionAction = "distribute_and_freeze"
    #: How a code paid by this event lists it (default: ``desk: <cashier>``).
    desk_label: str | None = None


@dataclass
class EventView:
    event: PaymentEvent
    tenders: list[Tender]
    payments: list[Payment]
    segments: dict[int, list[PaymentSegment]]
    tasks: list[ServiceTask]
    balance: EventBalance = field(init=False)

    def __post_init__(self) -> None:
        self.balance = check_balance(
            [_money(t) for t in self.tenders if t.status == TenderStatus.VALID],
            [_money(p) for p in self.payments if p.status != PaymentStatus.CANCELLED],
        )

    @property
    def status(self) -> str:
        """``cancelled`` when every tender and payment is; ``pending_validation`` while a task
        is pending; ``needs_attention`` when a payment is in ``error`` or ``incomplete`` (a
        person redistributes, distributes by hand, deletes or cancels it); ``unbalanced`` when
        valid tenders differ from live payments; else ``ok``."""
        if all(t.status == "cancelled" for t in self.tenders) and all(
            p.status == "cancelled" for p in self.payments
        ):
            return "cancelled"
        if any(t.status == ServiceTaskStatus.PENDING for t in self.tasks):
            return "pending_validation"
        if any(p.status in NEEDS_A_PERSON for p in self.payments):
            return "needs_attention"
        return "ok" if self.balance.balanced else "unbalanced"


def _money(row: Tender | Payment) -> Money:
    return Money.from_minor(row.amount_minor, row.currency)


def _parse(value: Money | str, currency: str, *, what: str) -> Money:
    if isinstance(value, Money):
        if value.currency != currency:
            raise CurrencyMismatch(f"{what} is in {value.currency}, the account in {currency}")
        return value
    return Money.parse(value, currency)


def _text(value: str | None, limit: int, what: str) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value.strip()) > limit:
        raise InvalidInput(f"{what} is longer than {limit} characters")
    return value.strip()


@dataclass
class _PlannedPayment:
    account: Account
    amount: Money
    match: Match | None
    request: PaymentRequest
    #: The account's debts as loaded under its lock (valid until a payment of it is posted).
    debts: AccountDebts | None = None


@dataclass
class _PlannedTender:
    draft: TenderDraft
    fingerprint: str | None = None
    stored_method_id: int | None = None
    save: TenderRequest | None = None
    holder_name: str | None = None


@dataclass(frozen=True)
class _DeskReads:
    """What a desk payment reads before it plans, read together (one round trip on
    PostgreSQL)."""

    accounts: dict[int, Account]
    debts: dict[int, AccountDebts]
    #: The cashier's open drawer session, in any currency.
    drawer: CashDrawerSession | None
    listeners: list[outbox.Listener]


@cache
def _accounts_locked(dialect: str) -> Select:
    """The accounts ``:ids``, locked in id order (no deadlock), built once."""
    return (
        select(*Account.__table__.c)
        .where(among_param(dialect, Account.__table__.c.id, "ids"))
        .order_by(Account.__table__.c.id)
        .with_for_update()
    )


_OPEN_DRAWER_ROW = select(*CashDrawerSession.__table__.c).where(
    CashDrawerSession.__table__.c.cashier == bindparam("cashier"),
    CashDrawerSession.__table__.c.status == "open",
)


def _desk_reads(session: Session, request: EventRequest, actor: str) -> _DeskReads:
    """Lock the payee accounts, then read their debts (under the locks: each statement sees
    what the lock's last holder committed), the cashier's open drawer and the webhook
    subscriptions — one round trip on PostgreSQL instead of one per statement."""
    ids = sorted({p.account_id for p in request.payments})
    dialect = session.get_bind().dialect.name
    session.flush()  # rows added in this session count too
    account_rows, debt_rows, drawer_rows, listener_rows = read_together(
        session.connection(),
        [
            (_accounts_locked(dialect), {"ids": ids}),
            debts_read(dialect, ids),
            (_OPEN_DRAWER_ROW, {"cashier": actor}),
            (outbox.LISTENERS, {}),
        ],
    )
    accounts = {a.id: a for a in loaded(session, Account, account_rows)}
    for account_id in ids:
        if account_id not in accounts:
            raise NotFound(f"no account {account_id}", code="no-account", key=str(account_id))
    drawers = loaded(session, CashDrawerSession, drawer_rows[:1])
    return _DeskReads(
        accounts,
        debts_from(session, accounts.values(), debt_rows),
        drawers[0] if drawers else None,
        outbox.listeners_from(listener_rows),
    )


def _plan_payments(
    session: Session, settings: Settings, request: EventRequest, reads: _DeskReads
) -> list[_PlannedPayment]:
    accounts, debts = reads.accounts, reads.debts
    planned = []
    for item in request.payments:
        account = accounts[item.account_id]
        match = Match(item.match_type, item.match_value) if item.match_type else None
        if match is None and item.match_value:
            raise InvalidMatch("a match value needs a match type (invoice or contract)")
        if account.customer_class == "open_item" and match is None and item.code_id is None:
            raise InvalidMatch(
                f"account {account.number} is open-item: name the invoice or contract paid"
            )
        if item.amount is None:
            amount = wallet.amount_default(
                session, settings.cashier, account, debts[account.id], match=match
            )
            if amount.is_zero():
                raise InvalidAmount(
                    f"account {account.number} owes nothing: enter the payment amount"
                )
        else:
            amount = _parse(item.amount, account.currency, what="the payment")
        if amount.is_zero() or amount.is_negative():
            raise InvalidAmount(f"a payment is greater than zero, got {amount}")
        non_cis = (item.non_cis_name, item.non_cis_reference, item.non_cis_comments)
        if account.customer_class == "non_cis":
            if _text(item.non_cis_name, limits.NAME, "the non-CIS name") is None:
                raise InvalidInput(f"account {account.number} is non-CIS: give the payer's name")
        elif any(v and v.strip() for v in non_cis):
            raise InvalidInput(
                "non-CIS name, reference and comments belong to payments on non-CIS accounts"
            )
        _text(item.non_cis_reference, 64, "the reference number")
        planned.append(_PlannedPayment(account, amount, match, item, debts.get(account.id)))
    currencies = {p.amount.currency for p in planned}
    if len(currencies) > 1:
        raise CurrencyMismatch(f"one payment event is in one currency, not {sorted(currencies)}")
    return planned


def _seen_before(session: Session, account_id: int, fingerprint: str) -> bool:
    """Has the account used this bank account before (or had it confirmed)?"""
    if wallet.find_stored_method(session, account_id, fingerprint) is not None:
        return True
    used = session.scalar(
        select(Tender.id)
        .join(PaymentEvent, PaymentEvent.id == Tender.event_id)
        .where(
            Tender.payer_account_id == account_id,
            Tender.iban_fingerprint == fingerprint,
            Tender.status == TenderStatus.VALID,
            ~select(ServiceTask.id)
            .where(
                ServiceTask.event_id == Tender.event_id,
                ServiceTask.status != ServiceTaskStatus.COMPLETED,
            )
            .exists(),
        )
        .limit(1)
    )
    return used is not None


def _plan_tenders(
    session: Session,
    settings: Settings,
    request: EventRequest,
    payments: list[_PlannedPayment],
    total: Money,
) -> list[_PlannedTender]:
    types = wallet.tender_types(settings.cashier)
    first_account = payments[0].account
    planned: list[_PlannedTender] = []
    for item in request.tenders:
        tender_type = types.get(item.type)  # unknown and card types are refused here
        if item.amount is None:
            if len(request.tenders) != 1:
                raise InvalidAmount("with several tenders, give each tender's amount")
            amount = total
        else:
            amount = _parse(item.amount, total.currency, what="the tender")
        payer_id = None if item.non_cis_payer else (item.payer_account_id or first_account.id)
        if payer_id is not None and payer_id != first_account.id:
            get_account(session, payer_id)
        iban = item.iban
        stored_id = None
        if item.stored_method_id is not None:
            method = session.get(StoredPaymentMethod, item.stored_method_id)
            if method is None or method.status != "active" or method.account_id != payer_id:
                raise InvalidTender(
                    f"stored method {item.stored_method_id} is not an active method of the payer",
                    field="stored_method_id",
                )
            stored_id = method.id
            if tender_type.requires_bank_account and iban is None:
                iban = method.iban
        draft = TenderDraft(
            tender_type,
            amount,
            payer_account_id=None if payer_id is None else str(payer_id),
            non_cis_payer=item.non_cis_payer,
            cheque_number=item.cheque_number,
            iban=iban,
            stored_method_id=None if stored_id is None else str(stored_id),
            external_reference=item.external_reference,
        )
        fingerprint = None
        if draft.iban is not None:
            fingerprint = iban_fingerprint(draft.iban, settings.secret)
        elif stored_id is not None:
            fingerprint = method.iban_fingerprint
        holder = (item.holder_name or "").strip() or None
        if item.save_as_stored_method and draft.iban is None:
            raise InvalidTender(
                "only a new bank account can be saved as a stored method",
                field="save_as_stored_method",
            )
        planned.append(
            _PlannedTender(
                draft,
                fingerprint,
                stored_id,
                item if item.save_as_stored_method else None,
                holder,
            )
        )
    return planned


def add_one_time_payment(
    session: Session,
    settings: Settings,
    request: EventRequest,
    *,
    actor: str,
    today: date | None = None,
) -> EventView:
    """Take one payment event at the desk (see the module docstring for the steps)."""
    _check_request(request)
    reads = _desk_reads(session, request, actor)
    payments = _plan_payments(session, settings, request, reads)
    total = _total(payments)
    tenders = _with_cash_back(
        _plan_tenders(session, settings, request, payments, total), total, settings
    )
    require_balanced([t.draft for t in tenders], [p.amount for p in payments])
    drawer = _desk_drawer(reads.drawer, settings, actor, total.currency)
    new_accounts = _new_bank_accounts(session, settings, tenders, actor)
    intake = Intake(
        source="desk",
        event_date=request.event_date or today or date.today(),
        actor=actor,
        tenders=tuple(_tender_in(t, drawer) for t in tenders),
        payments=tuple(_payment_in(p) for p in payments),
        distribution=request.distribution,
        hold=bool(new_accounts),
        desk_label=request.desk_label or f"desk: {actor}",
    )
    debts = {p.account.id: p.debts for p in payments if p.debts is not None}
    plan = money_in.take(
        session,
        [intake],
        policy=money_in.policy_of(settings),
        debts=debts,
        publish=partial(outbox.emit_many, subscriptions=reads.listeners),
    )
    [event] = money_in.as_loaded(session, PaymentEvent, plan.events)
    tasks = _validation_tasks(session, event.id, request.distribution, new_accounts, actor)
    view = _view_of_plan(session, event, plan, tasks)
    mandates.register_collections(
        session,
        settings,
        [
            mandates.CollectedTender(
                row,
                planned.draft.iban,
                planned.holder_name,
                planned.save is not None or planned.stored_method_id is not None,
            )
            for planned, row in zip(tenders, view.tenders, strict=True)
        ],
        actor=actor,
        due_on=event.event_date,
    )
    return view


def _check_request(request: EventRequest) -> None:
    """An event names its distribution, at least one payment and at least one tender."""
    if request.distribution not in ACTIONS:
        raise InvalidInput(f"distribution is one of {ACTIONS}, not {request.distribution!r}")
    if not request.payments:
        raise InvalidInput("a payment event has at least one payment")
    if not request.tenders:
        raise InvalidInput("a payment event has at least one tender")


def _total(payments: list[_PlannedPayment]) -> Money:
    total = Money.zero(payments[0].amount.currency)
    for p in payments:
        total += p.amount
    return total


def _with_cash_back(
    tenders: list[_PlannedTender], total: Money, settings: Settings
) -> list[_PlannedTender]:
    """The tenders with the negative cash tender any cash back calls for."""
    cash = wallet.tender_types(settings.cashier).cash()
    drafts = apply_cash_back([t.draft for t in tenders], total, cash_type=cash)
    return tenders + [_PlannedTender(d) for d in drafts[len(tenders) :]]


def _desk_drawer(
    drawer: CashDrawerSession | None, settings: Settings, actor: str, currency: str
) -> CashDrawerSession | None:
    """The cashier's open drawer session in the event's currency; refused when the settings
    require one and there is none."""
    if drawer is not None and drawer.currency != currency:
        drawer = None
    if drawer is None and settings.cashier.require_open_drawer:
        raise NoOpenDrawer(actor, currency)
    return drawer


def _new_bank_accounts(
    session: Session, settings: Settings, tenders: list[_PlannedTender], actor: str
) -> dict[tuple[int, str], _PlannedTender]:
    """The bank accounts new to their payer (validated before the event is posted), by payer
    and fingerprint; a known bank account the cashier asked to save is saved now."""
    new_accounts: dict[tuple[int, str], _PlannedTender] = {}
    for planned in tenders:
        draft = planned.draft
        payer_id = int(draft.payer_account_id) if draft.payer_account_id else None
        seen = (
            planned.fingerprint is None
            or payer_id is None
            or planned.stored_method_id is not None
            or _seen_before(session, payer_id, planned.fingerprint)
        )
        if not seen:
            # Validated first; a method to save is saved when the validation completes.
            new_accounts.setdefault((payer_id, planned.fingerprint), planned)
        elif planned.save is not None and payer_id is not None:
            method = wallet.add_stored_method(
                session,
                settings,
                account_id=payer_id,
                iban=draft.iban or "",
                holder_name=planned.holder_name or _holder(session, payer_id),
                kind=planned.save.account_kind,
                actor=actor,
            )
            planned.stored_method_id = method.id
    return new_accounts


def _tender_in(planned: _PlannedTender, drawer: CashDrawerSession | None) -> TenderIn:
    draft = planned.draft
    return TenderIn(
        type=draft.type.code,
        amount_minor=draft.amount.minor,
        currency=draft.amount.currency,
        payer_account_id=int(draft.payer_account_id) if draft.payer_account_id else None,
        non_cis_name=draft.non_cis_payer,
        cheque_number=draft.cheque_number,
        iban_masked=draft.masked_iban,
        iban_fingerprint=planned.fingerprint,
        stored_method_id=planned.stored_method_id,
        external_reference=draft.external_reference,
        drawer_session_id=drawer.id if drawer is not None else None,
    )


def _payment_in(planned: _PlannedPayment) -> PaymentIn:
    request = planned.request
    return PaymentIn(
        account_id=planned.account.id,
        amount_minor=planned.amount.minor,
        currency=planned.amount.currency,
        match=planned.match,
        non_cis_name=_text(request.non_cis_name, limits.NAME, "the non-CIS name"),
        non_cis_reference=_text(request.non_cis_reference, 64, "the reference number"),
        non_cis_comments=_text(request.non_cis_comments, limits.COMMENTS, "the comments"),
        code_id=request.code_id,
        error=request.error,
    )


def _view_of_plan(
    session: Session, event: PaymentEvent, plan: Plan, tasks: list[ServiceTask]
) -> EventView:
    """The event as the plan wrote it (its rows as loaded, its segments from the plan)."""
    tender_rows = money_in.as_loaded(session, Tender, plan.tenders)
    payment_rows = money_in.as_loaded(session, Payment, plan.payments)
    segments: dict[int, list[PaymentSegment]] = {row.id: [] for row in payment_rows}
    for s in plan.segments:
        segments[s.payment_id].append(
            PaymentSegment(
                payment_id=s.payment_id,
                contract_id=s.contract_id,
                amount_minor=s.amount_minor,
                currency=s.currency,
            )
        )
    return EventView(event, tender_rows, payment_rows, segments, tasks)


def _validation_tasks(
    session: Session,
    event_id: int,
    distribution: str,
    new_accounts: dict[tuple[int, str], _PlannedTender],
    actor: str,
) -> list[ServiceTask]:
    """A bank-account validation task per bank account new to its payer."""
    tasks = []
    for (payer_id, fingerprint), planned in new_accounts.items():
        draft = planned.draft
        task = ServiceTask(
            kind="bank_account_validation",
            status=ServiceTaskStatus.PENDING.value,
            event_id=event_id,
            account_id=payer_id,
            holder_name=(planned.holder_name or _holder(session, payer_id))[: limits.NAME],
            iban=draft.iban,
            iban_masked=draft.masked_iban or "",
            iban_fingerprint=fingerprint,
            distribution=distribution,
            save_method_kind=planned.save.account_kind if planned.save else None,
            created_by=actor,
        )
        session.add(task)
        tasks.append(task)
    if tasks:
        session.flush()
        for task in tasks:
            trail.record(
                session,
                actor=actor,
                entity_type="service_task",
                entity_id=task.id,
                to_status=ServiceTaskStatus.PENDING.value,
                detail={"event_id": event_id, "iban": task.iban_masked},
            )
    return tasks


def _holder(session: Session, account_id: int) -> str:
    from paydesk.accounts.models import Customer

    name = session.scalar(
        select(Customer.name)
        .join(Account, Account.customer_id == Customer.id)
        .where(Account.id == account_id)
    )
    return name or ""


# --- reading -------------------------------------------------------------------------------


def get_event(session: Session, event_id: int) -> PaymentEvent:
    return fetch(session, PaymentEvent, event_id, what="payment event")


def event_view(session: Session, event_id: int) -> EventView:
    event = get_event(session, event_id)
    tenders = list(
        session.scalars(select(Tender).where(Tender.event_id == event.id).order_by(Tender.id))
    )
    payments = list(
        session.scalars(select(Payment).where(Payment.event_id == event.id).order_by(Payment.id))
    )
    segments: dict[int, list[PaymentSegment]] = {p.id: [] for p in payments}
    if payments:
        for segment in session.scalars(
            select(PaymentSegment)
            .where(PaymentSegment.payment_id.in_(list(segments)))
            .order_by(PaymentSegment.id)
        ):
            segments[segment.payment_id].append(segment)
    tasks = list(
        session.scalars(
            select(ServiceTask).where(ServiceTask.event_id == event.id).order_by(ServiceTask.id)
        )
    )
    return EventView(event, tenders, payments, segments, tasks)


def _events_where(condition_of):
    """Event ids joined to their valid tenders' and live payments' totals; ``condition_of``
    builds the filter from ``unbalanced`` (the two totals differ)."""
    tendered = (
        select(Tender.event_id, func.sum(Tender.amount_minor).label("total"))
        .where(Tender.status == TenderStatus.VALID)
        .group_by(Tender.event_id)
        .subquery()
    )
    paid = (
        select(Payment.event_id, func.sum(Payment.amount_minor).label("total"))
        .where(Payment.status != PaymentStatus.CANCELLED)
        .group_by(Payment.event_id)
        .subquery()
    )
    unbalanced = func.coalesce(tendered.c.total, 0) != func.coalesce(paid.c.total, 0)
    return (
        select(PaymentEvent.id)
        .outerjoin(tendered, tendered.c.event_id == PaymentEvent.id)
        .outerjoin(paid, paid.c.event_id == PaymentEvent.id)
        .where(condition_of(unbalanced))
    )


#: Payment statuses that wait for a person.
NEEDS_A_PERSON = frozenset({PaymentStatus.ERROR, PaymentStatus.INCOMPLETE})

#: The lists of payment events: every event (newest first); the unbalanced ones, whose valid
#: tenders do not sum to their live payments; the follow-up list, unbalanced or with a payment
#: in ``error`` or ``incomplete`` (both oldest first: work waiting).
EventList = Literal["all", "unbalanced", "needs_attention"]


def _attention_query():
    waiting = select(Payment.id).where(
        Payment.event_id == PaymentEvent.id, Payment.status.in_(list(NEEDS_A_PERSON))
    )
    return _events_where(lambda unbalanced: unbalanced | waiting.exists())


def _event_list(which: EventList):
    """The query of a list's event ids and its order."""
    if which == "needs_attention":
        return _attention_query(), PaymentEvent.id
    if which == "unbalanced":
        return _events_where(lambda unbalanced: unbalanced), PaymentEvent.id
    if which == "all":
        return select(PaymentEvent.id), PaymentEvent.id.desc()
    raise InvalidInput(f"an event list is one of {get_args(EventList)}, not {which!r}")


def event_ids(
    session: Session, which: EventList = "all", *, limit: int = 100, offset: int = 0
) -> list[int]:
    """Ids of the events of one list (see :data:`EventList`), a page of them."""
    query, order = _event_list(which)
    return list(session.scalars(query.order_by(order).limit(limit).offset(offset)))


def count_events(session: Session, which: EventList = "all") -> int:
    """How many events the list holds."""
    query, _ = _event_list(which)
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def unbalanced_events(session: Session, *, limit: int = 100, offset: int = 0) -> list[int]:
    """Ids of events whose valid tenders do not sum to their live payments, oldest first."""
    return event_ids(session, "unbalanced", limit=limit, offset=offset)


def events_needing_attention(session: Session, *, limit: int = 100, offset: int = 0) -> list[int]:
    """The follow-up list: events that are unbalanced or have a payment in ``error`` or
    ``incomplete``, oldest first."""
    return event_ids(session, "needs_attention", limit=limit, offset=offset)


# --- payment actions ----------------------------------------------------------------------


def _refuse_while_validating(session: Session, payment_id: int) -> None:
    task = session.scalar(
        select(ServiceTask.id)
        .join(Payment, Payment.event_id == ServiceTask.event_id)
        .where(Payment.id == payment_id, ServiceTask.status == ServiceTaskStatus.PENDING)
    )
    if task is not None:
        raise Conflict(
            f"payment {payment_id} waits for bank-account validation (service task {task})"
        )


def distribute_payment(
    session: Session,
    settings: Settings,
    payment_id: int,
    *,
    actor: str,
    match_type: str | None = None,
    match_value: str | None = None,
    change_match: bool = False,
) -> Payment:
    """(Re)distribute by the standard rules, optionally with a new match → freezable | error."""
    state = money_in.load_state(session, payment_id)
    _refuse_while_validating(session, payment_id)
    match = None
    if change_match:
        match = Match(match_type, match_value) if match_type else None
        account = session.get(Account, state.account_id)
        if match is None and account.customer_class == "open_item":
            raise InvalidMatch("an open-item account's payment names an invoice or contract")
        payment = money_in.get_payment(session, payment_id)
        payment.match_type = match.type if match else None
        payment.match_value = match.value if match else None
        session.flush()
    return money_in.distribute(
        session, payment_id, policy=money_in.policy_of(settings), actor=actor, match=match
    )


def manual_distribution(
    session: Session,
    payment_id: int,
    shares: dict[int, Money | str],
    *,
    actor: str,
    freeze: bool = True,
) -> Payment:
    """Per-contract amounts set by hand (they must sum to the payment), then freeze."""
    state = money_in.load_state(session, payment_id)
    _refuse_while_validating(session, payment_id)
    parsed = {k: _parse(v, state.currency, what="a share") for k, v in shares.items()}
    return money_in.distribute_by_hand(session, payment_id, parsed, actor=actor, freeze=freeze)


def freeze_payment(session: Session, payment_id: int, *, actor: str) -> Payment:
    return money_in.freeze(session, payment_id, actor=actor)


def cancel_payment(session: Session, payment_id: int, *, reason: str, actor: str) -> Payment:
    """Cancel with a reason: a frozen payment is reversed in the ledger; one that came from
    the bank gives its code the amount back and its bank entry returns to the held entries."""
    return money_in.cancel(session, payment_id, reason=reason, actor=actor)


def delete_payment(
    session: Session, payment_id: int, *, actor: str, reason: str | None = None
) -> int:
    """Delete a payment never posted; returns its event id (now listed if unbalanced)."""
    return money_in.delete(session, payment_id, actor=actor, reason=reason)


# --- tenders ------------------------------------------------------------------------------


def cancel_tender(
    session: Session,
    tender_id: int,
    *,
    reason: str,
    actor: str,
    cash_only_points: int = 0,
    points_end: date | None = None,
) -> Tender:
    """Cancel a tender (a bounced cheque): its event's payments are cancelled, frozen ones by
    reversal; ``cash_only_points`` are added to the payer with the reason, counting until
    ``points_end`` (``None``: always)."""
    tender = fetch(session, Tender, tender_id, what="tender")
    if cash_only_points < 0:
        raise InvalidInput("cancelling a tender adds cash-only points, never takes them away")
    payments = list(
        session.scalars(
            select(Payment).where(Payment.event_id == tender.event_id).order_by(Payment.id)
        )
    )
    for account_id in sorted({p.account_id for p in payments}):
        get_account(session, account_id, lock=True)
    session.refresh(tender, with_for_update=True)
    previous = TenderStatus(tender.status)
    transition(previous, TenderStatus.CANCELLED, reason=reason)
    tender.status = TenderStatus.CANCELLED.value
    tender.cancel_reason = reason
    trail.record(
        session,
        actor=actor,
        entity_type="tender",
        entity_id=tender.id,
        from_status=previous.value,
        to_status=TenderStatus.CANCELLED.value,
        reason=reason,
    )
    for payment in payments:
        if payment.status != PaymentStatus.CANCELLED:
            money_in.cancel(
                session,
                payment.id,
                reason=f"tender {tender.id} cancelled: {reason}",
                actor=actor,
            )
    if cash_only_points:
        payer = tender.payer_account_id or (payments[0].account_id if payments else None)
        if payer is None:
            raise InvalidInput("the tender has no payer account to give cash-only points to")
        wallet.change_cash_only_points(
            session,
            payer,
            cash_only_points,
            reason=f"tender {tender.id} cancelled: {reason}",
            actor=actor,
            tender_id=tender.id,
            ends_on=points_end,
        )
    return tender


# --- service tasks ------------------------------------------------------------------------


def get_task(session: Session, task_id: int, *, lock: bool = False) -> ServiceTask:
    return fetch(session, ServiceTask, task_id, what="service task", lock=lock)


def _finish(
    session: Session,
    task: ServiceTask,
    target: ServiceTaskStatus,
    *,
    actor: str,
    result: str | None,
    message: str | None,
) -> None:
    previous = ServiceTaskStatus(task.status)
    transition(previous, target)
    task.status = target.value
    task.result = result
    task.message = message
    task.iban = None
    task.finished_by = actor
    task.finished_at = utcnow()
    trail.record(
        session,
        actor=actor,
        entity_type="service_task",
        entity_id=task.id,
        from_status=previous.value,
        to_status=target.value,
        reason=message,
        detail={"result": result} if result else None,
    )


def _event_payments(session: Session, event_id: int) -> list[Payment]:
    payments = list(
        session.scalars(select(Payment).where(Payment.event_id == event_id).order_by(Payment.id))
    )
    for account_id in sorted({p.account_id for p in payments}):
        get_account(session, account_id, lock=True)
    return payments


def complete_task(
    session: Session,
    settings: Settings,
    task_id: int,
    *,
    actor: str,
    result: str = "confirmed",
    message: str | None = None,
) -> ServiceTask:
    """The bank account is the payer's: distribute and freeze the event's payments (or, for a
    manual distribution, leave them for the per-contract amounts)."""
    task = get_task(session, task_id)
    payments = _event_payments(session, task.event_id)
    session.refresh(task, with_for_update=True)
    if task.save_method_kind and task.iban and task.status == ServiceTaskStatus.PENDING:
        method = wallet.add_stored_method(
            session,
            settings,
            account_id=task.account_id,
            iban=task.iban,
            holder_name=task.holder_name,
            kind=task.save_method_kind,
            actor=actor,
        )
        for tender in session.scalars(
            select(Tender).where(
                Tender.event_id == task.event_id, Tender.iban_fingerprint == task.iban_fingerprint
            )
        ):
            tender.stored_method_id = method.id
    _finish(session, task, ServiceTaskStatus.COMPLETED, actor=actor, result=result, message=message)
    still_pending = session.scalar(
        select(ServiceTask.id).where(
            ServiceTask.event_id == task.event_id,
            ServiceTask.status == ServiceTaskStatus.PENDING,
        )
    )
    if still_pending is None and task.distribution == "distribute_and_freeze":
        for payment in payments:
            if payment.status == PaymentStatus.INCOMPLETE:
                money_in.distribute(
                    session,
                    payment.id,
                    policy=money_in.policy_of(settings),
                    actor=actor,
                    freeze=True,
                )
    return task


def reject_task(
    session: Session,
    task_id: int,
    *,
    actor: str,
    reason: str,
    result: str = "rejected",
) -> ServiceTask:
    """The bank account is not the payer's: the whole event is cancelled with the reason."""
    if not reason or not reason.strip():
        raise InvalidInput("rejecting a bank account needs a reason")
    task = get_task(session, task_id)
    payments = _event_payments(session, task.event_id)
    session.refresh(task, with_for_update=True)
    _finish(session, task, ServiceTaskStatus.REJECTED, actor=actor, result=result, message=reason)
    why = f"bank account {task.iban_masked} rejected: {reason}"
    for tender in session.scalars(
        select(Tender).where(Tender.event_id == task.event_id, Tender.status == "valid")
    ):
        transition(TenderStatus.VALID, TenderStatus.CANCELLED, reason=why)
        tender.status = TenderStatus.CANCELLED.value
        tender.cancel_reason = why
        trail.record(
            session,
            actor=actor,
            entity_type="tender",
            entity_id=tender.id,
            from_status="valid",
            to_status="cancelled",
            reason=why,
        )
    for payment in payments:
        if payment.status != PaymentStatus.CANCELLED:
            money_in.cancel(session, payment.id, reason=why, actor=actor)
    return task


def fail_task(session: Session, task_id: int, *, actor: str, message: str, result: str) -> None:
    """The validator could not answer: the task ends in ``error``; the payments stay
    ``incomplete`` with the message, for a person to distribute, delete or cancel."""
    task = get_task(session, task_id)
    payments = _event_payments(session, task.event_id)
    session.refresh(task, with_for_update=True)
    _finish(session, task, ServiceTaskStatus.ERROR, actor=actor, result=result, message=message)
    for payment in payments:
        if payment.status == PaymentStatus.INCOMPLETE:
            payment.error_message = f"bank-account validation failed: {message}"


def run_validation(db: Database, settings: Settings, task_id: int) -> ServiceTask:
    """Ask the configured validator about a pending task, outside any transaction, then apply
    its verdict in one. A ``pending`` verdict leaves the task for a person."""
    with db.reading() as session:
        task = get_task(session, task_id)
        if task.status != ServiceTaskStatus.PENDING or task.iban is None:
            return task
        iban, holder = task.iban, task.holder_name
    name, validator = validation.get_validator(settings.cashier)
    verdict = validator(iban, holder)
    actor = f"validator:{name}"
    with db.transaction() as session:
        task = get_task(session, task_id)
        if task.status != ServiceTaskStatus.PENDING:
            return task  # a person was quicker
        task.validator = name
        if verdict.outcome == "completed":
            complete_task(
                session,
                settings,
                task_id,
                actor=actor,
                result=verdict.result,
                message=verdict.message,
            )
        elif verdict.outcome == "rejected":
            reject_task(
                session, task_id, actor=actor, reason=verdict.message, result=verdict.result
            )
        elif verdict.outcome == "error":
            fail_task(session, task_id, actor=actor, message=verdict.message, result=verdict.result)
        else:
            task.result = verdict.result
            task.message = verdict.message
        return task


def run_validations(db: Database, settings: Settings, task_ids: list[int]) -> dict[int, str]:
    """Run the validator on each new task after the event's commit. A validator that cannot
    run (say, misconfigured) leaves its task pending for a person; returns why, by task id."""
    not_run = {}
    for task_id in task_ids:
        try:
            run_validation(db, settings, task_id)
        except PaydeskError as error:
            logger.warning("bank-account validation of task %s not run: %s", task_id, error)
            not_run[task_id] = error.detail
    return not_run


@dataclass(frozen=True)
class ValidatedEvent:
    """A payment event read again after its new bank accounts went to the validator."""

    view: EventView
    #: Why a task's validator could not run (the task stays pending), by task id.
    not_run: dict[int, str]


def validate_and_reread(
    db: Database, settings: Settings, event_id: int, task_ids: list[int]
) -> ValidatedEvent:
    """After the event's commit: run its validation tasks, then read the event as it stands."""
    not_run = run_validations(db, settings, task_ids)
    with db.reading() as session:
        return ValidatedEvent(event_view(session, event_id), not_run)
